package dev.redwood.runner.batch.azure;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import com.microsoft.azure.batch.auth.BatchCredentials;
import com.microsoft.rest.credentials.TokenCredentials;
import java.io.IOException;
import java.time.OffsetDateTime;
import okhttp3.Request;

/**
 * Lets the track-1 Batch client authenticate with an azure-identity credential
 * (DefaultAzureCredential, a service principal, a managed identity): each request carries a bearer
 * token for the Batch resource, refreshed a few minutes before it expires.
 */
final class BatchTokenCredentials extends TokenCredentials implements BatchCredentials {
  static final String BATCH_RESOURCE = "https://batch.core.windows.net/";

  private final String baseUrl;
  private final TokenCredential credential;
  private final TokenRequestContext request;
  private AccessToken token;

  /**
   * @param resource the token audience; null for the Batch service's
   */
  BatchTokenCredentials(String baseUrl, TokenCredential credential, String resource) {
    super("Bearer", null);
    this.baseUrl = baseUrl;
    this.credential = credential;
    String audience = resource != null && !resource.isBlank() ? resource : BATCH_RESOURCE;
    this.request =
        new TokenRequestContext()
            .addScopes((audience.endsWith("/") ? audience : audience + "/") + ".default");
  }

  @Override
  public String baseUrl() {
    return baseUrl;
  }

  @Override
  protected synchronized String getToken(Request httpRequest) throws IOException {
    if (token == null || token.getExpiresAt().isBefore(OffsetDateTime.now().plusMinutes(5))) {
      try {
        token = credential.getTokenSync(request);
      } catch (RuntimeException e) {
        throw new IOException(
            "Could not get an Entra ID token for Azure Batch: " + e.getMessage(), e);
      }
    }
    return token.getToken();
  }
}

package dev.redwood.runner.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * One Azure Batch account that pools are created in.
 *
 * @param name the account name (first label of the account URL's host); pools refer to it
 * @param accountUrl e.g. {@code https://mybatch.westeurope.batch.azure.com}, or a test double's
 *     {@code http://127.0.0.1:PORT}
 * @param region the account's Azure region (informational: a pool runs where its account is), or
 *     null when neither given nor part of the URL (a test double on 127.0.0.1)
 */
public record BatchAccount(String name, String accountUrl, String region, BatchAuth auth) {
  private static final List<String> SIGN_INS = List.of("sharedKey", "servicePrincipal", "default");

  /**
   * The account an entry of {@code "accounts"} gives, checked: name and region default to the
   * URL's, and the way to sign in is {@code auth}, or the one the credentials given are for.
   */
  @JsonCreator
  static BatchAccount fromEntry(
      @JsonProperty("name") String name,
      @JsonProperty("url") String url,
      @JsonProperty("region") String region,
      @JsonProperty("auth") String auth,
      @JsonProperty("batchAccountKey") String key,
      @JsonProperty("tenantId") String tenant,
      @JsonProperty("clientId") String client,
      @JsonProperty("clientSecret") String secret,
      @JsonProperty("resource") String resource) {
    String example = "\"https://mybatch.westeurope.batch.azure.com\"";
    Problem.unless(
        url != null, "url", "is missing (the Batch account's URL, such as %s)".formatted(example));
    ServiceUrl at = ServiceUrl.check("url", url, false);
    String urlName = at.firstLabel();
    Problem.unless(
        name != null || !at.namesNoAccount(),
        "name",
        "is missing: {url} %s does not contain the account's name, so give it here"
            .formatted(Problem.quote(at.url())));
    AzureNames.ACCOUNT.check(name == null ? "url" : "name", name == null ? urlName : name);
    Problem.unless(
        name == null || at.namesNoAccount() || urlName.equals(name),
        "name",
        "is %s but {url} is the account %s".formatted(Problem.quote(name), Problem.quote(urlName)));
    Problem.unless(region == null || !region.isBlank(), "region", "is empty");
    name = name == null ? urlName : name;
    String[] keys = {"tenantId", "clientId", "clientSecret", "resource"};
    String[] principal = {tenant, client, secret, resource};
    String principalKey = null;
    for (int i = keys.length - 1; i >= 0; i--) {
      principalKey = principal[i] != null ? keys[i] : principalKey;
    }
    String kind =
        Secret.signIn(auth, SIGN_INS, key == null ? null : "batchAccountKey", principalKey);
    BatchAuth how = new BatchAuth.BatchDefaultCredential();
    if (kind.equals("sharedKey")) {
      Secret batchKey = Secret.key("batchAccountKey", key, kind, "a Batch account key");
      how = new BatchAuth.BatchSharedKey(name, batchKey);
    } else if (kind.equals("servicePrincipal")) {
      for (int i = 0; i < 3; i++) {
        Problem.unless(
            principal[i] != null,
            keys[i],
            "is missing: a service principal needs {tenantId}, {clientId} and {clientSecret}");
      }
      AzureNames.TENANT.check("tenantId", tenant);
      AzureNames.CLIENT_ID.check("clientId", client);
      resource = resource == null ? "https://batch.core.windows.net/" : resource;
      ServiceUrl.check("resource", resource, true);
      how =
          new BatchAuth.ServicePrincipal(
              tenant, client, Secret.of("clientSecret", secret, kind), resource);
    }
    return new BatchAccount(name, at.url(), region == null ? at.batchRegion() : region, how);
  }
}

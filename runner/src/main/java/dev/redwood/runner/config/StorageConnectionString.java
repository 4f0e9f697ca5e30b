package dev.redwood.runner.config;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What a storage connection string says about its account: the account name and the blob endpoint.
 * It is checked to carry a credential (an account key or a SAS) but the credential is not kept
 * here, and errors never quote the string (at most its blob endpoint, without query).
 *
 * <p>Understood: {@code AccountName}, {@code AccountKey}, {@code SharedAccessSignature}, {@code
 * BlobEndpoint}, {@code DefaultEndpointsProtocol}, {@code EndpointSuffix}, and {@code
 * UseDevelopmentStorage=true} (Azurite on 127.0.0.1:10000).
 *
 * @param accountName the storage account's name
 * @param blobEndpoint the blob service's base URL
 */
record StorageConnectionString(String accountName, String blobEndpoint) {

  static final String DEV_ACCOUNT = "devstoreaccount1";
  static final String DEV_BLOB_ENDPOINT = "http://127.0.0.1:10000/" + DEV_ACCOUNT;

  /**
   * Parses a connection string; throws {@link IllegalArgumentException} whose message follows the
   * key holding the string and never quotes its credential.
   */
  static StorageConnectionString parse(String text) {
    Map<String, String> parts = new HashMap<>();
    for (String part : text.split(";")) {
      if (part.isBlank()) {
        continue;
      }
      int eq = part.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException(
            "is not a storage connection string (expected Name=value pairs separated by ';';"
                + " the value is not shown)");
      }
      parts.put(
          part.substring(0, eq).trim().toLowerCase(Locale.ROOT), part.substring(eq + 1).trim());
    }
    if ("true".equalsIgnoreCase(parts.get("usedevelopmentstorage"))) {
      return new StorageConnectionString(DEV_ACCOUNT, DEV_BLOB_ENDPOINT);
    }
    String name = parts.get("accountname");
    boolean hasKey = parts.containsKey("accountkey");
    boolean hasSas = parts.containsKey("sharedaccesssignature");
    if (!hasKey && !hasSas) {
      throw new IllegalArgumentException(
          "is a connection string without a credential: it needs AccountKey=... or"
              + " SharedAccessSignature=... (the value is not shown)");
    }
    if (hasKey && name == null) {
      throw new IllegalArgumentException(
          "is a connection string with AccountKey but no AccountName (the value is not shown)");
    }
    String endpoint = parts.get("blobendpoint");
    if (endpoint == null) {
      if (name == null) {
        throw new IllegalArgumentException(
            "is a connection string with neither AccountName nor BlobEndpoint (the value is not"
                + " shown)");
      }
      String protocol = parts.getOrDefault("defaultendpointsprotocol", "https");
      String suffix = parts.getOrDefault("endpointsuffix", "core.windows.net");
      endpoint = protocol + "://" + name + ".blob." + suffix;
    }
    ServiceUrl url;
    try {
      url = ServiceUrl.parse(endpoint, true);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "is a connection string whose blob endpoint " + e.getMessage());
    }
    if (name == null) {
      name = accountFromEndpoint(url);
    }
    if (AzureNames.accountName(name) != null) {
      throw new IllegalArgumentException(
          "is a connection string whose account name is not a storage account name (3-24"
              + " lowercase letters and digits; the value is not shown)");
    }
    return new StorageConnectionString(name, url.url());
  }

  /** The account an endpoint serves: the host's first label, or for an emulator the path's. */
  static String accountFromEndpoint(ServiceUrl url) {
    if (url.namesNoAccount()) {
      String path = url.url().replaceFirst("^[a-z]+://[^/]+/?", "");
      int slash = path.indexOf('/');
      return slash < 0 ? path : path.substring(0, slash);
    }
    return url.firstLabel();
  }
}

package dev.redwood.runner.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The storage account that holds staged code, stage specs, shuffles and task logs.
 *
 * @param blobEndpoint e.g. {@code https://mystorage.blob.core.windows.net}, or Azurite's {@code
 *     http://127.0.0.1:10000/devstoreaccount1}
 * @param auth how the driver authenticates; tasks never see it (they get SAS URLs)
 */
public record StorageAccount(String accountName, String blobEndpoint, StorageAuth auth) {
  private static final List<String> SIGN_INS = List.of("accountKey", "connectionString", "default");

  /**
   * The account a {@code "storage"} object gives, checked: the way to sign in is {@code auth}, or
   * the one the credential given is for; a connection string also gives the name and endpoint,
   * which otherwise defaults to {@code https://NAME.blob.core.windows.net}.
   */
  @JsonCreator
  static StorageAccount fromEntry(
      @JsonProperty("accountName") String name,
      @JsonProperty("blobEndpoint") String endpoint,
      @JsonProperty("auth") String auth,
      @JsonProperty("accountKey") String key,
      @JsonProperty("connectionString") String connection) {
    String connectionKey = connection == null ? null : "connectionString";
    String kind = Secret.signIn(auth, SIGN_INS, key == null ? null : "accountKey", connectionKey);
    if (name != null) {
      AzureNames.ACCOUNT.check("accountName", name);
    }
    ServiceUrl url = endpoint == null ? null : ServiceUrl.check("blobEndpoint", endpoint, true);
    if (kind.equals("connectionString")) {
      StorageAccount given;
      try {
        given = fromConnectionString(Secret.of("connectionString", connection, kind).reveal());
      } catch (IllegalArgumentException e) {
        throw new Problem("connectionString", e.getMessage());
      }
      boolean sameName = name == null || name.equals(given.accountName);
      Problem.unless(
          sameName && (url == null || url.url().equals(given.blobEndpoint)),
          sameName ? "blobEndpoint" : "accountName",
          "is not the account of {connectionString}, %s at %s"
              .formatted(Problem.quote(given.accountName), given.blobEndpoint));
      return given;
    }
    name = name == null && url != null ? url.account() : name;
    Problem.unless(name != null, "accountName", "is missing (the storage account's name)");
    StorageAuth how =
        kind.equals("default")
            ? new StorageAuth.StorageDefaultCredential()
            : new StorageAuth.AccountKey(
                Secret.key("accountKey", key, kind, "a storage account key"));
    String blob = url == null ? "https://" + name + ".blob.core.windows.net" : url.url();
    return new StorageAccount(name, blob, how);
  }

  /**
   * The account a connection string is for, signed in with it; throws {@link
   * IllegalArgumentException} whose message follows the key and never quotes the string.
   */
  static StorageAccount fromConnectionString(String text) {
    StorageAuth auth = new StorageAuth.ConnectionString(new Secret(text));
    Map<String, String> parts = new HashMap<>();
    for (String part : text.split(";")) {
      int eq = part.indexOf('=');
      Problem.refuse(
          eq <= 0 && !part.isBlank(),
          "is not a storage connection string (expected Name=value pairs separated by ';'; the"
              + " value is not shown)");
      if (eq > 0) {
        parts.put(
            part.substring(0, eq).trim().toLowerCase(Locale.ROOT), part.substring(eq + 1).trim());
      }
    }
    if ("true".equalsIgnoreCase(parts.get("usedevelopmentstorage"))) {
      return new StorageAccount(
          "devstoreaccount1", "http://127.0.0.1:10000/devstoreaccount1", auth);
    }
    String name = parts.get("accountname");
    String endpoint = parts.get("blobendpoint");
    boolean key = parts.containsKey("accountkey");
    String bad = "is a connection string %s (the value is not shown)";
    Problem.refuse(
        !key && !parts.containsKey("sharedaccesssignature"),
        bad.formatted(
            "without a credential: it needs AccountKey=... or SharedAccessSignature=..."));
    Problem.refuse(key && name == null, bad.formatted("with AccountKey but no AccountName"));
    Problem.refuse(
        endpoint == null && name == null,
        bad.formatted("with neither AccountName nor BlobEndpoint"));
    if (endpoint == null) {
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
    name = name != null ? name : url.account();
    Problem.refuse(
        AzureNames.ACCOUNT.problem(name) != null,
        "is a connection string whose account name is not a storage account name (3-24 lowercase"
            + " letters and digits; the value is not shown)");
    return new StorageAccount(name, url.url(), auth);
  }
}

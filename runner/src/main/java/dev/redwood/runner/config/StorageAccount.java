package dev.redwood.runner.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The storage account that holds staged code, stage specs, shuffles and task logs.
 *
 * @param accountName e.g. {@code mystorage}
 * @param blobEndpoint e.g. {@code https://mystorage.blob.core.windows.net}, or Azurite's
 *     {@code http://127.0.0.1:10000/devstoreaccount1}
 * @param auth how the driver authenticates; tasks never see it (they get SAS URLs)
 */
public record StorageAccount(String accountName, String blobEndpoint, StorageAuth auth) {

  /**
   * The account a {@code "storage"} object gives, checked: the way to sign in is {@code auth}, or
   * the one the credential given is for; a connection string also gives the name and endpoint,
   * which otherwise defaults to {@code https://NAME.blob.core.windows.net}.
   */
  @JsonCreator
  static StorageAccount fromEntry(@JsonProperty("accountName") String name,
      @JsonProperty("blobEndpoint") String endpoint, @JsonProperty("auth") String auth,
      @JsonProperty("accountKey") String key, @JsonProperty("connectionString") String connection) {
    Map<String, String> given = new LinkedHashMap<>();
    if (key != null) {
      given.put("accountKey", "accountKey");
    }
    if (connection != null) {
      given.put("connectionString", "connectionString");
    }
    String kind = Secret.signIn(auth, List.of("accountKey", "connectionString", "default"), given);
    if (name != null) {
      Problem.check("accountName", AzureNames.accountName(name), name);
    }
    ServiceUrl url = endpoint == null ? null : ServiceUrl.check("blobEndpoint", endpoint, true);
    if (kind.equals("connectionString")) {
      StorageConnectionString parsed;
      try {
        Secret secret = Secret.of("connectionString", connection, kind);
        parsed = StorageConnectionString.parse(secret.reveal());
      } catch (IllegalArgumentException e) {
        throw new Problem("connectionString", e.getMessage());
      }
      if (name != null && !parsed.accountName().equals(name)) {
        throw new Problem("accountName", "is " + Problem.quote(name)
            + " but {connectionString} is for the account " + Problem.quote(parsed.accountName()));
      } else if (url != null && !parsed.blobEndpoint().equals(url.url())) {
        throw new Problem("blobEndpoint", "is " + Problem.quote(url.url())
            + " but {connectionString} has the blob endpoint " + Problem.quote(parsed.blobEndpoint()));
      }
      return new StorageAccount(parsed.accountName(), parsed.blobEndpoint(),
          new StorageAuth.ConnectionString(new Secret(connection)));
    }
    name = name == null && url != null ? StorageConnectionString.accountFromEndpoint(url) : name;
    if (name == null) {
      throw new Problem("accountName", "is missing (the storage account's name)");
    }
    return new StorageAccount(name, url == null ? "https://" + name + ".blob.core.windows.net" : url.url(),
        kind.equals("default") ? new StorageAuth.DefaultCredential()
            : new StorageAuth.AccountKey(Secret.key("accountKey", key, kind, "a storage account key")));
  }
}

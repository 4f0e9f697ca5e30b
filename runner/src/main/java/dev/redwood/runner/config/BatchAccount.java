package dev.redwood.runner.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.stream.IntStream;

/**
 * One Azure Batch account that pools are created in.
 *
 * @param name the account name (first label of the account URL's host); pools refer to it
 * @param accountUrl e.g. {@code https://mybatch.westeurope.batch.azure.com}, or a test double's
 *     {@code http://127.0.0.1:PORT}
 * @param region the account's Azure region (informational: a pool runs where its account is), or
 *     null when neither given nor part of the URL (a test double on 127.0.0.1)
 * @param auth how requests to this account are signed
 */
public record BatchAccount(String name, String accountUrl, String region, BatchAuth auth) {

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
    Problem.unless(
        url != null,
        "url",
        "is missing (the Batch account's URL, such as"
            + " \"https://mybatch.westeurope.batch.azure.com\")");
    ServiceUrl at = ServiceUrl.check("url", url, false);
    Problem.unless(
        name != null || !at.namesNoAccount(),
        "name",
        "is missing: {url} "
            + Problem.quote(at.url())
            + " does not contain the account's name, so give it here");
    AzureNames.ACCOUNT.check(name == null ? "url" : "name", name == null ? at.firstLabel() : name);
    boolean sameName = name == null || at.namesNoAccount() || at.firstLabel().equals(name);
    Problem.unless(
        sameName,
        "name",
        "is "
            + Problem.quote(name)
            + " but {url} is the account "
            + Problem.quote(at.firstLabel()));
    Problem.unless(region == null || !region.isBlank(), "region", "is empty");
    name = name == null ? at.firstLabel() : name;
    String[] principal = {tenant, client, secret, resource};
    String[] keys = {"tenantId", "clientId", "clientSecret", "resource"};
    String principalKey =
        IntStream.range(0, keys.length)
            .filter(i -> principal[i] != null)
            .mapToObj(i -> keys[i])
            .findFirst()
            .orElse(null);
    String kind =
        Secret.signIn(
            auth,
            List.of("sharedKey", "servicePrincipal", "default"),
            key == null ? null : "batchAccountKey",
            principalKey);
    BatchAuth how = new BatchAuth.BatchDefaultCredential();
    if (kind.equals("sharedKey")) {
      how =
          new BatchAuth.BatchSharedKey(
              name, Secret.key("batchAccountKey", key, kind, "a Batch account key"));
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

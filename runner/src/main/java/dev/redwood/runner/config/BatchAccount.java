package dev.redwood.runner.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
  static BatchAccount fromEntry(@JsonProperty("name") String name,
      @JsonProperty("url") String url, @JsonProperty("region") String region,
      @JsonProperty("auth") String auth, @JsonProperty("batchAccountKey") String key,
      @JsonProperty("tenantId") String tenant, @JsonProperty("clientId") String client,
      @JsonProperty("clientSecret") String secret, @JsonProperty("resource") String resource) {
    if (url == null) {
      throw new Problem("url", "is missing (the Batch account's URL, such as"
          + " \"https://mybatch.westeurope.batch.azure.com\")");
    }
    ServiceUrl at = ServiceUrl.check("url", url, false);
    if (name == null && at.namesNoAccount()) {
      throw new Problem("name", "is missing: {url} " + Problem.quote(at.url())
          + " does not contain the account's name, so give it here");
    } else if (name == null && AzureNames.accountName(at.firstLabel()) != null) {
      throw new Problem("url", "names the account " + Problem.quote(at.firstLabel()) + ", which "
          + AzureNames.accountName(at.firstLabel()));
    } else if (name != null) {
      Problem.check("name", AzureNames.accountName(name), name);
      if (!at.namesNoAccount() && !at.firstLabel().equals(name)) {
        throw new Problem("name", "is " + Problem.quote(name) + " but {url} is the account "
            + Problem.quote(at.firstLabel()));
      }
    }
    if (region != null && region.isBlank()) {
      throw new Problem("region", "is empty");
    }
    name = name == null ? at.firstLabel() : name;
    Map<String, String> given = new LinkedHashMap<>();
    if (key != null) {
      given.put("sharedKey", "batchAccountKey");
    }
    String[] principal = {tenant, client, secret, resource};
    String[] keys = {"tenantId", "clientId", "clientSecret", "resource"};
    for (int i = principal.length - 1; i >= 0; i--) {
      if (principal[i] != null) {
        given.put("servicePrincipal", keys[i]);
      }
    }
    BatchAuth how = switch (Secret.signIn(auth, List.of("sharedKey", "servicePrincipal", "default"), given)) {
      case "sharedKey" -> new BatchAuth.SharedKey(name, Secret.key("batchAccountKey", key, "sharedKey", "a Batch account key"));
      case "default" -> new BatchAuth.DefaultCredential();
      default -> {
        for (int i = 0; i < 3; i++) {
          if (principal[i] == null) {
            throw new Problem(keys[i],
                "is missing: a service principal needs {tenantId}, {clientId} and {clientSecret}");
          }
        }
        Problem.check("tenantId", AzureNames.tenant(tenant), tenant);
        Problem.check("clientId", AzureNames.clientId(client), client);
        resource = resource == null ? "https://batch.core.windows.net/" : resource;
        ServiceUrl.check("resource", resource, true);
        yield new BatchAuth.ServicePrincipal(tenant, client, Secret.of("clientSecret", secret, "servicePrincipal"), resource);
      }
    };
    return new BatchAccount(name, at.url(), region == null ? at.batchRegion() : region, how);
  }
}

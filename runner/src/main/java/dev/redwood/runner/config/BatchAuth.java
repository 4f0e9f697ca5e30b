package dev.redwood.runner.config;

/** How requests to a Batch account are authenticated. */
public sealed interface BatchAuth {

  /** The account's shared key (Batch account name and key). */
  record BatchSharedKey(String accountName, Secret key) implements BatchAuth {}

  /**
   * An Entra ID service principal with a client secret (AzureClusterlessHPC's {@code _AD_TENANT},
   * {@code _AD_BATCH_CLIENT_ID}, {@code _AD_SECRET_BATCH}).
   *
   * @param resource the token audience, {@code https://batch.core.windows.net/} by default
   */
  record ServicePrincipal(String tenantId, String clientId, Secret clientSecret, String resource)
      implements BatchAuth {}

  /**
   * azure-identity's DefaultAzureCredential: environment service principal, workload or managed
   * identity, or a developer login (Azure CLI, ...).
   */
  record BatchDefaultCredential() implements BatchAuth {}
}

package dev.redwood.runner.config;

/** How the driver authenticates to the storage account. */
public sealed interface StorageAuth {

  /** The storage account key (AzureClusterlessHPC's {@code _STORAGE_ACCOUNT_KEY}). */
  record AccountKey(Secret key) implements StorageAuth {}

  /** A full connection string (it carries the account key or a SAS). */
  record ConnectionString(Secret connectionString) implements StorageAuth {}

  /** azure-identity's DefaultAzureCredential; task SAS URLs are then user-delegation SAS. */
  record StorageDefaultCredential() implements StorageAuth {}
}

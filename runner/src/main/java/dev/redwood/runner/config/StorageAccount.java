package dev.redwood.runner.config;

/**
 * The storage account that holds staged code, stage specs, shuffles and task logs.
 *
 * @param accountName e.g. {@code mystorage}
 * @param blobEndpoint e.g. {@code https://mystorage.blob.core.windows.net}, or Azurite's
 *     {@code http://127.0.0.1:10000/devstoreaccount1}
 * @param auth how the driver authenticates; tasks never see it (they get SAS URLs)
 */
public record StorageAccount(String accountName, String blobEndpoint, StorageAuth auth) {}

package dev.redwood.runner.azure;

import com.azure.storage.blob.BlobServiceClientBuilder;
import org.apache.beam.sdk.io.azure.options.BlobstoreClientBuilderFactory;
import org.apache.beam.sdk.io.azure.options.BlobstoreOptions;

/**
 * io-azure clients for the test driver, signed with Azurite's key from {@code
 * --azureConnectionString}. (io-azure's default factory adds its DefaultAzureCredential too, which
 * the SDK refuses beside a key.) Tasks never use this: the runner drops the connection string from
 * their options and points them at their grant.
 */
public final class AzuriteBlobstoreClients implements BlobstoreClientBuilderFactory {
  @Override
  public BlobServiceClientBuilder createBuilder(BlobstoreOptions options) {
    return new BlobServiceClientBuilder().connectionString(options.getAzureConnectionString());
  }
}

package dev.redwood.runner.azure;

import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.redwood.runner.batch.azure.restdouble.BatchRestDouble;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * An Azure the examples' tests can run on: one Batch account (a {@link BatchRestDouble}, one pool
 * of one node with {@code slots} task slots) and Azurite for storage, described by a parameters and
 * a credentials file as a user would write them. {@link #runnerArgs} are the options that send a
 * pipeline there.
 */
public final class EmulatedAzure implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final BatchRestDouble batch;
  private final Path parameters;
  private final Path credentials;
  private final Path workDir;
  private final String blobContainer = "rwex-" + UUID.randomUUID().toString().substring(0, 8);

  private EmulatedAzure(BatchRestDouble batch, Path directory) {
    this.batch = batch;
    this.parameters = directory.resolve("parameters.json");
    this.credentials = directory.resolve("credentials.json");
    this.workDir = directory.resolve("redwood");
  }

  public static EmulatedAzure start(Path directory, int slots) throws IOException {
    Azurite.endpoint(); // found or started before the Batch double
    String key = BatchRestDouble.newKey();
    EmulatedAzure azure =
        new EmulatedAzure(new BatchRestDouble("emulated", key).start(), directory);
    Files.writeString(
        azure.parameters,
        JSON.writeValueAsString(
            Map.of(
                "blobContainer",
                azure.blobContainer,
                "pools",
                List.of(
                    Map.of(
                        "id",
                        "pool",
                        "account",
                        "emulated",
                        "vmSize",
                        "Standard_D2s_v5",
                        "dedicatedNodes",
                        1,
                        "taskSlotsPerNode",
                        slots)))));
    Files.writeString(
        azure.credentials,
        JSON.writeValueAsString(
            Map.of(
                "accounts",
                List.of(
                    Map.of("name", "emulated", "url", azure.batch.url(), "batchAccountKey", key)),
                "storage",
                Map.of("connectionString", Azurite.connectionString()))));
    Files.setPosixFilePermissions(azure.credentials, PosixFilePermissions.fromString("rw-------"));
    return azure;
  }

  /** Options that run a pipeline on this Azure. */
  public List<String> runnerArgs() {
    return List.of(
        "--runner=AzureBatchRunner",
        "--backend=AZURE",
        "--parametersFile=" + parameters,
        "--credentialsFile=" + credentials,
        "--localWorkDir=" + workDir,
        "--taskPollIntervalMs=200");
  }

  /**
   * Options that run an example here writing to {@code azfs://}: {@link #runnerArgs}, the driver's
   * own storage credentials (tasks get a grant instead), node JVMs that start fast, and no progress
   * lines.
   */
  public List<String> exampleArgs() {
    List<String> args = new ArrayList<>(runnerArgs());
    args.addAll(driverAzfsArgs());
    args.add("--workerJvmFlags=-XX:TieredStopAtLevel=1");
    args.add("--quiet");
    return args;
  }

  /**
   * Options that sign the driver's io-azure in to Azurite with the key; the runner keeps them off
   * the nodes, whose tasks use their grant.
   */
  public static List<String> driverAzfsArgs() {
    return List.of(
        "--azureConnectionString=" + Azurite.connectionString(),
        "--blobstoreClientFactoryClass=" + AzuriteBlobstoreClients.class.getName());
  }

  /** A new container in Azurite, for a pipeline's azfs:// outputs. */
  public static String newContainer(String prefix) {
    String name = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    storage().createBlobContainer(name);
    return name;
  }

  public static BlobServiceClient storage() {
    return new BlobServiceClientBuilder()
        .connectionString(Azurite.connectionString())
        .buildClient();
  }

  /** The run's base blob container (the parameters file's {@code blobContainer}). */
  public String blobContainer() {
    return blobContainer;
  }

  public BatchRestDouble batch() {
    return batch;
  }

  @Override
  public void close() {
    batch.close();
  }
}

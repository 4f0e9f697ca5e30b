package dev.redwood.runner.faults;

import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.BlobContainerItem;
import com.azure.storage.blob.models.ListBlobsOptions;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.microsoft.azure.batch.BatchClient;
import com.microsoft.azure.batch.auth.BatchSharedKeyCredentials;
import com.microsoft.azure.batch.protocol.models.CloudJob;
import com.microsoft.azure.batch.protocol.models.JobState;
import dev.redwood.runner.azure.Azurite;
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
 * The emulated Azure of the campaign's Azure runs: one Batch account (a {@link BatchRestDouble},
 * service-like delays at its default time scale) and Azurite, shared by all runs; each run gets a
 * pool of its own (two nodes of two slots, deleted at the end of the run with {@code
 * --deletePools}) so that a node made unusable in one run does not weaken the next.
 */
final class CampaignAzure implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final String ACCOUNT = "campaign";
  static final int NODES = 2;

  final BatchRestDouble batch;
  private final String key = BatchRestDouble.newKey();

  /** Staged jars are kept across runs (content-hash names): one base container per campaign. */
  final String container = "rwfc-" + UUID.randomUUID().toString().substring(0, 8);

  private final Path credentials;

  CampaignAzure(Path dir) throws IOException {
    Azurite.endpoint(); // found or started before the double
    this.batch = new BatchRestDouble(ACCOUNT, key).start();
    this.credentials = dir.resolve("credentials.json");
    Files.createDirectories(dir);
    Files.writeString(
        credentials,
        JSON.writeValueAsString(
            Map.of(
                "accounts",
                List.of(Map.of("name", ACCOUNT, "url", batch.url(), "batchAccountKey", key)),
                "storage",
                Map.of("connectionString", Azurite.connectionString()))));
    Files.setPosixFilePermissions(credentials, PosixFilePermissions.fromString("rw-------"));
  }

  static String poolId(int run) {
    return "fc-pool-" + run;
  }

  /** The runner options of run {@code run}: its own pool, in a parameters file in {@code dir}. */
  List<String> options(int run, Path dir, Path workDir) throws IOException {
    Path parameters = dir.resolve("parameters.json");
    Files.writeString(
        parameters,
        JSON.writeValueAsString(
            Map.of(
                "blobContainer",
                container,
                "pools",
                List.of(
                    Map.of(
                        "id",
                        poolId(run),
                        "account",
                        ACCOUNT,
                        "vmSize",
                        "Standard_D2s_v5",
                        "dedicatedNodes",
                        NODES,
                        "taskSlotsPerNode",
                        2)))));
    return List.of(
        "--runner=AzureBatchRunner",
        "--backend=AZURE",
        "--parametersFile=" + parameters,
        "--credentialsFile=" + credentials,
        "--localWorkDir=" + workDir,
        "--taskPollIntervalMs=200",
        "--deletePools",
        "--workerJvmFlags=-XX:TieredStopAtLevel=1,-XX:+UseSerialGC");
  }

  /** The account's jobs that are still active. */
  List<String> activeJobs() throws IOException {
    BatchClient client = BatchClient.open(new BatchSharedKeyCredentials(batch.url(), ACCOUNT, key));
    List<String> active = new ArrayList<>();
    for (CloudJob job : client.jobOperations().listJobs()) {
      if (job.state() == JobState.ACTIVE) {
        active.add(job.id());
      }
    }
    return active;
  }

  /**
   * What runs left in storage: job containers ({@code <base>-<job>}, not the task-log container
   * that outlives runs on purpose) and resume markers under {@code runs/} of the base container.
   */
  List<String> objectsLeft() {
    BlobServiceClient storage =
        new BlobServiceClientBuilder().connectionString(Azurite.connectionString()).buildClient();
    List<String> left = new ArrayList<>();
    for (BlobContainerItem c : storage.listBlobContainers()) {
      String name = c.getName();
      if (name.startsWith(container + "-") && !name.equals(container + "-logs")) {
        left.add("container " + name);
      }
    }
    if (storage.getBlobContainerClient(container).exists()) {
      storage
          .getBlobContainerClient(container)
          .listBlobs(new ListBlobsOptions().setPrefix("runs/"), null)
          .forEach(b -> left.add("blob " + container + "/" + b.getName()));
    }
    return left;
  }

  /** Deletes what {@link #objectsLeft} found, so that the next run is judged on its own. */
  void deleteObjectsLeft() {
    BlobServiceClient storage =
        new BlobServiceClientBuilder().connectionString(Azurite.connectionString()).buildClient();
    for (BlobContainerItem c : storage.listBlobContainers()) {
      String name = c.getName();
      if (name.startsWith(container + "-") && !name.equals(container + "-logs")) {
        storage.getBlobContainerClient(name).deleteIfExists();
      }
    }
    if (storage.getBlobContainerClient(container).exists()) {
      storage
          .getBlobContainerClient(container)
          .listBlobs(new ListBlobsOptions().setPrefix("runs/"), null)
          .forEach(
              b -> storage.getBlobContainerClient(container).getBlobClient(b.getName()).delete());
    }
  }

  @Override
  public void close() {
    batch.close();
  }
}

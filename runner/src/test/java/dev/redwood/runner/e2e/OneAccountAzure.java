package dev.redwood.runner.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.microsoft.azure.batch.BatchClient;
import com.microsoft.azure.batch.auth.BatchSharedKeyCredentials;
import com.microsoft.azure.batch.protocol.models.CloudJob;
import com.microsoft.azure.batch.protocol.models.JobState;
import dev.redwood.runner.azure.Azurite;
import dev.redwood.runner.batch.azure.restdouble.BatchRestDouble;
import dev.redwood.runner.batch.azure.restdouble.RecordedRequest;
import dev.redwood.runner.portable.LocalJobServer;
import dev.redwood.runner.portable.RedwoodJobServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * One Batch account (a {@link BatchRestDouble}) and Azurite, and the files and options a pipeline
 * needs to run there: for end-to-end tests of how runs meet Azure's limits and troubles.
 */
final class OneAccountAzure implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  final String account;
  final BatchRestDouble batch;
  private final String key = BatchRestDouble.newKey();

  /** Staged jars are kept across runs (content-hash names): one base container per fixture. */
  private final String container;

  OneAccountAzure(String account) throws IOException {
    this.account = account;
    this.container = "rw" + account + "-" + UUID.randomUUID().toString().substring(0, 8);
    this.batch = new BatchRestDouble(account, key).start();
  }

  /** A pool entry of the structured parameters file, with {@code extra} keys. */
  Map<String, Object> pool(String id, String vmSize, int nodes, int slots, Object... extra) {
    Map<String, Object> pool = new LinkedHashMap<>();
    pool.put("id", id);
    pool.put("account", account);
    pool.put("vmSize", vmSize);
    pool.put("dedicatedNodes", nodes);
    pool.put("taskSlotsPerNode", slots);
    for (int i = 0; i < extra.length; i += 2) {
      pool.put((String) extra[i], extra[i + 1]);
    }
    return pool;
  }

  /** Writes a parameters file with {@code pools} and {@code extra} top-level keys. */
  Path parameters(Path dir, List<Map<String, Object>> pools, Map<String, Object> extra)
      throws IOException {
    Map<String, Object> params = new LinkedHashMap<>();
    params.put("blobContainer", container);
    params.put("pools", pools);
    params.putAll(extra);
    Path file = dir.resolve("parameters.json");
    Files.writeString(file, JSON.writeValueAsString(params));
    return file;
  }

  /** A pipeline on this account with storage on Azurite through its connection string. */
  Pipeline pipeline(Path dir, Path parameters, String... extra) throws IOException {
    return pipeline(dir, parameters, Map.of("connectionString", Azurite.connectionString()), extra);
  }

  /** A pipeline on this account with {@code storage} as the credentials file's storage entry. */
  Pipeline pipeline(Path dir, Path parameters, Map<String, Object> storage, String... extra)
      throws IOException {
    List<String> args = args(dir, parameters, storage, extra);
    batch.clearRequests();
    return Pipeline.create(PipelineOptionsFactory.fromArgs(args.toArray(new String[0])).create());
  }

  /**
   * The options of a pipeline on this account (storage on Azurite), for a driver in another JVM;
   * writes the credentials file they name.
   */
  List<String> args(Path dir, Path parameters, String... extra) throws IOException {
    return args(dir, parameters, Map.of("connectionString", Azurite.connectionString()), extra);
  }

  private List<String> args(Path dir, Path parameters, Map<String, Object> storage, String... extra)
      throws IOException {
    Path credentials = dir.resolve("credentials.json");
    Files.writeString(
        credentials,
        JSON.writeValueAsString(
            Map.of(
                "accounts",
                List.of(Map.of("name", account, "url", batch.url(), "batchAccountKey", key)),
                "storage",
                storage)));
    Files.setPosixFilePermissions(credentials, PosixFilePermissions.fromString("rw-------"));
    List<String> args =
        new ArrayList<>(
            List.of(
                "--runner=AzureBatchRunner",
                "--backend=AZURE",
                "--parametersFile=" + parameters,
                "--credentialsFile=" + credentials,
                "--localWorkDir=" + dir.resolve("redwood"),
                "--taskPollIntervalMs=200",
                // Short tasks on a 2-core machine: quick JIT and one GC thread.
                "--workerJvmFlags=-XX:TieredStopAtLevel=1,-XX:+UseSerialGC",
                "--quiet"));
    args.addAll(List.of(extra));
    return args;
  }

  /** A Redwood job server (not yet started) whose jobs run on this account and Azurite. */
  RedwoodJobServer jobServer(Path dir, Path parameters) throws IOException {
    List<String> redwoodOptions = new ArrayList<>();
    for (String arg : args(dir, parameters)) {
      if (!arg.startsWith("--runner=")) {
        redwoodOptions.add(arg);
      }
    }
    return LocalJobServer.start(dir, redwoodOptions.toArray(String[]::new));
  }

  /** The base blob container of the parameters files this writes. */
  String container() {
    return container;
  }

  /**
   * The task processes still alive on the account's nodes, after giving processes that were just
   * stopped (a terminated job's tasks) up to 10 seconds to exit.
   */
  List<ProcessHandle> liveProcessesAfterAWhile() throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    List<ProcessHandle> live = batch.liveProcesses();
    while (!live.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(200);
      live = batch.liveProcesses();
    }
    return live;
  }

  /** A client of the account, as a user's own tools would have. */
  BatchClient client() {
    return BatchClient.open(new BatchSharedKeyCredentials(batch.url(), account, key));
  }

  /** Ids of the account's jobs that are still active. */
  List<String> activeJobs() throws IOException {
    List<String> active = new ArrayList<>();
    for (CloudJob job : client().jobOperations().listJobs()) {
      if (job.state() == JobState.ACTIVE) {
        active.add(job.id());
      }
    }
    return active;
  }

  /** Bodies of the jobs created since the pipeline was made. */
  List<JsonNode> jobsCreated() {
    List<JsonNode> jobs = new ArrayList<>();
    for (RecordedRequest r : batch.requests()) {
      if (r.method().equals("POST") && r.path().equals("/jobs") && r.status() == 201) {
        jobs.add(r.bodyJson());
      }
    }
    return jobs;
  }

  /** The tasks added since the pipeline was made, as sent. */
  List<JsonNode> tasksAdded() {
    List<JsonNode> tasks = new ArrayList<>();
    for (RecordedRequest r : batch.requests()) {
      if (r.method().equals("POST") && r.path().endsWith("/addtaskcollection")) {
        r.bodyJson().path("value").forEach(tasks::add);
      }
    }
    return tasks;
  }

  @Override
  public void close() {
    batch.close();
  }
}

package dev.redwood.runner.driver;

import dev.redwood.runner.batch.LocalBatchService;
import dev.redwood.runner.batch.azure.AzureBatchService;
import dev.redwood.runner.config.AzureConfig;
import dev.redwood.runner.config.AzureConfigReader;
import dev.redwood.runner.config.PoolConfig;
import dev.redwood.runner.options.AzureBatchPipelineOptions;
import dev.redwood.runner.options.DurationOptions;
import dev.redwood.runner.options.ExplicitOptions;
import dev.redwood.runner.options.PlanSizing;
import dev.redwood.runner.storage.AzureBlobStore;
import dev.redwood.runner.storage.BlobStore;
import dev.redwood.runner.storage.LocalBlobStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Sets up the backend a run's options ask for: local nodes and a directory, or Azure. */
final class Backends {
  /** JVM flags of task JVMs: what Beam and the Azure SDKs need on Java 17. */
  static final List<String> NODE_JVM_FLAGS =
      List.of(
          "--add-opens=java.base/java.util=ALL-UNNAMED",
          "--add-opens=java.base/java.lang=ALL-UNNAMED",
          "--add-opens=java.base/java.nio=ALL-UNNAMED",
          "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
          "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED");

  private Backends() {}

  static RunBackend open(AzureBatchPipelineOptions options, boolean inProcessByDefault)
      throws IOException {
    return switch (options.getBackend()) {
      case LOCAL -> local(options, inProcessByDefault);
      case AZURE -> {
        AzureBatchService.requireJvmFlags();
        yield azure(options, AzureConfigReader.read(options));
      }
    };
  }

  static RunBackend local(AzureBatchPipelineOptions options, boolean inProcessByDefault)
      throws IOException {
    if (options.isTasksUseDocker()) {
      String why = localDockerProblem();
      if (why != null) {
        throw new IllegalArgumentException(
            "Tasks start Docker containers (--tasksUseDocker, which the job server sets for"
                + " DOCKER SDK environments), but the local backend's nodes cannot use Docker on"
                + " this machine: "
                + why
                + ". Start Docker, or use --backend=AZURE with pools whose image has a container"
                + " runtime");
      }
    }
    boolean inProcess =
        options.getInProcessNodes() != null ? options.getInProcessNodes() : inProcessByDefault;
    Path workDir = workDir(options);
    int nodes = options.getLocalNodes();
    int slotsPerNode = PlanSizing.localSlotsPerNode(options, inProcess);
    BlobStore store = new LocalBlobStore(Files.createDirectories(workDir.resolve("store")));
    return new RunBackend(
        store,
        PlanSizing.localNodes(options, inProcess),
        inProcess ? null : workDir.resolve("staging-tmp"),
        () ->
            new LocalBatchService(
                new LocalBatchService.Config(
                    store,
                    workDir,
                    nodes,
                    slotsPerNode,
                    inProcess,
                    options.getNodeHeapMb(),
                    workerJvmFlags(options),
                    options.getReuseNodes())),
        nodes + (inProcess ? " in-process" : "") + " local nodes x " + slotsPerNode + " slots",
        false,
        "redwood",
        options.getMaxTaskRetries(),
        Map.of());
  }

  static RunBackend azure(AzureBatchPipelineOptions options, AzureConfig config) {
    if (options.isTasksUseDocker()) {
      for (PoolConfig pool : config.pools()) {
        String why = pool.whyTasksCannotUseDocker();
        if (why != null) {
          throw new IllegalArgumentException(
              "Tasks start Docker containers (--tasksUseDocker, which the job server sets for"
                  + " DOCKER SDK environments), but pool \""
                  + pool.poolId()
                  + "\" of "
                  + options.getParametersFile()
                  + " "
                  + why);
        }
      }
    }
    BlobStore store = AzureBlobStore.forDriver(config.storage(), config.blobContainer());
    int slots = 0;
    StringBuilder pools = new StringBuilder();
    Map<String, String> vmSizes = new LinkedHashMap<>();
    for (PoolConfig pool : config.pools()) {
      slots += pool.targetSlots();
      vmSizes.put(pool.poolId(), pool.vmSize());
      pools
          .append(pools.length() == 0 ? "" : ", ")
          .append(pool.account())
          .append('/')
          .append(pool.poolId());
    }
    return new RunBackend(
        store,
        PlanSizing.pools(options, slots),
        workDir(options).resolve("staging-tmp"),
        () ->
            AzureBatchService.open(
                config,
                store,
                workerJvmFlags(options),
                options.isDeletePools(),
                Duration.ofMillis(options.getTaskPollIntervalMs()),
                DurationOptions.parse("taskLogRetention", options.getTaskLogRetention()),
                options.isTasksUseDocker()),
        config.pools().size() + " Batch pools (" + pools + "), " + slots + " task slots",
        true,
        config.jobIdPrefix(),
        taskRetries(options, config),
        vmSizes);
  }

  /**
   * The driver's retries of a failed task: {@code _NUM_RETRYS} when the parameters file gives it
   * (AzureClusterlessHPC users set it there), else {@code --maxTaskRetries}. Both given and
   * different is a mistake the user must settle, not one that one of them silently wins.
   */
  static int taskRetries(AzureBatchPipelineOptions options, AzureConfig config) {
    Integer fromFile = config.taskRetries();
    if (fromFile == null) {
      return options.getMaxTaskRetries();
    }
    if (ExplicitOptions.isSet(options, "maxTaskRetries")
        && options.getMaxTaskRetries() != fromFile) {
      throw new IllegalArgumentException(
          "--maxTaskRetries="
              + options.getMaxTaskRetries()
              + " and the parameters file's _NUM_RETRYS (taskRetries) = "
              + fromFile
              + " disagree about how often a failed task is retried; give one of them, or the"
              + " same value in both");
    }
    return fromFile;
  }

  static List<String> workerJvmFlags(AzureBatchPipelineOptions options) {
    List<String> flags = new ArrayList<>(NODE_JVM_FLAGS);
    flags.addAll(options.getWorkerJvmFlags());
    return flags;
  }

  /** Why this machine's Docker cannot start containers (no CLI, no daemon), or null. */
  private static String localDockerProblem() {
    try {
      Process docker =
          new ProcessBuilder("docker", "version", "--format", "{{.Server.Version}}")
              .redirectErrorStream(true)
              .start();
      // Its few lines fit the pipe's buffer, so waiting before reading cannot block it.
      if (!docker.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
        docker.destroyForcibly();
        return "docker version did not answer within 30 s";
      }
      byte[] output = docker.getInputStream().readNBytes(4096);
      String said = new String(output, java.nio.charset.StandardCharsets.UTF_8).strip();
      return docker.exitValue() == 0 ? null : "docker version says: " + said;
    } catch (IOException e) {
      return "there is no docker command on the PATH";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted while asking docker version";
    }
  }

  /** The run's local working directory: node directories, staging scratch, reports. */
  static Path workDir(AzureBatchPipelineOptions options) {
    return options.getLocalWorkDir() != null
        ? Path.of(options.getLocalWorkDir())
        : Path.of(System.getProperty("java.io.tmpdir"), "redwood");
  }
}

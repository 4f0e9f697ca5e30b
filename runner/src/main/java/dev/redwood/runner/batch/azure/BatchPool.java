package dev.redwood.runner.batch.azure;

import com.microsoft.azure.PagedList;
import com.microsoft.azure.batch.BatchClient;
import com.microsoft.azure.batch.DetailLevel;
import com.microsoft.azure.batch.protocol.models.BatchErrorException;
import com.microsoft.azure.batch.protocol.models.CloudPool;
import com.microsoft.azure.batch.protocol.models.CloudTask;
import com.microsoft.azure.batch.protocol.models.ContainerConfiguration;
import com.microsoft.azure.batch.protocol.models.ContainerRegistry;
import com.microsoft.azure.batch.protocol.models.ContainerType;
import com.microsoft.azure.batch.protocol.models.EnvironmentSetting;
import com.microsoft.azure.batch.protocol.models.ImageReference;
import com.microsoft.azure.batch.protocol.models.JobAddParameter;
import com.microsoft.azure.batch.protocol.models.JobPreparationTask;
import com.microsoft.azure.batch.protocol.models.OnAllTasksComplete;
import com.microsoft.azure.batch.protocol.models.PoolAddParameter;
import com.microsoft.azure.batch.protocol.models.PoolInformation;
import com.microsoft.azure.batch.protocol.models.StartTask;
import com.microsoft.azure.batch.protocol.models.TaskAddCollectionResult;
import com.microsoft.azure.batch.protocol.models.TaskAddParameter;
import com.microsoft.azure.batch.protocol.models.TaskContainerSettings;
import com.microsoft.azure.batch.protocol.models.VirtualMachineConfiguration;
import dev.redwood.runner.config.BatchAccount;
import dev.redwood.runner.config.PoolConfig;
import dev.redwood.runner.config.RegistryLogin;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.joda.time.DateTime;
import org.joda.time.DateTimeZone;
import org.joda.time.Period;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pool of one Batch account as a pipeline run uses it: the pool (created, or reused when it
 * exists), the run's Batch job on it, the tasks submitted to that job and their states.
 */
final class BatchPool {
  private static final Logger LOG = LoggerFactory.getLogger(BatchPool.class);

  /** Task submissions in parallel collections of at most 100 (the SDK chunks). */
  private static final int SUBMIT_THREADS = 4;

  private final PoolConfig config;
  private final BatchAccount account;
  private final BatchClient client;
  private final BatchCalls calls;

  /** The login for the registry of the pool's container image, or null (none, or public). */
  private final RegistryLogin registry;

  private String batchJobId;
  private boolean created;
  private int taskSlotsPerNode;
  private int currentSlots;

  /** Tasks submitted to this pool and not seen completed: what occupies its slots. */
  private int inFlight;

  /** Completed tasks ended at or after this time have not all been seen yet. */
  private DateTime completedSince;

  BatchPool(PoolConfig config, BatchAccount account, BatchClient client, BatchCalls calls) {
    this(config, account, client, calls, null);
  }

  /**
   * @param registry the login Batch uses to pull the pool's container image, or null
   */
  BatchPool(
      PoolConfig config,
      BatchAccount account,
      BatchClient client,
      BatchCalls calls,
      RegistryLogin registry) {
    this.config = config;
    this.account = account;
    this.client = client;
    this.calls = calls;
    this.registry = registry;
    this.taskSlotsPerNode = config.taskSlotsPerNode();
  }

  String name() {
    return account.name() + "/" + config.poolId();
  }

  PoolConfig config() {
    return config;
  }

  String batchJobId() {
    return batchJobId;
  }

  /** Whether this run created the pool (rather than reusing one). */
  boolean created() {
    return created;
  }

  /** The registry login of the pool's container image, or null. */
  RegistryLogin registry() {
    return registry;
  }

  int taskSlotsPerNode() {
    return taskSlotsPerNode;
  }

  /** Creates the pool, or reuses it when it exists (its size is then left as it is). */
  void provision() throws IOException, InterruptedException {
    boolean exists =
        calls.call(
            "check pool " + name(), () -> client.poolOperations().existsPool(config.poolId()));
    if (exists) {
      LOG.info("Reusing Batch pool {}", name());
      refreshSlots();
      return;
    }
    VirtualMachineConfiguration vm =
        new VirtualMachineConfiguration()
            .withImageReference(
                new ImageReference()
                    .withPublisher(config.image().publisher())
                    .withOffer(config.image().offer())
                    .withSku(config.image().sku())
                    .withVersion("latest"))
            .withNodeAgentSKUId(config.image().nodeAgentSku());
    if (config.containerImage() != null) {
      // No containerImageNames: a node whose prefetch fails turns unusable and its tasks wait
      // forever, while a task whose pull fails completes with ContainerInvalidImage, which the
      // run reports at once. The registry login (the only place its password goes) serves both.
      ContainerConfiguration containers =
          new ContainerConfiguration().withType(ContainerType.DOCKER_COMPATIBLE);
      if (registry != null) {
        containers.withContainerRegistries(
            List.of(
                new ContainerRegistry()
                    .withRegistryServer(registry.registryServer())
                    .withUserName(registry.userName())
                    .withPassword(registry.password().reveal())));
      }
      vm.withContainerConfiguration(containers);
    }
    PoolAddParameter pool =
        new PoolAddParameter()
            .withId(config.poolId())
            .withDisplayName("Redwood pool " + config.poolId())
            .withVmSize(config.vmSize())
            .withVirtualMachineConfiguration(vm)
            .withTaskSlotsPerNode(config.taskSlotsPerNode())
            .withEnableInterNodeCommunication(config.interNodeCommunication());
    if (config.autoscaleFormula() != null) {
      pool.withEnableAutoScale(true)
          .withAutoScaleFormula(config.autoscaleFormula())
          .withAutoScaleEvaluationInterval(Period.minutes(5));
    } else {
      pool.withTargetDedicatedNodes(config.dedicatedNodes())
          .withTargetLowPriorityNodes(config.spotNodes());
    }
    if (config.containerImage() == null) {
      pool.withStartTask(
          new StartTask()
              .withCommandLine(NodeCommands.installJava())
              .withUserIdentity(NodeCommands.poolAdmin())
              .withMaxTaskRetryCount(2)
              .withWaitForSuccess(true));
    }
    try {
      calls.run("create pool " + name(), () -> client.poolOperations().createPool(pool));
      created = true;
      LOG.info(
          "Created Batch pool {} ({} x {}, {} spot, {} slots per node)",
          name(),
          config.dedicatedNodes(),
          config.vmSize(),
          config.spotNodes(),
          config.taskSlotsPerNode());
    } catch (IOException e) {
      if (e.getCause() instanceof BatchErrorException be
          && "PoolExists".equals(BatchCalls.code(be))) {
        LOG.info("Batch pool {} appeared meanwhile; reusing it", name());
      } else {
        throw e;
      }
    }
    refreshSlots();
  }

  /** Reads the pool's current node count: slots of nodes still allocating are not counted. */
  void refreshSlots() throws IOException, InterruptedException {
    CloudPool pool =
        calls.call(
            "read pool " + name(),
            () ->
                client
                    .poolOperations()
                    .getPool(
                        config.poolId(),
                        new DetailLevel.Builder()
                            .withSelectClause(
                                "id,currentDedicatedNodes,currentLowPriorityNodes,taskSlotsPerNode")
                            .build()));
    if (pool.taskSlotsPerNode() != null) {
      taskSlotsPerNode = pool.taskSlotsPerNode();
    }
    int nodes = nz(pool.currentDedicatedNodes()) + nz(pool.currentLowPriorityNodes());
    currentSlots = nodes * taskSlotsPerNode;
  }

  /** Slots this pool could start tasks on now, beyond the tasks already queued or running on it. */
  int freeSlots() {
    return currentSlots - inFlight;
  }

  int currentSlots() {
    return currentSlots;
  }

  /** Creates the run's job on this pool; its preparation task fetches the classpath per node. */
  void createJob(String jobId, JobPreparationTask preparation, List<EnvironmentSetting> environment)
      throws IOException, InterruptedException {
    batchJobId = BatchIds.job(jobId, config.poolId());
    completedSince = DateTime.now(DateTimeZone.UTC).minusMinutes(5);
    // The preparation task runs on the node itself (Batch allows that on container pools): it
    // only lists the downloaded jars, and the tasks' containers see its directory at the same path.
    JobAddParameter job =
        new JobAddParameter()
            .withId(batchJobId)
            .withDisplayName("Redwood " + jobId)
            .withPoolInfo(new PoolInformation().withPoolId(config.poolId()))
            .withJobPreparationTask(preparation)
            .withCommonEnvironmentSettings(environment)
            .withOnAllTasksComplete(OnAllTasksComplete.NO_ACTION);
    calls.run(
        "create job " + batchJobId + " on " + name(), () -> client.jobOperations().createJob(job));
  }

  /**
   * Submits tasks in collections of at most 100, several collections at a time. Not the SDK's
   * {@code createTasks}: with more collections than threads it can wait forever for a worker.
   */
  void submit(List<TaskAddParameter> tasks) throws IOException, InterruptedException {
    if (config.containerImage() != null) {
      for (TaskAddParameter t : tasks) {
        t.withContainerSettings(new TaskContainerSettings().withImageName(config.containerImage()));
      }
    }
    List<List<TaskAddParameter>> chunks = new ArrayList<>();
    for (int from = 0; from < tasks.size(); from += TaskCollections.MAX_TASKS) {
      chunks.add(tasks.subList(from, Math.min(tasks.size(), from + TaskCollections.MAX_TASKS)));
    }
    TaskCollections.submitAll(chunks, SUBMIT_THREADS, chunk -> addCollection(chunk));
    inFlight += tasks.size();
  }

  /** Adds one collection, retrying what the service did not take and splitting it if too large. */
  private void addCollection(List<TaskAddParameter> chunk)
      throws IOException, InterruptedException {
    List<TaskAddParameter> pending = new ArrayList<>(chunk);
    for (int round = 1; !pending.isEmpty(); round++) {
      List<TaskAddParameter> sending = pending;
      TaskAddCollectionResult result;
      try {
        result =
            calls.call(
                "add " + sending.size() + " tasks to " + name(),
                () -> client.protocolLayer().tasks().addCollection(batchJobId, sending));
      } catch (IOException e) {
        if (e.getCause() instanceof BatchErrorException be
            && "RequestBodyTooLarge".equals(BatchCalls.code(be))
            && sending.size() > 1) {
          // Long command lines or environments: send the halves separately.
          int half = sending.size() / 2;
          addCollection(new ArrayList<>(sending.subList(0, half)));
          addCollection(new ArrayList<>(sending.subList(half, sending.size())));
          return;
        }
        throw e;
      }
      pending = TaskCollections.retryable(sending, result.value(), name());
      if (!pending.isEmpty()) {
        if (round >= 8) {
          throw new IOException(pending.size() + " tasks could not be added to " + name());
        }
        Thread.sleep(Math.min(30_000L, 500L << round));
      }
    }
  }

  /**
   * Tasks running now and tasks completed since the last call (with some overlap: callers
   * de-duplicate), listed with a filter and a projection rather than read one by one.
   */
  List<CloudTask> changedTasks() throws IOException, InterruptedException {
    DateTime since = completedSince;
    String filter =
        "state eq 'running' or (state eq 'completed' and executionInfo/endTime ge datetime'"
            + since.toString()
            + "')";
    DetailLevel detail =
        new DetailLevel.Builder()
            .withFilterClause(filter)
            .withSelectClause("id,state,executionInfo,nodeInfo")
            .build();
    List<CloudTask> tasks =
        calls.call(
            "list tasks of " + batchJobId,
            () -> {
              PagedList<CloudTask> page = client.taskOperations().listTasks(batchJobId, detail);
              page.loadAll();
              return new ArrayList<>(page);
            });
    for (CloudTask t : tasks) {
      if (t.executionInfo() != null
          && t.executionInfo().endTime() != null
          && t.executionInfo().endTime().minusMinutes(2).isAfter(completedSince)) {
        // Keep a margin: tasks may complete with slightly out-of-order end times.
        completedSince = t.executionInfo().endTime().minusMinutes(2);
      }
    }
    return tasks;
  }

  /** A task of this pool completed: its slot is free again. */
  void completed() {
    inFlight = Math.max(0, inFlight - 1);
  }

  /** The last {@code maxBytes} of a file of a task (stdout.txt, stderr.txt), or "" if absent. */
  String fileTail(String taskId, String file, int maxBytes) throws InterruptedException {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      calls.run(
          "read " + file + " of task " + taskId,
          () -> {
            out.reset();
            client.fileOperations().getFileFromTask(batchJobId, taskId, file, out);
          });
      byte[] bytes = out.toByteArray();
      int from = Math.max(0, bytes.length - maxBytes);
      return new String(bytes, from, bytes.length - from, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  /** Ends the run's job: running tasks are stopped. Safe to call twice or on a missing job. */
  void terminateJob() throws IOException, InterruptedException {
    if (batchJobId == null) {
      return;
    }
    try {
      calls.run(
          "terminate job " + batchJobId,
          () -> client.jobOperations().terminateJob(batchJobId, "Redwood run ended"));
    } catch (IOException e) {
      if (!isOneOf(e, "JobCompleted", "JobNotFound", "JobBeingTerminated", "JobBeingDeleted")) {
        throw e;
      }
    }
  }

  void deleteJob() throws IOException, InterruptedException {
    if (batchJobId == null) {
      return;
    }
    try {
      calls.run("delete job " + batchJobId, () -> client.jobOperations().deleteJob(batchJobId));
    } catch (IOException e) {
      if (!isOneOf(e, "JobNotFound", "JobBeingDeleted")) {
        throw e;
      }
    }
  }

  void deletePool() throws IOException, InterruptedException {
    try {
      calls.run("delete pool " + name(), () -> client.poolOperations().deletePool(config.poolId()));
      LOG.info("Deleting Batch pool {}{}", name(), created ? "" : " (it existed before this run)");
    } catch (IOException e) {
      if (!isOneOf(e, "PoolNotFound", "PoolBeingDeleted")) {
        throw e;
      }
    }
  }

  private static boolean isOneOf(IOException e, String... codes) {
    if (e.getCause() instanceof BatchErrorException be) {
      String code = BatchCalls.code(be);
      for (String c : codes) {
        if (c.equals(code)) {
          return true;
        }
      }
    }
    return false;
  }

  private static int nz(Integer i) {
    return i == null ? 0 : i;
  }
}

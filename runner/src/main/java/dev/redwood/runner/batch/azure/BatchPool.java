package dev.redwood.runner.batch.azure;

import com.microsoft.azure.PagedList;
import com.microsoft.azure.batch.BatchClient;
import com.microsoft.azure.batch.DetailLevel;
import com.microsoft.azure.batch.protocol.models.BatchErrorException;
import com.microsoft.azure.batch.protocol.models.CloudJob;
import com.microsoft.azure.batch.protocol.models.CloudPool;
import com.microsoft.azure.batch.protocol.models.CloudTask;
import com.microsoft.azure.batch.protocol.models.ComputeNode;
import com.microsoft.azure.batch.protocol.models.ContainerConfiguration;
import com.microsoft.azure.batch.protocol.models.ContainerRegistry;
import com.microsoft.azure.batch.protocol.models.ContainerType;
import com.microsoft.azure.batch.protocol.models.EnvironmentSetting;
import com.microsoft.azure.batch.protocol.models.ImageReference;
import com.microsoft.azure.batch.protocol.models.JobAddParameter;
import com.microsoft.azure.batch.protocol.models.JobConstraints;
import com.microsoft.azure.batch.protocol.models.JobPatchParameter;
import com.microsoft.azure.batch.protocol.models.JobPreparationAndReleaseTaskExecutionInformation;
import com.microsoft.azure.batch.protocol.models.JobPreparationTask;
import com.microsoft.azure.batch.protocol.models.MetadataItem;
import com.microsoft.azure.batch.protocol.models.OnAllTasksComplete;
import com.microsoft.azure.batch.protocol.models.PoolAddParameter;
import com.microsoft.azure.batch.protocol.models.PoolInformation;
import com.microsoft.azure.batch.protocol.models.PoolState;
import com.microsoft.azure.batch.protocol.models.StartTask;
import com.microsoft.azure.batch.protocol.models.TaskAddCollectionResult;
import com.microsoft.azure.batch.protocol.models.TaskAddParameter;
import com.microsoft.azure.batch.protocol.models.TaskContainerSettings;
import com.microsoft.azure.batch.protocol.models.VirtualMachineConfiguration;
import dev.redwood.runner.batch.JobSpec;
import dev.redwood.runner.config.BatchAccount;
import dev.redwood.runner.config.PoolConfig;
import dev.redwood.runner.config.RegistryLogin;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.joda.time.DateTime;
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

  // Volatile: a shutdown hook and the heartbeat thread read them while the driver runs.
  private volatile String batchJobId;
  private volatile String runId;
  private boolean created;
  private volatile boolean abandoned;
  private int taskSlotsPerNode;
  private int currentSlots;

  /** Tasks submitted to this pool and not seen completed: what occupies its slots. */
  private int inFlight;

  /** The latest state change of the job's tasks seen (the service's clock), or null. */
  private DateTime latestChange;

  /** Task polls of the job so far. */
  private long polls;

  /** How many poll intervals before the latest change a poll looks. */
  static final int LOOK_BACK_POLLS = 2;

  /** Every this many polls, one looks back {@link #CATCH_UP_POLLS} intervals. */
  static final int CATCH_UP_EVERY = 12;

  static final int CATCH_UP_POLLS = 60;

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
  /** The registry login of the pool's container image, or null. */
  RegistryLogin registry() {
    return registry;
  }

  int taskSlotsPerNode() {
    return taskSlotsPerNode;
  }

  /** How long a run waits for a pool of the same id to finish deleting before creating it anew. */
  static final Duration DELETION_WAIT = Duration.ofMinutes(30);

  /**
   * Creates the pool, or reuses it when it exists and matches the configuration (its size is then
   * left as it is). A pool still being deleted is waited for, then created afresh.
   */
  void provision() throws IOException, InterruptedException {
    CloudPool existing = existingPool();
    if (existing != null && existing.state() == PoolState.DELETING) {
      waitForDeletion();
      existing = null;
    }
    if (existing != null) {
      List<String> differences = PoolConfigKeys.differences(config, existing);
      if (!differences.isEmpty()) {
        throw new IllegalArgumentException(
            "Batch pool "
                + name()
                + " exists but does not match the configuration: "
                + String.join("; ", differences)
                + ". Delete the pool (az batch pool delete --account-name "
                + account.name()
                + " --pool-id "
                + config.poolId()
                + ") or give this pool another id in the parameters file");
      }
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
    // Container pools too: the job preparation fetches the classpath with the host's Java.
    StartTask startTask =
        new StartTask()
            .withCommandLine(NodeCommands.startTask(config.startTaskCommand() != null))
            .withUserIdentity(NodeCommands.poolAdmin())
            .withMaxTaskRetryCount(2)
            .withWaitForSuccess(true);
    if (config.startTaskCommand() != null) {
      // In a variable, not on the command line: the user's quotes need no escaping there.
      startTask.withEnvironmentSettings(
          List.of(
              new EnvironmentSetting()
                  .withName(NodeCommands.USER_SETUP_VARIABLE)
                  .withValue(config.startTaskCommand())));
    }
    pool.withStartTask(startTask);
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
      } else if (e.getCause() instanceof BatchErrorException be && isClientError(be)) {
        throw new IllegalArgumentException(
            "Batch refused to create pool "
                + name()
                + PoolConfigKeys.keyAtFault(be)
                + ": "
                + BatchCalls.describe(be),
            e);
      } else {
        throw e;
      }
    }
    refreshSlots();
  }

  private CloudPool existingPool() throws IOException, InterruptedException {
    try {
      return readPool("id,state,vmSize,taskSlotsPerNode,virtualMachineConfiguration");
    } catch (IOException e) {
      if (isOneOf(e, "PoolNotFound")) {
        return null;
      }
      throw e;
    }
  }

  private void waitForDeletion() throws IOException, InterruptedException {
    long start = System.nanoTime();
    long lastLog = 0;
    while (true) {
      CloudPool p = existingPool();
      if (p == null) {
        return;
      }
      long waited = System.nanoTime() - start;
      if (waited > DELETION_WAIT.toNanos()) {
        throw new IOException(
            "Batch pool "
                + name()
                + " is still being deleted after "
                + DELETION_WAIT.toMinutes()
                + " minutes; give the pool another id or try again later");
      }
      if (lastLog == 0 || System.nanoTime() - lastLog > Duration.ofMinutes(1).toNanos()) {
        LOG.info(
            "Waiting for Batch pool {} to finish deleting before creating it again ({} s so far,"
                + " at most {} min)",
            name(),
            waited / 1_000_000_000L,
            DELETION_WAIT.toMinutes());
        lastLog = System.nanoTime();
      }
      Thread.sleep(1000);
    }
  }

  private static boolean isClientError(BatchErrorException e) {
    int status = e.response() != null ? e.response().code() : 0;
    return status >= 400 && status < 500 && status != 408 && status != 429;
  }

  /** Whether this run created the pool (and so may delete it when it gives the pool up). */
  boolean createdByRun() {
    return created;
  }

  /**
   * The pool's health: one pool read, one node list, one job preparation status list. Also
   * refreshes the pool's current slots.
   */
  PoolHealth health() throws IOException, InterruptedException {
    CloudPool pool =
        readPool(
            "id,state,allocationState,resizeErrors,enableAutoScale,autoScaleRun,"
                + "currentDedicatedNodes,currentLowPriorityNodes,taskSlotsPerNode");
    List<ComputeNode> nodes =
        calls.call(
            "list nodes of " + name(),
            () -> {
              PagedList<ComputeNode> page =
                  client
                      .computeNodeOperations()
                      .listComputeNodes(
                          config.poolId(),
                          new DetailLevel.Builder()
                              .withSelectClause("id,state,startTaskInfo")
                              .build());
              page.loadAll();
              return new ArrayList<>(page);
            });
    List<JobPreparationAndReleaseTaskExecutionInformation> preps = List.of();
    if (batchJobId != null) {
      preps =
          listAll(
              "list job preparation status of " + batchJobId,
              () -> client.jobOperations().listPreparationAndReleaseTaskStatus(batchJobId));
    }
    updateSlots(pool);
    return new PoolHealth(name(), pool, nodes, preps);
  }

  /** The last {@code maxBytes} of a file on a node ({@code startup/stderr.txt}), or "". */
  String nodeFileTail(String nodeId, String file, int maxBytes) throws InterruptedException {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      calls.run(
          "read " + file + " of node " + nodeId,
          () -> {
            out.reset();
            client.fileOperations().getFileFromComputeNode(config.poolId(), nodeId, file, out);
          });
      return tail(out.toByteArray(), maxBytes);
    } catch (IOException e) {
      return "";
    }
  }

  /**
   * Gives the pool up for this run: its job is terminated and deleted, and it gets no more tasks.
   */
  void abandon() throws IOException, InterruptedException {
    terminateJob();
    deleteJob();
    abandoned = true;
    inFlight = 0;
    currentSlots = 0;
  }

  boolean abandoned() {
    return abandoned;
  }

  /** Reads the pool's current node count: slots of nodes still allocating are not counted. */
  void refreshSlots() throws IOException, InterruptedException {
    CloudPool pool = readPool("id,currentDedicatedNodes,currentLowPriorityNodes,taskSlotsPerNode");
    updateSlots(pool);
  }

  private void updateSlots(CloudPool pool) {
    if (pool.taskSlotsPerNode() != null) {
      taskSlotsPerNode = pool.taskSlotsPerNode();
    }
    int nodes = nz(pool.currentDedicatedNodes()) + nz(pool.currentLowPriorityNodes());
    currentSlots = abandoned ? 0 : nodes * taskSlotsPerNode;
  }

  /**
   * Slots this pool could start tasks on now, beyond the tasks already queued or running on it. An
   * autoscale pool at zero nodes counts its configured size: a formula on {@code $PendingTasks}
   * scales up only when tasks wait for the pool.
   */
  int freeSlots() {
    if (abandoned) {
      return 0;
    }
    int slots =
        currentSlots == 0 && config.autoscaleFormula() != null
            ? Math.max(taskSlotsPerNode, config.targetSlots())
            : currentSlots;
    return slots - inFlight;
  }

  int currentSlots() {
    return currentSlots;
  }

  /** Tasks submitted to this pool and not seen completed. */
  int inFlight() {
    return inFlight;
  }

  /**
   * Metadata that marks a Batch job as one run's: a retried create recognises its own job, and
   * later runs recognise jobs of Redwood runs whose driver is gone ({@link AbandonedJobs}).
   */
  static final String RUN_METADATA = "redwood-run";

  /**
   * Metadata with the time (UTC, ISO-8601) the run's driver last said it is alive: set when the job
   * is created and renewed about once a minute ({@link #heartbeat}).
   */
  static final String HEARTBEAT_METADATA = "redwood-heartbeat";

  /** A heartbeat is one quick try and a retry: a missed one is renewed a minute later. */
  private static final BatchCalls HEARTBEAT_CALLS =
      new BatchCalls(2, Duration.ofMillis(500), Duration.ofMillis(500));

  /**
   * Batch ends the job this long after the run's deadline if the driver has not: a driver that is
   * gone leaks no active job and no running task beyond that.
   */
  static final Duration BATCH_DEADLINE_DELAY = Duration.ofMinutes(5);

  /**
   * Creates the run's job on this pool; its preparation task fetches the classpath per node. A
   * create whose answer was lost and that was retried meets its own job: that is accepted.
   */
  void createJob(JobSpec run, JobPreparationTask preparation, List<EnvironmentSetting> environment)
      throws IOException, InterruptedException {
    runId = run.jobId();
    batchJobId = BatchIds.job(run.batchJobId(), config.poolId());
    latestChange = null;
    polls = 0;
    // The preparation task runs on the node itself (Batch allows that on container pools): it
    // only lists the downloaded jars, and the tasks' containers see its directory at the same path.
    Duration wallClock = Duration.between(Instant.now(), run.deadline()).plus(BATCH_DEADLINE_DELAY);
    JobAddParameter job =
        new JobAddParameter()
            .withId(batchJobId)
            .withDisplayName(BatchIds.displayName(run.jobName() + " on " + name()))
            .withPoolInfo(new PoolInformation().withPoolId(config.poolId()))
            .withJobPreparationTask(preparation)
            .withCommonEnvironmentSettings(environment)
            .withConstraints(
                new JobConstraints()
                    .withMaxWallClockTime(
                        Period.seconds((int) Math.max(60, wallClock.toSeconds()))))
            .withMetadata(metadata(run.jobId(), Instant.now()))
            .withOnAllTasksComplete(OnAllTasksComplete.NO_ACTION);
    try {
      calls.run(
          "create job " + batchJobId + " on " + name(),
          () -> client.jobOperations().createJob(job));
    } catch (IOException e) {
      if (!isOneOf(e, "JobExists") || !isOwnJob(run.jobId())) {
        throw e;
      }
      LOG.info("Job {} on {} was created by an earlier try of this run", batchJobId, name());
    }
  }

  /** The run's metadata on its jobs, {@link #RUN_METADATA} first. */
  private static List<MetadataItem> metadata(String runId, Instant heartbeat) {
    return List.of(
        new MetadataItem().withName(RUN_METADATA).withValue(runId),
        new MetadataItem().withName(HEARTBEAT_METADATA).withValue(heartbeat.toString()));
  }

  /**
   * Renews the job's {@link #HEARTBEAT_METADATA} (one job PATCH; PATCH replaces the whole metadata
   * list, so the run's id goes with it). Nothing to do before the job exists or once the pool is
   * given up.
   */
  void heartbeat(Instant now) throws IOException, InterruptedException {
    String job = batchJobId;
    String run = runId;
    if (job == null || run == null || abandoned) {
      return;
    }
    JobPatchParameter patch = new JobPatchParameter().withMetadata(metadata(run, now));
    HEARTBEAT_CALLS.run(
        "renew the heartbeat of job " + job, () -> client.jobOperations().patchJob(job, patch));
  }

  /** From now on this pool's calls give up after {@code budget} (see {@link BatchCalls#hurry}). */
  void hurry(Duration budget) {
    if (calls != null) {
      calls.hurry(budget);
    }
  }

  BatchClient client() {
    return client;
  }

  BatchAccount account() {
    return account;
  }

  /** Whether the existing job {@link #batchJobId} is this run's, on this pool. */
  private boolean isOwnJob(String runId) throws IOException, InterruptedException {
    CloudJob existing =
        calls.call("read job " + batchJobId, () -> client.jobOperations().getJob(batchJobId));
    boolean samePool =
        existing.poolInfo() != null && config.poolId().equals(existing.poolInfo().poolId());
    boolean sameRun =
        existing.metadata() != null
            && existing.metadata().stream()
                .anyMatch(m -> RUN_METADATA.equals(m.name()) && runId.equals(m.value()));
    return samePool && sameRun;
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
   * Tasks that started running or completed lately: those whose state changed since shortly before
   * the latest change seen, listed with a filter and a projection. A change shows in lists a little
   * after its time and not always in order, so each poll looks back {@value #LOOK_BACK_POLLS} poll
   * intervals and every {@value #CATCH_UP_EVERY}th poll {@value #CATCH_UP_POLLS}, for a late one. A
   * task is thus listed a few times whatever the number of tasks (callers drop repeats), where
   * listing every running task each poll cost the driver in proportion to the tasks in flight.
   */
  List<CloudTask> changedTasks(java.time.Duration pollInterval)
      throws IOException, InterruptedException {
    int lookBack = ++polls % CATCH_UP_EVERY == 0 ? CATCH_UP_POLLS : LOOK_BACK_POLLS;
    String filter = "state eq 'running' or state eq 'completed'";
    if (latestChange != null) {
      filter =
          "("
              + filter
              + ") and stateTransitionTime ge datetime'"
              + latestChange.minus(pollInterval.toMillis() * lookBack)
              + "'";
    }
    DetailLevel detail =
        new DetailLevel.Builder()
            .withFilterClause(filter)
            .withSelectClause("id,state,stateTransitionTime,executionInfo,nodeInfo")
            .build();
    List<CloudTask> tasks =
        listAll(
            "list tasks of " + batchJobId,
            () -> client.taskOperations().listTasks(batchJobId, detail));
    for (CloudTask t : tasks) {
      DateTime changed = t.stateTransitionTime();
      if (changed != null && (latestChange == null || changed.isAfter(latestChange))) {
        latestChange = changed;
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
      return tail(out.toByteArray(), maxBytes);
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

  /** The pool's properties {@code select} names (one projected read). */
  private CloudPool readPool(String select) throws IOException, InterruptedException {
    DetailLevel detail = new DetailLevel.Builder().withSelectClause(select).build();
    return calls.call(
        "read pool " + name(), () -> client.poolOperations().getPool(config.poolId(), detail));
  }

  /** Every item of a paged list call. */
  private <T> List<T> listAll(String what, BatchCalls.Call<PagedList<T>> list)
      throws IOException, InterruptedException {
    return calls.call(
        what,
        () -> {
          PagedList<T> page = list.run();
          page.loadAll();
          return new ArrayList<>(page);
        });
  }

  private static String tail(byte[] bytes, int maxBytes) {
    int from = Math.max(0, bytes.length - maxBytes);
    return new String(bytes, from, bytes.length - from, StandardCharsets.UTF_8);
  }

  static boolean isOneOf(IOException e, String... codes) {
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

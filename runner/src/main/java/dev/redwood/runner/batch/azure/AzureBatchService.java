package dev.redwood.runner.batch.azure;

import com.azure.core.credential.TokenCredential;
import com.azure.identity.ClientSecretCredentialBuilder;
import com.azure.identity.DefaultAzureCredentialBuilder;
import com.microsoft.azure.batch.BatchClient;
import com.microsoft.azure.batch.auth.BatchCredentials;
import com.microsoft.azure.batch.auth.BatchSharedKeyCredentials;
import com.microsoft.azure.batch.protocol.models.CloudTask;
import com.microsoft.azure.batch.protocol.models.EnvironmentSetting;
import com.microsoft.azure.batch.protocol.models.JobPreparationTask;
import com.microsoft.azure.batch.protocol.models.ResourceFile;
import com.microsoft.azure.batch.protocol.models.TaskAddParameter;
import com.microsoft.azure.batch.protocol.models.TaskConstraints;
import com.microsoft.azure.batch.protocol.models.TaskExecutionInformation;
import com.microsoft.azure.batch.protocol.models.TaskFailureInformation;
import com.microsoft.azure.batch.protocol.models.TaskState;
import dev.redwood.runner.batch.BatchJob;
import dev.redwood.runner.batch.BatchService;
import dev.redwood.runner.batch.JobSpec;
import dev.redwood.runner.batch.TaskEvent;
import dev.redwood.runner.batch.TaskSpec;
import dev.redwood.runner.config.AzureConfig;
import dev.redwood.runner.config.BatchAccount;
import dev.redwood.runner.config.BatchAuth;
import dev.redwood.runner.config.PoolConfig;
import dev.redwood.runner.storage.BlobStore;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Batch seam on Azure Batch, through the track-1 SDK ({@code azure-batch} 11.2.0); moving to a
 * newer Batch SDK replaces this package only.
 *
 * <p>A pipeline run gets one Batch job per pool, over one or more pools in one or more Batch
 * accounts (regions). Tasks wait in a queue here and go to the pool with the most free task slots,
 * a few at a time beyond its slots so that nodes never idle between polls; a pool that is slow,
 * small or still allocating nodes therefore takes few tasks and holds no stage back. Each node's
 * job preparation task brings the staged classpath into the node's jar cache once per job,
 * downloading only the jars the node does not hold yet ({@link ClasspathManifest}); a pool's start
 * task installs a Java runtime if the image has none (or the pool runs a container image).
 *
 * <p>Task states are polled with one filtered, projected list call per pool and job, never one
 * request per task. The driver retries failed tasks under new attempt numbers and is the only layer
 * that does: Batch runs each attempt once, though it requeues the tasks of preempted spot nodes;
 * write-once objects and the commit protocol make all of these safe. Jobs are terminated at the
 * end, on failure and on cancel, so no active job is leaked. Every task uploads its stdout and
 * stderr to blob storage when it exits, where they outlive the job ({@link TaskLogs}). A service
 * runs one pipeline's job.
 *
 * <p>While the run is active, a daemon thread renews the {@link BatchPool#HEARTBEAT_METADATA} of
 * its jobs about once a minute, so that a later run can tell when this driver is gone without
 * ending them; each run starts by ending such jobs of other runs ({@link AbandonedJobs}).
 */
public final class AzureBatchService implements BatchService {
  private static final Logger LOG = LoggerFactory.getLogger(AzureBatchService.class);

  private static final int LOG_TAIL_BYTES = 2048;

  /** Pool sizes are re-read at most this often while tasks wait for slots. */
  private static final Duration SLOT_REFRESH = Duration.ofSeconds(30);

  /**
   * System property (an ISO-8601 duration) that replaces {@link #HEARTBEAT_INTERVAL}: for tests.
   */
  static final String HEARTBEAT_INTERVAL_PROPERTY = "redwood.azure.heartbeatInterval";

  /** How often the driver renews its jobs' heartbeat: one job PATCH per pool per interval. */
  static final Duration HEARTBEAT_INTERVAL = Duration.ofMinutes(1);

  private final List<BatchPool> pools;
  private final BlobStore store;
  private final List<String> workerJvmFlags;
  private final Map<String, String> taskEnvironment;
  private final boolean deletePools;
  private final PollCadence cadence;
  private final Duration taskLogRetention;

  /** Tasks run as the pool's admin auto-user, who may use the node's Docker (--tasksUseDocker). */
  private final boolean tasksUseDocker;

  /** Where tasks' logs go; made with the job, whose deadline bounds the upload grants. */
  private TaskLogs taskLogs;

  private final Deque<TaskSpec> queue = new ArrayDeque<>();
  private final Map<String, BatchPool> poolOfTask = new HashMap<>();

  /** Tasks handed to a pool and not seen completed: they move on if their pool is given up. */
  private final Map<String, TaskSpec> onPools = new HashMap<>();

  private final List<PoolWatch> watches = new ArrayList<>();

  /** Pools given up, with Batch's words for why and a log tail. */
  private final Map<String, String> givenUp = new LinkedHashMap<>();

  private final Set<String> seenRunning = new HashSet<>();
  private final Set<String> seenCompleted = new HashSet<>();

  /** Pools whose nodes cannot run the run's tasks; {@link #close()} deletes those it created. */
  private final Set<BatchPool> unusable = new HashSet<>();

  private String jobId;
  private long lastPollNanos;
  private long lastSlotRefreshNanos;

  /** Not guarded by this: a shutdown hook closes the service while createJob holds the lock. */
  private final AtomicBoolean closed = new AtomicBoolean();

  /** Renews the jobs' heartbeat; started by {@link #createJob}, stopped by {@link #close()}. */
  private volatile ScheduledExecutorService heartbeat;

  /**
   * Lists the pools' tasks at the same time: pools in other regions answer after a round trip each,
   * and one after the other they would add up to more than a poll interval.
   */
  private final ExecutorService listers =
      Executors.newCachedThreadPool(
          r -> {
            Thread thread = new Thread(r, "redwood-batch-task-lists");
            thread.setDaemon(true);
            return thread;
          });

  AzureBatchService(
      List<BatchPool> pools,
      BlobStore store,
      List<String> workerJvmFlags,
      Map<String, String> taskEnvironment,
      boolean deletePools,
      Duration pollInterval,
      Duration taskLogRetention,
      boolean tasksUseDocker) {
    if (pools.isEmpty()) {
      throw new IllegalArgumentException("The Azure backend needs at least one pool");
    }
    this.pools = List.copyOf(pools);
    for (BatchPool pool : this.pools) {
      watches.add(new PoolWatch(pool));
    }
    this.store = store;
    this.workerJvmFlags = List.copyOf(workerJvmFlags);
    this.taskEnvironment = Map.copyOf(taskEnvironment);
    this.deletePools = deletePools;
    this.cadence = new PollCadence(pollInterval);
    this.taskLogRetention = taskLogRetention;
    this.tasksUseDocker = tasksUseDocker;
  }

  /** The JVM flag the Batch SDK needs on Java 17 and later. */
  public static final String REQUIRED_JVM_FLAG = "--add-opens java.base/java.util=ALL-UNNAMED";

  /**
   * Fails, naming the flag, unless this JVM lets the Batch SDK reflect into {@code java.util}:
   * azure-batch 11.2.0 validates every request model by reflection (client-runtime's {@code
   * Validator}) and, without {@link #REQUIRED_JVM_FLAG}, fails deep in the first call that carries
   * a list with an {@code InaccessibleObjectException}.
   */
  public static void requireJvmFlags() {
    if (!Object.class.getModule().isOpen("java.util", BatchClient.class.getModule())) {
      throw new IllegalStateException(
          "--backend=AZURE needs the JVM flag "
              + REQUIRED_JVM_FLAG
              + " (the Azure Batch SDK,"
              + " azure-batch 11.2.0, reflects into java.util on Java 17 and later). Add it to the"
              + " java command that runs the pipeline: java "
              + REQUIRED_JVM_FLAG
              + " -cp ...");
    }
  }

  /**
   * Opens the accounts and pools of {@code config}; nothing is created before {@link #createJob}.
   *
   * @param store where the staged classpath is; nodes get read-only URLs of its jars
   * @param workerJvmFlags flags of the task JVMs
   * @param deletePools whether {@link #close()} deletes the pools
   * @param pollInterval how often task states are listed
   * @param taskLogRetention how long tasks' stdout and stderr stay in blob storage ({@link
   *     TaskLogs}); zero: tasks upload none
   * @param tasksUseDocker whether tasks start Docker containers (DOCKER SDK environments), so run
   *     as the pool's admin auto-user
   */
  public static AzureBatchService open(
      AzureConfig config,
      BlobStore store,
      List<String> workerJvmFlags,
      boolean deletePools,
      Duration pollInterval,
      Duration taskLogRetention,
      boolean tasksUseDocker) {
    return open(
        config,
        store,
        workerJvmFlags,
        deletePools,
        account -> null,
        pollInterval,
        taskLogRetention,
        tasksUseDocker);
  }

  /**
   * @param tokenCredentials an Entra ID credential per account to use instead of the configured one
   *     (tests), or null
   */
  static AzureBatchService open(
      AzureConfig config,
      BlobStore store,
      List<String> workerJvmFlags,
      boolean deletePools,
      Function<BatchAccount, TokenCredential> tokenCredentials,
      Duration pollInterval,
      Duration taskLogRetention,
      boolean tasksUseDocker) {
    Map<String, BatchClient> clients = new LinkedHashMap<>();
    BatchCalls calls = BatchCalls.standard();
    List<BatchPool> pools = new ArrayList<>();
    for (PoolConfig pool : config.pools()) {
      BatchAccount account = config.account(pool.account());
      BatchClient client =
          clients.computeIfAbsent(
              account.name(),
              name -> BatchClient.open(credentials(account, tokenCredentials.apply(account))));
      String image = pool.containerImage();
      pools.add(
          new BatchPool(
              pool,
              account,
              client,
              calls,
              image == null ? null : config.registryFor(image).orElse(null)));
    }
    return new AzureBatchService(
        pools,
        store,
        workerJvmFlags,
        config.taskEnvironment(),
        deletePools,
        pollInterval,
        taskLogRetention,
        tasksUseDocker);
  }

  private static BatchCredentials credentials(BatchAccount account, TokenCredential override) {
    String url = account.accountUrl();
    if (override != null) {
      return new BatchTokenCredentials(url, override, null);
    }
    BatchAuth auth = account.auth();
    if (auth instanceof BatchAuth.BatchSharedKey k) {
      return new BatchSharedKeyCredentials(url, k.accountName(), k.key().reveal());
    }
    if (auth instanceof BatchAuth.ServicePrincipal sp) {
      TokenCredential credential =
          new ClientSecretCredentialBuilder()
              .tenantId(sp.tenantId())
              .clientId(sp.clientId())
              .clientSecret(sp.clientSecret().reveal())
              .build();
      return new BatchTokenCredentials(url, credential, sp.resource());
    }
    return new BatchTokenCredentials(url, new DefaultAzureCredentialBuilder().build(), null);
  }

  @Override
  public synchronized BatchJob createJob(JobSpec job) throws IOException {
    if (jobId != null) {
      throw new IllegalStateException(
          "This service runs job " + jobId + " and cannot create " + job.jobId());
    }
    if (closed.get()) {
      throw new IllegalStateException("The Batch service was closed: the run was stopped");
    }
    this.jobId = job.jobId();
    this.taskLogs = new TaskLogs(store, taskLogRetention, job.grantValidity(), Clock.systemUTC());
    try {
      endAbandonedJobs(job);
      startHeartbeat();
      // Valid as long as the run: nodes that join late still need the classpath.
      List<ResourceFile> classpath =
          ClasspathManifest.stage(store, job.jobId(), job.classpathBlobKeys(), job.grantValidity());
      Map<String, String> environment = new TreeMap<>(taskEnvironment);
      environment.putAll(job.environment());
      List<EnvironmentSetting> settings = new ArrayList<>();
      environment.forEach(
          (k, v) -> settings.add(new EnvironmentSetting().withName(k).withValue(v)));
      for (BatchPool pool : pools) {
        pool.provision();
        pool.createJob(
            job,
            new JobPreparationTask()
                .withId("redwood-classpath")
                .withCommandLine(NodeCommands.prepareClasspath())
                .withResourceFiles(classpath)
                .withWaitForSuccess(true)
                .withRerunOnNodeRebootAfterSuccess(false),
            settings);
        if (closed.get()) {
          // close() ran meanwhile and may have passed this pool before its job existed.
          pool.terminateJob();
          pool.deleteJob();
          throw new IOException("The run was stopped while creating job " + job.jobId());
        }
      }
      lastSlotRefreshNanos = System.nanoTime();
      LOG.info("Job {} runs on {} pools: {}", job.jobId(), pools.size(), describePools());
      return new AzureJob();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("Interrupted while creating job " + job.jobId(), e);
    }
  }

  /** Ends the jobs of other runs whose driver is gone, on each account this run uses. */
  private void endAbandonedJobs(JobSpec job) throws InterruptedException {
    Duration staleAfter = AbandonedJobs.staleAfter();
    Set<String> own = new HashSet<>();
    for (BatchPool pool : pools) {
      own.add(BatchIds.job(job.batchJobId(), pool.config().poolId()));
    }
    Set<String> accounts = new HashSet<>();
    for (BatchPool pool : pools) {
      if (accounts.add(pool.account().name())) {
        AbandonedJobs.endOnAccount(
            pool.client(),
            pool.account().name(),
            BatchCalls.standard(),
            job.jobId(),
            own,
            staleAfter,
            Instant.now());
      }
    }
  }

  private void startHeartbeat() {
    Duration every = heartbeatInterval();
    heartbeat =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "redwood-batch-heartbeat");
              t.setDaemon(true); // a driver JVM that is gone must stop renewing
              return t;
            });
    heartbeat.scheduleWithFixedDelay(
        this::renewHeartbeats, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    if (closed.get()) {
      heartbeat.shutdownNow(); // close() ran before there was a thread to stop
    }
  }

  private void renewHeartbeats() {
    for (BatchPool pool : pools) {
      if (closed.get()) {
        return;
      }
      try {
        pool.heartbeat(Instant.now());
      } catch (IOException e) {
        if (BatchPool.isOneOf(
            e, "JobCompleted", "JobNotFound", "JobBeingTerminated", "JobBeingDeleted")) {
          // Ended meanwhile (the run's end, or a pool given up): nothing left to keep alive.
          LOG.debug("No heartbeat for job {}: {}", pool.batchJobId(), e.getMessage());
          continue;
        }
        warnHeartbeat(pool, e);
      } catch (RuntimeException e) {
        warnHeartbeat(pool, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private static void warnHeartbeat(BatchPool pool, Exception e) {
    LOG.warn(
        "Could not renew the heartbeat of job {} on {} (a later run ends a job silent for {} s):"
            + " {}",
        pool.batchJobId(),
        pool.name(),
        AbandonedJobs.staleAfter().toSeconds(),
        e.getMessage());
  }

  private static Duration heartbeatInterval() {
    return AbandonedJobs.durationProperty(HEARTBEAT_INTERVAL_PROPERTY, HEARTBEAT_INTERVAL);
  }

  /** The job of this service: its calls are the service's. */
  private final class AzureJob implements BatchJob {
    @Override
    public String jobId() {
      return jobId;
    }

    @Override
    public void addTasks(List<TaskSpec> tasks) throws IOException {
      AzureBatchService.this.addTasks(tasks);
    }

    @Override
    public List<TaskEvent> pollTaskEvents(Duration maxWait)
        throws IOException, InterruptedException {
      return AzureBatchService.this.pollTaskEvents(maxWait);
    }

    @Override
    public String taskLogTail(String taskId, int maxBytes) throws IOException {
      return AzureBatchService.this.taskLogTail(taskId, maxBytes);
    }

    @Override
    public String taskLogLocation(String taskId) {
      BatchPool pool;
      synchronized (AzureBatchService.this) {
        pool = poolOfTask.get(taskId);
      }
      return pool == null ? null : taskLogs.location(pool.batchJobId(), taskId);
    }

    @Override
    public void terminate() throws IOException {
      terminateJob();
    }
  }

  private synchronized void addTasks(List<TaskSpec> tasks) throws IOException {
    queue.addAll(tasks);
    cadence.polled(true); // new tasks: watch closely again
    try {
      dispatch();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("Interrupted while adding tasks", e);
    }
  }

  /** Hands queued tasks to the pools with free slots, most free first. */
  private void dispatch() throws IOException, InterruptedException {
    if (queue.isEmpty()) {
      return;
    }
    if (available() <= 0 && System.nanoTime() - lastSlotRefreshNanos > SLOT_REFRESH.toNanos()) {
      for (BatchPool pool : pools) {
        pool.refreshSlots();
      }
      lastSlotRefreshNanos = System.nanoTime();
    }
    Map<BatchPool, List<TaskAddParameter>> batches = new LinkedHashMap<>();
    Map<BatchPool, Integer> taken = new HashMap<>();
    while (!queue.isEmpty()) {
      BatchPool best = null;
      int bestFree = 0;
      for (BatchPool pool : pools) {
        int free = headroom(pool) - taken.getOrDefault(pool, 0);
        if (free > bestFree) {
          best = pool;
          bestFree = free;
        }
      }
      if (best == null) {
        break;
      }
      TaskSpec task = queue.poll();
      taken.merge(best, 1, Integer::sum);
      poolOfTask.put(task.taskId(), best);
      onPools.put(task.taskId(), task);
      batches.computeIfAbsent(best, p -> new ArrayList<>()).add(toBatchTask(task, best));
    }
    for (Map.Entry<BatchPool, List<TaskAddParameter>> e : batches.entrySet()) {
      e.getKey().submit(e.getValue());
    }
  }

  /** Free slots plus a quarter of the pool's slots as queue, so nodes do not idle between polls. */
  private static int headroom(BatchPool pool) {
    return pool.freeSlots() + (pool.currentSlots() + 3) / 4;
  }

  private int available() {
    int total = 0;
    for (BatchPool pool : pools) {
      total += Math.max(0, headroom(pool));
    }
    return total;
  }

  private TaskAddParameter toBatchTask(TaskSpec task, BatchPool pool) throws IOException {
    List<EnvironmentSetting> environment = new ArrayList<>();
    task.environment()
        .forEach((k, v) -> environment.add(new EnvironmentSetting().withName(k).withValue(v)));
    return new TaskAddParameter()
        .withId(task.taskId())
        .withDisplayName(truncate(task.displayName(), 1024))
        .withCommandLine(
            NodeCommands.runJava(
                workerJvmFlags, pool.taskSlotsPerNode(), task.mainClass(), task.arguments()))
        .withEnvironmentSettings(environment)
        .withOutputFiles(
            taskLogs.kept() ? taskLogs.outputFiles(pool.batchJobId(), task.taskId()) : null)
        // The driver is the one retry layer (a new attempt number each time); Batch retries on
        // top would multiply the runs of a deterministic failure. Preempted nodes still requeue.
        .withConstraints(new TaskConstraints().withMaxTaskRetryCount(0))
        .withUserIdentity(tasksUseDocker ? NodeCommands.poolAdmin() : null);
  }

  private List<TaskEvent> pollTaskEvents(Duration maxWait)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + maxWait.toNanos();
    long next;
    synchronized (this) {
      next = lastPollNanos + cadence.interval().toNanos();
    }
    long now = System.nanoTime();
    if (next - now > 0) {
      // Polled recently: wait for the next poll if it falls within maxWait, else report nothing.
      if (next - deadline > 0) {
        Thread.sleep(Math.max(0, (deadline - now) / 1_000_000));
        return List.of();
      }
      Thread.sleep((next - now) / 1_000_000);
    }
    synchronized (this) {
      lastPollNanos = System.nanoTime();
      List<PoolWatch> polled = new ArrayList<>();
      List<Future<List<CloudTask>>> lists = new ArrayList<>();
      Duration interval = cadence.interval();
      for (PoolWatch watch : watches) {
        BatchPool pool = watch.pool();
        if (pool.batchJobId() != null && !pool.abandoned()) {
          polled.add(watch);
          lists.add(listers.submit(() -> pool.changedTasks(interval)));
        }
      }
      List<TaskEvent> events = new ArrayList<>();
      for (int i = 0; i < polled.size(); i++) {
        BatchPool pool = polled.get(i).pool();
        int before = events.size();
        for (CloudTask task : listed(lists.get(i))) {
          TaskEvent event = event(pool, task);
          if (event != null) {
            events.add(event.inPool(pool.config().poolId()));
          }
        }
        PoolHealth health =
            polled.get(i).poll(events.size() > before, pool.inFlight() > 0 || !queue.isEmpty());
        if (health != null && health.hopeless() != null) {
          giveUp(pool, health);
        }
      }
      // Pools still coming up are watched at the base interval: their health is read every few
      // polls, and what the run waits for is said at least once a minute.
      cadence.polled(!events.isEmpty() || polled.stream().anyMatch(PoolWatch::mayLackNodes));
      dispatch();
      return events;
    }
  }

  /** The tasks one pool's list returned, or the failure of the list. */
  private static List<CloudTask> listed(Future<List<CloudTask>> list)
      throws IOException, InterruptedException {
    try {
      return list.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      } else if (e.getCause() instanceof InterruptedException interrupted) {
        throw interrupted;
      } else if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new IOException(e.getCause());
    } catch (InterruptedException e) {
      list.cancel(true);
      throw e;
    }
  }

  /** The change {@code task} reports, or null if it was reported before. */
  private TaskEvent event(BatchPool pool, CloudTask task) throws ContainerPullFailure {
    String id = task.id();
    String node = task.nodeInfo() != null ? task.nodeInfo().nodeId() : null;
    if (task.state() == TaskState.RUNNING) {
      return seenRunning.add(id) && !seenCompleted.contains(id)
          ? new TaskEvent(id, TaskEvent.State.RUNNING, 0, null, node)
          : null;
    }
    if (task.state() != TaskState.COMPLETED || !seenCompleted.add(id)) {
      return null;
    }
    pool.completed();
    onPools.remove(id);
    TaskExecutionInformation info = task.executionInfo();
    Integer exitCode = info != null ? info.exitCode() : null;
    TaskFailureInformation failure = info != null ? info.failureInfo() : null;
    if (failure != null && ContainerPullFailure.CODE.equals(failure.code())) {
      unusable.add(pool);
      throw new ContainerPullFailure(pool, failure);
    }
    String why = null;
    if (failure != null && (exitCode == null || exitCode == 0)) {
      // Batch's messages may quote a URL of an output or resource file, SAS and all.
      why =
          TaskLogs.withoutSas(
              failure.code() + (failure.message() != null ? ": " + failure.message() : ""));
    }
    int code = exitCode != null ? exitCode : -1;
    if (code == 0 && why != null) {
      code = -1;
    }
    return new TaskEvent(id, TaskEvent.State.COMPLETED, code, why, node);
  }

  /**
   * Gives up a pool that can never run the job's tasks: its job ends, its tasks go back to the
   * queue for the other pools. With no pool left the run fails, with each pool's cause.
   */
  private void giveUp(BatchPool pool, PoolHealth health) throws IOException, InterruptedException {
    StringBuilder why = new StringBuilder(health.hopeless());
    for (PoolHealth.NodeFailure f : health.failedNodes()) {
      if (f.logFile() != null) {
        String tail = pool.nodeFileTail(f.nodeId(), f.logFile(), LOG_TAIL_BYTES);
        if (!tail.isBlank()) {
          why.append("\n    ")
              .append(f.logFile())
              .append(" of node ")
              .append(f.nodeId())
              .append(" ends with:\n      ")
              .append(tail.strip().replace("\n", "\n      "));
        }
        break;
      }
    }
    givenUp.put(pool.name(), why.toString());
    List<TaskSpec> back = new ArrayList<>();
    for (Map.Entry<String, BatchPool> e : poolOfTask.entrySet()) {
      if (e.getValue() == pool && onPools.containsKey(e.getKey())) {
        back.add(onPools.remove(e.getKey()));
      }
    }
    pool.abandon();
    boolean anyLeft = pools.stream().anyMatch(p -> !p.abandoned());
    LOG.warn(
        "Giving up Batch pool {} for this run: {}{}",
        pool.name(),
        health.hopeless(),
        anyLeft && !back.isEmpty() ? "; its " + back.size() + " tasks go to the other pools" : "");
    if (!anyLeft) {
      throw new IOException(noPoolLeft());
    }
    for (int i = back.size() - 1; i >= 0; i--) {
      queue.addFirst(back.get(i));
    }
  }

  private String noPoolLeft() {
    StringBuilder s = new StringBuilder("No Batch pool can run job " + jobId + ":");
    givenUp.forEach((pool, why) -> s.append("\n  ").append(pool).append(": ").append(why));
    s.append("\nWhat to do: ");
    String all = String.join(" ", givenUp.values());
    if (all.contains("QuotaReached") || all.contains("Quota")) {
      s.append(
          "ask for more vCPU quota for the VM family (Azure portal: Batch account > Quotas) or"
              + " choose a vmSize of another family; ");
    }
    if (all.contains("start task")) {
      s.append(
          "the start task installs Java on each node: check the image (it needs apt) and the log"
              + " above; ");
    }
    if (all.contains("job preparation")) {
      s.append(
          "the job preparation downloads the classpath from the storage account: check that the"
              + " pool's nodes can reach it and the log above; ");
    }
    if (all.contains("autoscale")) {
      s.append("fix the pool's autoscaleFormula; ");
    }
    if (all.contains("being deleted")) {
      s.append("wait until the pool is deleted or give the pool another id; ");
    }
    s.append("pools this run created are deleted, jobs are ended.");
    return s.toString();
  }

  private String taskLogTail(String taskId, int maxBytes) throws IOException {
    BatchPool pool;
    synchronized (this) {
      pool = poolOfTask.get(taskId);
    }
    if (pool == null) {
      return "";
    }
    try {
      String err = pool.fileTail(taskId, "stderr.txt", maxBytes / 2);
      String out = pool.fileTail(taskId, "stdout.txt", maxBytes - err.length());
      return (err.isEmpty() ? "" : "--- stderr.txt ---\n" + err)
          + (out.isEmpty() ? "" : "--- stdout.txt ---\n" + out);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  private void terminateJob() throws IOException {
    IOException first = null;
    synchronized (this) {
      queue.clear();
    }
    for (BatchPool pool : pools) {
      try {
        pool.terminateJob();
      } catch (IOException e) {
        first = first == null ? e : first;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("Interrupted while terminating job " + jobId, e);
      }
    }
    if (first != null) {
      throw first;
    }
  }

  @Override
  public synchronized int totalTaskSlots() {
    int current = 0;
    int target = 0;
    for (BatchPool pool : pools) {
      current += pool.currentSlots();
      target += pool.config().targetSlots();
    }
    return current > 0 ? current : Math.max(1, target);
  }

  /**
   * Terminates and deletes the run's jobs, and deletes the pools if asked to. Idempotent, and safe
   * from another thread while the driver still uses the service.
   */
  @Override
  public void close() throws IOException {
    release(true);
  }

  /**
   * Like {@link #close()}, but each Batch call gives up once {@code budget} has passed, and expired
   * task logs are left for the next run to delete.
   */
  @Override
  public void closeWithin(Duration budget) throws IOException {
    for (BatchPool pool : pools) {
      pool.hurry(budget);
    }
    release(false);
  }

  private void release(boolean tidyLogs) throws IOException {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    ScheduledExecutorService beats = heartbeat;
    if (beats != null) {
      beats.shutdownNow();
    }
    listers.shutdownNow();
    IOException first = null;
    for (BatchPool pool : pools) {
      try {
        pool.terminateJob();
        pool.deleteJob();
        if (deletePools || (pool.abandoned() || unusable.contains(pool)) && pool.createdByRun()) {
          pool.deletePool();
        }
      } catch (IOException e) {
        LOG.warn("Could not clean up on pool {}: {}", pool.name(), e.getMessage());
        first = first == null ? e : first;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("Interrupted while releasing the pools", e);
      }
    }
    if (tidyLogs && taskLogs != null) {
      taskLogs.deleteExpired();
    }
    if (first != null) {
      throw first;
    }
  }

  private String describePools() {
    StringBuilder s = new StringBuilder();
    for (BatchPool pool : pools) {
      if (s.length() > 0) {
        s.append(", ");
      }
      s.append(pool.name()).append(" (").append(pool.currentSlots()).append(" slots now)");
    }
    return s.toString();
  }

  private static String truncate(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max);
  }
}

package dev.redwood.runner.batch;

import dev.redwood.runner.storage.BlobStore;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local backend of {@link BatchService}: a pool ({@value #POOL_ID}) of nodes on this machine. A
 * node is a set of worker JVMs (process mode, the default) or a thread pool in this JVM (in-process
 * mode, for fast tests); either way it has a fixed number of task slots and lays out its disk and
 * environment like an Azure Batch node ({@link LocalNodeLayout}).
 *
 * <p>Scheduling: tasks wait in one FIFO queue in the order they were added (so each job's tasks
 * start in order); whenever a slot frees, the next task starts on the node with the most free
 * slots. Task state changes are queued per job for {@link BatchJob#pollTaskEvents}.
 *
 * <p>{@link #close()} also runs from a JVM shutdown hook, and node JVMs exit when their stdin
 * closes, so no node outlives the driver.
 */
public final class LocalBatchService implements BatchService {
  public static final String POOL_ID = "local";

  private static final Logger LOG = LoggerFactory.getLogger(LocalBatchService.class);

  /** What Azure Batch accepts as a job or task id. */
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  /** How often a node tries job preparation before it is left out of the job. */
  static final int PREPARATION_ATTEMPTS = 3;

  /**
   * How the local pool is made.
   *
   * @param store where the job's staged classpath is downloaded from (process mode)
   * @param workDir holds the nodes' directories ({@code workDir/nodes/<nodeId>})
   * @param nodes how many nodes
   * @param slotsPerNode how many tasks a node runs at once
   * @param inProcess run tasks on thread pools in this JVM instead of in node JVMs
   * @param nodeHeapMb {@code -Xmx} of each node JVM
   * @param jvmFlags extra flags for node JVMs (before {@code -Xmx}), e.g. {@code --add-opens ...}
   * @param reuseNodeJvms keep a job's idle node JVMs up for the next job on the same classpath
   *     ({@link WarmNodeJvms}) instead of stopping them
   */
  public record Config(
      BlobStore store,
      Path workDir,
      int nodes,
      int slotsPerNode,
      boolean inProcess,
      int nodeHeapMb,
      List<String> jvmFlags,
      boolean reuseNodeJvms) {
    public Config {
      Objects.requireNonNull(workDir, "workDir");
      if (store == null && !inProcess) {
        throw new IllegalArgumentException("Process mode needs a blob store to download from");
      }
      if (nodes < 1 || slotsPerNode < 1 || nodeHeapMb < 16) {
        throw new IllegalArgumentException(
            "Need nodes >= 1, slotsPerNode >= 1 and nodeHeapMb >= 16; got "
                + nodes
                + ", "
                + slotsPerNode
                + ", "
                + nodeHeapMb);
      }
      jvmFlags = List.copyOf(jvmFlags);
    }

    /**
     * Defaults: one node, a slot per core, process mode, 1 GB heap, no extra JVM flags, node JVMs
     * stopped with their job.
     */
    public static Builder builder(BlobStore store, Path workDir) {
      return new Builder(store, workDir);
    }

    /** Builds a {@link Config}; see its components for what each setting means. */
    public static final class Builder {
      private final BlobStore store;
      private final Path workDir;
      private int nodes = 1;
      private int slotsPerNode = Runtime.getRuntime().availableProcessors();
      private boolean inProcess;
      private int nodeHeapMb = 1024;
      private List<String> jvmFlags = List.of();
      private boolean reuseNodeJvms;

      private Builder(BlobStore store, Path workDir) {
        this.store = store;
        this.workDir = workDir;
      }

      public Builder nodes(int nodes) {
        this.nodes = nodes;
        return this;
      }

      public Builder slotsPerNode(int slotsPerNode) {
        this.slotsPerNode = slotsPerNode;
        return this;
      }

      public Builder inProcess(boolean inProcess) {
        this.inProcess = inProcess;
        return this;
      }

      public Builder nodeHeapMb(int nodeHeapMb) {
        this.nodeHeapMb = nodeHeapMb;
        return this;
      }

      public Builder jvmFlags(List<String> jvmFlags) {
        this.jvmFlags = jvmFlags;
        return this;
      }

      public Builder reuseNodeJvms(boolean reuseNodeJvms) {
        this.reuseNodeJvms = reuseNodeJvms;
        return this;
      }

      public Config build() {
        return new Config(
            store, workDir, nodes, slotsPerNode, inProcess, nodeHeapMb, jvmFlags, reuseNodeJvms);
      }
    }
  }

  private final Config config;
  private final List<NodeSlots> nodes = new ArrayList<>();
  private final Thread shutdownHook;

  // Guarded by this.
  private final Map<String, LocalJob> jobs = new LinkedHashMap<>();
  private final Deque<QueuedTask> queue = new ArrayDeque<>();
  private final Map<RunningKey, RunningTask> running = new HashMap<>();
  private boolean closed;

  public LocalBatchService(Config config) {
    this.config = config;
    LocalNode.Listener listener = new NodeListener();
    for (int i = 0; i < config.nodes(); i++) {
      LocalNodeLayout layout = LocalNodeLayout.of(config.workDir(), POOL_ID, "node-" + i);
      LocalNode node =
          config.inProcess()
              ? new InProcessNode(layout, config.slotsPerNode(), listener)
              : new ProcessNode(
                  layout,
                  config.store(),
                  config.nodeHeapMb(),
                  config.jvmFlags(),
                  config.reuseNodeJvms(),
                  listener);
      nodes.add(new NodeSlots(node, config.slotsPerNode()));
    }
    shutdownHook = new Thread(this::closeQuietly, "redwood-local-batch-shutdown");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
    LOG.debug(
        "Local Batch pool: {} {} with {} slots each, in {}",
        config.nodes(),
        config.inProcess() ? "in-process nodes" : "node JVMs",
        config.slotsPerNode(),
        config.workDir().toAbsolutePath());
  }

  /**
   * Drops this service's JVM shutdown hook: the caller closes the service when the JVM stops (a
   * run's own hook, which must see the tasks running before the nodes go).
   */
  public void leaveShutdownToCaller() {
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // The JVM is already shutting down: the hook runs anyway.
    }
  }

  /**
   * The node JVMs that ended pipelines left warm for the next ones in this JVM ({@code
   * --reuseNodes}); none of them runs a task.
   */
  public static List<ProcessHandle> warmNodeJvms() {
    return WarmNodeJvms.processes();
  }

  /** Stops the warm node JVMs now, as they would be when this JVM exits. */
  public static void stopWarmNodeJvms() {
    WarmNodeJvms.stopAll();
  }

  public Config config() {
    return config;
  }

  @Override
  public BatchJob createJob(JobSpec spec) throws IOException {
    checkId("job", spec.jobId());
    LocalJob job = new LocalJob(spec);
    synchronized (this) {
      ensureOpen();
      if (jobs.containsKey(spec.jobId())) {
        throw new IllegalArgumentException("Job " + spec.jobId() + " already exists");
      }
      jobs.put(spec.jobId(), job);
    }
    long start = System.nanoTime();
    try {
      prepareNodes(spec);
    } catch (IOException | RuntimeException e) {
      for (NodeSlots slots : nodes) {
        slots.node.terminateJob(spec.jobId());
      }
      synchronized (this) {
        jobs.remove(spec.jobId());
      }
      throw e;
    }
    boolean closedMeanwhile;
    synchronized (this) {
      job.prepared = true;
      closedMeanwhile = closed;
    }
    if (closedMeanwhile) {
      // close() ran during job preparation and may have missed the JVMs it started.
      for (NodeSlots slots : nodes) {
        slots.node.terminateJob(spec.jobId());
      }
      throw new IllegalStateException("The local Batch pool was closed while creating the job");
    }
    LOG.debug(
        "Job {} created on {} nodes in {} ms",
        spec.jobId(),
        nodes.size(),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    return job;
  }

  /**
   * Job preparation on every node at once (node JVMs start up in parallel), each node up to {@value
   * #PREPARATION_ATTEMPTS} times: a node lost while it prepares (its JVM killed) costs a restart,
   * not the job. The job needs one prepared node; the others are left out of it with a warning. It
   * fails only when no node could be prepared, which is what a bad setting (JVM flags, classpath)
   * does.
   */
  private void prepareNodes(JobSpec spec) throws IOException {
    List<Thread> threads = new ArrayList<>();
    Map<String, Exception> failures = Collections.synchronizedMap(new LinkedHashMap<>());
    for (NodeSlots slots : nodes) {
      Thread thread =
          new Thread(
              () -> {
                Exception last = null;
                for (int attempt = 1; attempt <= PREPARATION_ATTEMPTS; attempt++) {
                  try {
                    slots.node.prepareJob(spec);
                    synchronized (this) {
                      slots.preparedJobs.add(spec.jobId());
                    }
                    if (last != null) {
                      LOG.info(
                          "{} prepared job {} at attempt {} (before: {})",
                          slots.node.nodeId(),
                          spec.jobId(),
                          attempt,
                          last.getMessage().lines().findFirst().orElse(""));
                    }
                    return;
                  } catch (IOException | RuntimeException e) {
                    last = e;
                    slots.node.terminateJob(spec.jobId());
                    if (e instanceof InterruptedIOException) {
                      break;
                    }
                  }
                }
                failures.put(slots.node.nodeId(), last);
              },
              "redwood-" + slots.node.nodeId() + "-job-preparation");
      thread.setDaemon(true);
      thread.start();
      threads.add(thread);
    }
    try {
      for (Thread thread : threads) {
        thread.join();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("Interrupted while preparing job " + spec.jobId());
    }
    if (failures.size() == nodes.size()) {
      Exception first = failures.values().iterator().next();
      IOException failure =
          new IOException(
              "Job preparation of "
                  + spec.jobId()
                  + " failed on every node ("
                  + PREPARATION_ATTEMPTS
                  + " attempts each): "
                  + first.getMessage(),
              first);
      failures.values().stream().skip(1).forEach(failure::addSuppressed);
      throw failure;
    }
    failures.forEach(
        (nodeId, e) ->
            LOG.warn(
                "{} could not prepare job {} in {} attempts and runs none of its tasks; the"
                    + " job runs on the other nodes. Last failure: {}",
                nodeId,
                spec.jobId(),
                PREPARATION_ATTEMPTS,
                e.getMessage()));
  }

  @Override
  public int totalTaskSlots() {
    return config.nodes() * config.slotsPerNode();
  }

  /** The node JVMs alive now (none in in-process mode): for diagnostics and tests. */
  public List<ProcessHandle> nodeProcesses() {
    List<ProcessHandle> handles = new ArrayList<>();
    for (NodeSlots slots : nodes) {
      handles.addAll(slots.node.processes());
    }
    return handles;
  }

  /** Terminates every job, stops every node (waiting for their JVMs to exit). Idempotent. */
  @Override
  public void close() {
    List<LocalJob> open;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      open = new ArrayList<>(jobs.values());
    }
    for (LocalJob job : open) {
      job.terminate();
    }
    for (NodeSlots slots : nodes) {
      slots.node.close();
    }
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // Running from the hook itself: the JVM is shutting down.
    }
    LOG.debug("Local Batch pool closed");
  }

  private void closeQuietly() {
    try {
      close();
    } catch (RuntimeException e) {
      LOG.warn("Closing the local Batch pool failed", e);
    }
  }

  // --- scheduling (all under this service's lock) ---

  /** Starts queued tasks while there are free slots. */
  private void dispatch() {
    while (!closed && !queue.isEmpty()) {
      NodeSlots node = freestNode(queue.peek().job.jobId());
      if (node == null) {
        return;
      }
      start(queue.poll(), node);
    }
  }

  /** The node prepared for the job with the most free slots, or null if none has a free slot. */
  private NodeSlots freestNode(String jobId) {
    NodeSlots best = null;
    for (NodeSlots slots : nodes) {
      if (slots.free() > 0
          && slots.preparedJobs.contains(jobId)
          && (best == null || slots.free() > best.free())) {
        best = slots;
      }
    }
    return best;
  }

  private void start(QueuedTask queued, NodeSlots node) {
    LocalJob job = queued.job;
    TaskSpec task = queued.task;
    String jobId = job.spec.jobId();
    LocalNodeLayout layout = node.node.layout();
    Map<String, String> environment = new LinkedHashMap<>(job.spec.environment());
    environment.putAll(task.environment());
    environment.putAll(layout.taskEnvironment(jobId, task.taskId()));
    TaskLaunch launch =
        new TaskLaunch(
            jobId,
            task.taskId(),
            task.mainClass(),
            task.arguments(),
            environment,
            layout.taskDir(jobId, task.taskId()));

    RunningKey key = new RunningKey(jobId, task.taskId());
    running.put(key, new RunningTask(job, task.taskId(), node));
    node.busy++;
    job.nodeOfTask.put(task.taskId(), node.node.nodeId());
    try {
      node.node.startTask(launch);
    } catch (IOException | RuntimeException e) {
      LOG.warn("Cannot start task {} of job {} on {}", task.taskId(), jobId, node.node.nodeId(), e);
      running.remove(key);
      node.busy--;
      job.events.add(
          new TaskEvent(
              task.taskId(),
              TaskEvent.State.COMPLETED,
              -1,
              "Could not start the task on " + node.node.nodeId() + ": " + e,
              node.node.nodeId()));
    }
  }

  /** Turns what nodes report into task events and frees their slots. */
  private final class NodeListener implements LocalNode.Listener {
    @Override
    public void taskStarted(String nodeId, String jobId, String taskId) {
      synchronized (LocalBatchService.this) {
        RunningTask task = running.get(new RunningKey(jobId, taskId));
        if (task != null && !task.reported) {
          task.job.events.add(new TaskEvent(taskId, TaskEvent.State.RUNNING, 0, null, nodeId));
        }
      }
    }

    @Override
    public void taskCompleted(
        String nodeId, String jobId, String taskId, int exitCode, String failureInfo) {
      ended(nodeId, jobId, taskId, exitCode, failureInfo, false);
    }

    @Override
    public void taskLost(String nodeId, String jobId, String taskId, String why) {
      ended(nodeId, jobId, taskId, -1, why, true);
    }

    private void ended(
        String nodeId,
        String jobId,
        String taskId,
        int exitCode,
        String failureInfo,
        boolean nodeLost) {
      synchronized (LocalBatchService.this) {
        RunningTask task = running.remove(new RunningKey(jobId, taskId));
        if (task == null) {
          return;
        }
        task.node.busy--;
        if (!task.reported) {
          task.reported = true;
          task.job.events.add(
              new TaskEvent(
                  taskId, TaskEvent.State.COMPLETED, exitCode, failureInfo, nodeId, nodeLost));
        }
        dispatch();
      }
    }
  }

  // --- state ---

  private NodeSlots node(String nodeId) {
    for (NodeSlots slots : nodes) {
      if (slots.node.nodeId().equals(nodeId)) {
        return slots;
      }
    }
    throw new IllegalArgumentException("No node " + nodeId);
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("The local Batch pool is closed");
    }
  }

  private static void checkId(String what, String id) {
    if (id == null || !ID.matcher(id).matches()) {
      throw new IllegalArgumentException(
          "Bad " + what + " id '" + id + "': use 1 to 64 letters, digits, '-' and '_'");
    }
  }

  /** A node and how many of its slots are taken. */
  private static final class NodeSlots {
    final LocalNode node;
    final int slots;
    int busy;

    /** The jobs whose preparation succeeded on this node: only their tasks go to it. */
    final Set<String> preparedJobs = new HashSet<>();

    NodeSlots(LocalNode node, int slots) {
      this.node = node;
      this.slots = slots;
    }

    int free() {
      return slots - busy;
    }
  }

  /** A job on the local pool, and the handle the driver uses it through. */
  private final class LocalJob implements BatchJob {
    final JobSpec spec;
    final BlockingQueue<TaskEvent> events = new LinkedBlockingQueue<>();
    final Set<String> taskIds = new HashSet<>();
    final Map<String, String> nodeOfTask = new HashMap<>();

    /** Set once every node has run job preparation: until then no task may be added. */
    boolean prepared;

    boolean terminated;

    LocalJob(JobSpec spec) {
      this.spec = spec;
    }

    @Override
    public String jobId() {
      return spec.jobId();
    }

    @Override
    public void addTasks(List<TaskSpec> tasks) {
      synchronized (LocalBatchService.this) {
        ensureOpen();
        if (terminated) {
          throw new IllegalStateException(
              "Job " + jobId() + " is terminated; it takes no more tasks");
        }
        if (!prepared) {
          throw new IllegalStateException("Job " + jobId() + " is still being created");
        }
        Set<String> newIds = new HashSet<>();
        for (TaskSpec task : tasks) {
          checkId("task", task.taskId());
          if (taskIds.contains(task.taskId()) || !newIds.add(task.taskId())) {
            throw new IllegalArgumentException(
                "Task " + task.taskId() + " already exists in job " + jobId());
          }
        }
        for (TaskSpec task : tasks) {
          taskIds.add(task.taskId());
          queue.add(new QueuedTask(this, task));
        }
        dispatch();
      }
    }

    @Override
    public List<TaskEvent> pollTaskEvents(Duration maxWait) throws InterruptedException {
      List<TaskEvent> result = new ArrayList<>();
      TaskEvent first = events.poll(maxWait.toNanos(), TimeUnit.NANOSECONDS);
      if (first != null) {
        result.add(first);
        events.drainTo(result);
      }
      result.replaceAll(event -> event.inPool(POOL_ID));
      return result;
    }

    /** The last {@code maxBytes} of each of the task's stderr.txt and stdout.txt, labeled. */
    @Override
    public String taskLogTail(String taskId, int maxBytes) {
      LocalNodeLayout layout;
      synchronized (LocalBatchService.this) {
        String nodeId = nodeOfTask.get(taskId);
        if (nodeId == null) {
          return "Task " + taskId + " of job " + jobId() + " has not run on a node: no logs\n";
        }
        layout = node(nodeId).node.layout();
      }
      Path taskDir = layout.taskDir(jobId(), taskId);
      return "Task "
          + taskId
          + " on "
          + layout.nodeId()
          + " ("
          + taskDir
          + "):\n"
          + LocalFiles.labeledTail(taskDir.resolve("stderr.txt"), maxBytes)
          + LocalFiles.labeledTail(taskDir.resolve("stdout.txt"), maxBytes);
    }

    @Override
    public void terminate() {
      synchronized (LocalBatchService.this) {
        if (terminated) {
          return;
        }
        terminated = true;
        for (NodeSlots slots : nodes) {
          slots.preparedJobs.remove(jobId());
        }
        int dropped = 0;
        for (var it = queue.iterator(); it.hasNext(); ) {
          if (it.next().job == this) {
            it.remove();
            dropped++;
          }
        }
        int stopped = 0;
        for (RunningTask task : running.values()) {
          if (task.job == this && !task.reported) {
            // Reported now; the slot frees when the node confirms the task is gone.
            task.reported = true;
            events.add(
                new TaskEvent(
                    task.taskId,
                    TaskEvent.State.COMPLETED,
                    -1,
                    "terminated",
                    task.node.node.nodeId()));
            stopped++;
          }
        }
        LOG.debug(
            "Terminating job {}: {} queued tasks dropped, {} running tasks stopped",
            jobId(),
            dropped,
            stopped);
      }
      // Outside the lock: nodes report their tasks' ends back to us while they stop.
      for (NodeSlots slots : nodes) {
        slots.node.terminateJob(jobId());
        LocalFiles.deleteRecursively(slots.node.layout().jobDir(jobId()));
      }
    }
  }

  private record QueuedTask(LocalJob job, TaskSpec task) {}

  private record RunningKey(String jobId, String taskId) {}

  private static final class RunningTask {
    final LocalJob job;
    final String taskId;
    final NodeSlots node;

    /** Whether its COMPLETED event has gone out (at termination, before the node confirms). */
    boolean reported;

    RunningTask(LocalJob job, String taskId, NodeSlots node) {
      this.job = job;
      this.taskId = taskId;
      this.node = node;
    }
  }
}

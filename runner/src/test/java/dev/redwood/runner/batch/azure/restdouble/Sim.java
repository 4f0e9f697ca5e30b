package dev.redwood.runner.batch.azure.restdouble;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The simulated account's entities. All mutable fields are guarded by {@link BatchEngine#lock}
 * except where noted.
 */
final class Sim {
  private Sim() {}

  /** Identity and change tracking shared by pools, jobs and tasks. */
  abstract static class Entity {
    final String id;
    final long seq;
    final Instant created;
    Instant lastModified;
    String etag;

    Entity(String id, long seq, Instant created) {
      this.id = id;
      this.seq = seq;
      this.created = created;
      this.lastModified = created;
    }
  }

  static final class Pool extends Entity {
    /** The add request as sent (echoed back in GET). */
    final ObjectNode spec;

    final int slotsPerNode;
    final boolean pack;
    final VmSizes.VmSize vmSize;

    /** active | deleting. */
    String state = "active";

    Instant stateTransition;

    /** resizing | steady. */
    String allocationState = "resizing";

    /** The current resize's errors ({@code resizeErrors}), cleared by the next resize. */
    final List<ObjectNode> resizeErrors = new ArrayList<>();

    /** Bumped by every resize, stop and delete, so an outdated allocation timer does nothing. */
    long resizeGeneration;

    /** A resize whose allocation has not come due yet. */
    boolean allocating;

    /** How surplus nodes leave: requeue, terminate, taskcompletion or retaineddata. */
    String nodeDeallocationOption = "requeue";

    int targetDedicated;
    int targetLowPriority;
    boolean autoScale;
    String formula;
    Instant autoScaleTime;
    String autoScaleResults;
    String autoScaleEvaluationInterval;
    AutoscaleFormula compiledFormula;
    Duration autoScaleInterval;
    Instant nextAutoScaleEvaluation;
    AutoscaleFormula.AutoscaleRun autoScaleRun;

    /** Task samples every 30 s of service time for the formula (oldest first). */
    final List<AutoscaleFormula.Sample> samples = new ArrayList<>();

    Instant nextSample;
    Instant allocationStateTransition;
    final LinkedHashMap<String, Node> nodes = new LinkedHashMap<>();
    int nodeCounter;

    Pool(
        String id,
        long seq,
        Instant created,
        ObjectNode spec,
        VmSizes.VmSize vmSize,
        int slotsPerNode,
        boolean pack) {
      super(id, seq, created);
      this.spec = spec;
      this.vmSize = vmSize;
      this.slotsPerNode = slotsPerNode;
      this.pack = pack;
      this.allocationStateTransition = created;
      this.stateTransition = created;
    }

    boolean deleting() {
      return state.equals("deleting");
    }
  }

  /** Start task, job preparation task: the record of their runs on one node. */
  static final class RunInfo {
    String state; // running | completed
    Instant startTime;
    Instant endTime;
    Integer exitCode;
    int retryCount;
    Instant lastRetryTime;
    String result; // success | failure
    ObjectNode failureInfo;
  }

  static final class Node {
    final String id;
    final Pool pool;
    final boolean dedicated;
    final Path root;
    final Instant allocated;
    final int ordinal;
    String state;
    Instant stateTransition;
    int usedSlots;
    final List<Execution> running = new ArrayList<>();

    /** Job preparation per job (key: lowercased job id). */
    final Map<String, JobPrep> jobPreps = new HashMap<>();

    RunInfo startTask;
    Execution startTaskExecution;

    /** Why the node is unusable (an entry of its {@code errors}), or null. */
    ObjectNode error;

    int totalTasksRun;
    int totalTasksSucceeded;
    boolean removed;

    /** A leaving node whose pool's resize has come due: it goes once its last task ends. */
    boolean leaveDue;

    Node(String id, Pool pool, boolean dedicated, Path root, Instant allocated, int ordinal) {
      this.id = id;
      this.pool = pool;
      this.dedicated = dedicated;
      this.root = root;
      this.allocated = allocated;
      this.ordinal = ordinal;
      this.stateTransition = allocated;
    }

    boolean takesTasks() {
      return !removed && (state.equals("idle") || state.equals("running"));
    }

    /** Whether the node holds vCPUs of the account's quota (a preempted Spot VM does not). */
    boolean holdsCores() {
      return !removed && !state.equals("preempted");
    }

    /** Nodes that count towards the pool's targets: not on their way out. */
    boolean counted() {
      return !removed && !state.equals("leavingpool") && !state.equals("preempted");
    }

    int freeSlots() {
      return pool.slotsPerNode - usedSlots;
    }

    Path startupDir() {
      return root.resolve("startup");
    }

    Path jobDir(String jobId) {
      return root.resolve("workitems").resolve(jobId).resolve("job-1");
    }
  }

  static final class JobPrep {
    final Job job;
    final Node node;
    final Path dir;
    final RunInfo info = new RunInfo();

    /** Completes with true on success, false on failure or when cancelled. Thread-safe. */
    final CompletableFuture<Boolean> done = new CompletableFuture<>();

    Execution execution;

    JobPrep(Job job, Node node, Path dir) {
      this.job = job;
      this.node = node;
      this.dir = dir;
    }
  }

  static final class Job extends Entity {
    final ObjectNode spec;
    final String poolId;
    final JsonNode prep; // jobPreparationTask or null
    final String prepId;
    int priority;
    Integer maxParallelTasks;
    String state = "active";
    Instant stateTransition;
    String previousState;
    Instant previousStateTransition;
    String onAllTasksComplete;
    String terminateReason;
    Instant endTime;
    ObjectNode constraints;
    final LinkedHashMap<String, Task> tasks = new LinkedHashMap<>();

    Job(String id, long seq, Instant created, ObjectNode spec, String poolId) {
      super(id, seq, created);
      this.spec = spec;
      this.poolId = poolId;
      JsonNode p = spec.get("jobPreparationTask");
      this.prep = p == null || p.isNull() ? null : p;
      String pid = prep == null ? null : Json.text(prep, "id");
      this.prepId = pid == null ? "jobpreparation" : pid;
      this.stateTransition = created;
    }

    boolean prepWaitsForSuccess() {
      Boolean w = Json.bool(prep, "waitForSuccess");
      return w == null || w;
    }
  }

  static final class Task extends Entity {
    final Job job;
    final ObjectNode spec;
    final int requiredSlots;
    String state = "active";
    Instant stateTransition;
    String previousState;
    Instant previousStateTransition;
    ObjectNode constraints;
    // executionInfo
    Instant startTime;
    Instant endTime;
    Integer exitCode;
    String result;
    ObjectNode failureInfo;
    int retryCount;
    Instant lastRetryTime;
    int requeueCount;
    Instant lastRequeueTime;
    // nodeInfo (last node it was assigned to)
    Node node;
    Execution current;

    Task(String id, long seq, Instant created, Job job, ObjectNode spec, int requiredSlots) {
      super(id, seq, created);
      this.job = job;
      this.spec = spec;
      this.requiredSlots = requiredSlots;
      this.stateTransition = created;
    }

    Path dir() {
      return node == null ? null : node.jobDir(job.id).resolve(id);
    }
  }

  /**
   * One run of a command on a node (a task attempt, a start task, a job preparation task): the
   * handle through which it is cancelled. Its own monitor guards {@code process} and {@code
   * cancelled}, so a cancel never races a start.
   */
  static final class Execution {
    final Task task; // null for start and job preparation tasks
    final Node node;
    final int slots;
    private Process process;
    private volatile boolean cancelled;

    Execution(Task task, Node node, int slots) {
      this.task = task;
      this.node = node;
      this.slots = slots;
    }

    boolean cancelled() {
      return cancelled;
    }

    /** Starts the process unless already cancelled (then returns null). */
    synchronized Process start(ProcessBuilder pb) throws java.io.IOException {
      if (cancelled) {
        return null;
      }
      process = pb.start();
      return process;
    }

    synchronized Process process() {
      return process;
    }

    /** Marks cancelled and kills the process tree (if started). */
    void cancel() {
      Process p;
      synchronized (this) {
        cancelled = true;
        p = process;
      }
      if (p != null) {
        NodeAgent.killTree(p.toHandle());
      }
    }
  }
}

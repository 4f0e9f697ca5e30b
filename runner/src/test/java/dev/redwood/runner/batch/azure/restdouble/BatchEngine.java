package dev.redwood.runner.batch.azure.restdouble;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The simulated Batch account: pools of nodes with task slots, jobs, tasks, the scheduler and the
 * node-side runs. One lock ({@link #lock}) guards all state; commands run on worker threads outside
 * it.
 */
final class BatchEngine {
  static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  private static final Pattern TARGET_DEDICATED =
      Pattern.compile("\\$TargetDedicatedNodes\\s*=\\s*(\\d+)\\s*(;|$)", Pattern.CASE_INSENSITIVE);
  private static final Pattern TARGET_LOW =
      Pattern.compile(
          "\\$TargetLowPriorityNodes\\s*=\\s*(\\d+)\\s*(;|$)", Pattern.CASE_INSENSITIVE);

  final Object lock = new Object();
  final String account;
  final Path root;
  final NodeAgent agent = new NodeAgent();
  final ContainerRuntime containers = new ContainerRuntime();
  volatile String accountUrl = "http://127.0.0.1";

  final LinkedHashMap<String, Sim.Pool> pools = new LinkedHashMap<>();
  final LinkedHashMap<String, Sim.Job> jobs = new LinkedHashMap<>();

  private final ExecutorService workers =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "batch-double-node");
            t.setDaemon(true);
            return t;
          });
  private final List<FailureRule> taskFailures = new ArrayList<>();
  private long seq;
  private long etagCounter;
  private boolean closed;

  private static final class FailureRule {
    final Pattern taskId;
    final int times;
    final Map<String, Integer> used = new HashMap<>();

    FailureRule(Pattern taskId, int times) {
      this.taskId = taskId;
      this.times = times;
    }
  }

  BatchEngine(String account, Path root) {
    this.account = account;
    this.root = root;
  }

  static String key(String id) {
    return id.toLowerCase(Locale.ROOT);
  }

  long nextSeq() {
    return ++seq;
  }

  void touch(Sim.Entity e) {
    e.lastModified = Instant.now();
    e.etag =
        String.format(
            "\"0x8D%013X\"", (e.lastModified.toEpochMilli() << 8) + (++etagCounter & 0xff));
  }

  // ------------------------------------------------------------------ pools

  Sim.Pool createPool(ObjectNode spec) throws ApiException {
    String id = Json.required(spec, "id");
    checkId("id", id);
    Json.required(spec, "vmSize");
    ContainerRuntime.checkPool(spec);
    if (pools.containsKey(key(id))) {
      throw ApiException.conflict("PoolExists", "The specified pool already exists.");
    }
    Integer slots = Json.integer(spec, "taskSlotsPerNode");
    int slotsPerNode = slots == null ? 1 : slots;
    if (slotsPerNode < 1 || slotsPerNode > 256) {
      throw ApiException.invalidProperty("taskSlotsPerNode", "must be between 1 and 256");
    }
    String fill = Json.text(spec.path("taskSchedulingPolicy"), "nodeFillType");
    Sim.Pool pool =
        new Sim.Pool(
            id, nextSeq(), Instant.now(), spec, slotsPerNode, "pack".equalsIgnoreCase(fill));
    touch(pool);
    Integer d = Json.integer(spec, "targetDedicatedNodes");
    Integer l = Json.integer(spec, "targetLowPriorityNodes");
    pool.targetDedicated = d == null ? 0 : d;
    pool.targetLowPriority = l == null ? 0 : l;
    if (Boolean.TRUE.equals(Json.bool(spec, "enableAutoScale"))) {
      String formula = Json.text(spec, "autoScaleFormula");
      if (formula == null) {
        throw ApiException.missingProperty("autoScaleFormula");
      }
      applyAutoScale(pool, formula, Json.text(spec, "autoScaleEvaluationInterval"));
    }
    pools.put(key(id), pool);
    adjustNodes(pool);
    return pool;
  }

  /** Sets the formula; a formula that sets the targets to constants resizes the pool. */
  void applyAutoScale(Sim.Pool pool, String formula, String interval) {
    pool.autoScale = true;
    pool.formula = formula;
    if (interval != null) {
      pool.autoScaleEvaluationInterval = interval;
    }
    Matcher d = TARGET_DEDICATED.matcher(formula);
    Matcher l = TARGET_LOW.matcher(formula);
    if (d.find()) {
      pool.targetDedicated = Integer.parseInt(d.group(1));
    }
    if (l.find()) {
      pool.targetLowPriority = Integer.parseInt(l.group(1));
    }
    pool.autoScaleTime = Instant.now();
    pool.autoScaleResults =
        "$TargetDedicatedNodes="
            + pool.targetDedicated
            + ";$TargetLowPriorityNodes="
            + pool.targetLowPriority
            + ";$NodeDeallocationOption=requeue";
    touch(pool);
  }

  void resize(Sim.Pool pool, Integer dedicated, Integer lowPriority) {
    if (dedicated != null) {
      pool.targetDedicated = dedicated;
    }
    if (lowPriority != null) {
      pool.targetLowPriority = lowPriority;
    }
    touch(pool);
    adjustNodes(pool);
  }

  /** Adds or removes nodes until the pool has its targets (removal requeues running tasks). */
  void adjustNodes(Sim.Pool pool) {
    for (boolean dedicated : new boolean[] {true, false}) {
      int target = dedicated ? pool.targetDedicated : pool.targetLowPriority;
      List<Sim.Node> current = new ArrayList<>();
      for (Sim.Node n : pool.nodes.values()) {
        if (n.dedicated == dedicated) {
          current.add(n);
        }
      }
      for (int i = current.size(); i < target; i++) {
        addNode(pool, dedicated);
      }
      if (current.size() > target) {
        current.sort(
            Comparator.comparingInt((Sim.Node n) -> n.running.size())
                .thenComparing(n -> -n.ordinal));
        for (Sim.Node n : current.subList(0, current.size() - target)) {
          removeNode(n);
        }
      }
    }
    pool.allocationStateTransition = Instant.now();
    schedule();
  }

  void deletePool(Sim.Pool pool) {
    for (Sim.Node n : new ArrayList<>(pool.nodes.values())) {
      removeNode(n);
    }
    pools.remove(key(pool.id));
    schedule();
  }

  private void addNode(Sim.Pool pool, boolean dedicated) {
    int ordinal = pool.nodeCounter++;
    String id = String.format("tvmps_%06x%06x_%s", pool.seq, ordinal, dedicated ? "d" : "p");
    Path nodeRoot = root.resolve(pool.id).resolve(id);
    try {
      for (String d : new String[] {"startup/wd", "shared", "workitems", "fsmounts"}) {
        Files.createDirectories(nodeRoot.resolve(d));
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot create node directories under " + nodeRoot, e);
    }
    Sim.Node node = new Sim.Node(id, pool, dedicated, nodeRoot, Instant.now(), ordinal);
    pool.nodes.put(id, node);
    node.error = containers.prefetchError(pool.spec);
    if (node.error != null) {
      node.state = "unusable";
      return;
    }
    JsonNode startTask = pool.spec.get("startTask");
    if (startTask == null || startTask.isNull()) {
      node.state = "idle";
      return;
    }
    Boolean wait = Json.bool(startTask, "waitForSuccess");
    boolean waitForSuccess = wait == null || wait;
    node.state = waitForSuccess ? "waitingforstarttask" : "idle";
    node.startTask = new Sim.RunInfo();
    node.startTask.state = "running";
    node.startTask.startTime = Instant.now();
    Sim.Execution ex = new Sim.Execution(null, node, 0);
    node.startTaskExecution = ex;
    workers.execute(() -> runStartTask(node, ex, startTask, waitForSuccess));
  }

  /** Takes a node away: its runs are killed, its running tasks go back to active (requeued). */
  private void removeNode(Sim.Node node) {
    node.removed = true;
    if (node.startTaskExecution != null) {
      node.startTaskExecution.cancel();
    }
    for (Sim.JobPrep prep : node.jobPreps.values()) {
      if (prep.execution != null) {
        prep.execution.cancel();
      }
      prep.done.complete(false);
    }
    for (Sim.Execution ex : new ArrayList<>(node.running)) {
      requeue(ex);
    }
    node.pool.nodes.remove(node.id);
  }

  /** Preempts a node: it is replaced by a fresh node (new id, empty directories). */
  boolean preemptNode(String poolId, String nodeId) {
    Sim.Pool pool = pools.get(key(poolId));
    Sim.Node node = pool == null ? null : pool.nodes.get(nodeId);
    if (node == null) {
      return false;
    }
    removeNode(node);
    addNode(pool, node.dedicated);
    schedule();
    return true;
  }

  /** Preempts one running task: its process is killed and it goes back to active. */
  boolean preemptTask(String jobId, String taskId) {
    Sim.Job job = jobs.get(key(jobId));
    Sim.Task task = job == null ? null : job.tasks.get(key(taskId));
    if (task == null || task.current == null) {
      return false;
    }
    requeue(task.current);
    schedule();
    return true;
  }

  private void requeue(Sim.Execution ex) {
    ex.cancel();
    release(ex);
    Sim.Task t = ex.task;
    if (!t.state.equals("completed")) {
      t.requeueCount++;
      t.lastRequeueTime = Instant.now();
      transition(t, "active");
    }
  }

  private void release(Sim.Execution ex) {
    Sim.Node node = ex.node;
    if (node.running.remove(ex)) {
      node.usedSlots -= ex.slots;
    }
    if (node.running.isEmpty() && node.state.equals("running")) {
      node.state = "idle";
      node.stateTransition = Instant.now();
    }
    if (ex.task != null && ex.task.current == ex) {
      ex.task.current = null;
    }
  }

  private void runStartTask(
      Sim.Node node, Sim.Execution ex, JsonNode spec, boolean waitForSuccess) {
    Path dir = node.startupDir();
    Path wd = dir.resolve("wd");
    Map<String, String> env = NodeAgent.baseEnvironment();
    NodeAgent.addSettings(env, spec.get("environmentSettings"));
    env.putAll(nodeEnvironment(node));
    env.put("AZ_BATCH_TASK_DIR", dir.toString());
    env.put("AZ_BATCH_TASK_WORKING_DIR", wd.toString());
    Integer maxRetries = Json.integer(spec, "maxTaskRetryCount");
    int max = maxRetries == null ? 0 : maxRetries;
    String command = Json.text(spec, "commandLine");
    try {
      while (true) {
        String code;
        String message;
        Integer exit = null;
        try {
          agent.downloadResourceFiles(spec.get("resourceFiles"), wd);
          NodeAgent.RunResult r =
              agent.run(
                  ex, command, wd, dir.resolve("stdout.txt"), dir.resolve("stderr.txt"), env, null);
          if (r == null) {
            return;
          }
          exit = r.exitCode;
          if (r.exitCode == 0) {
            synchronized (lock) {
              if (ex.cancelled()) {
                return;
              }
              completeRun(node.startTask, 0, null);
              if (node.state.equals("waitingforstarttask")) {
                node.state = "idle";
                node.stateTransition = Instant.now();
              }
              schedule();
            }
            return;
          }
          code = "FailureExitCode";
          message = "The task process exited with an unexpected exit code";
        } catch (NodeAgent.StepFailure f) {
          code = f.code;
          message = f.getMessage();
        }
        synchronized (lock) {
          if (ex.cancelled()) {
            return;
          }
          Sim.RunInfo info = node.startTask;
          if (max == -1 || info.retryCount < max) {
            info.retryCount++;
            info.lastRetryTime = Instant.now();
            continue;
          }
          completeRun(info, exit, failureInfo(code, message));
          if (waitForSuccess) {
            node.state = "starttaskfailed";
            node.stateTransition = Instant.now();
          }
          return;
        }
      }
    } catch (IOException | RuntimeException e) {
      synchronized (lock) {
        if (!ex.cancelled()) {
          completeRun(node.startTask, null, serverFailure(e));
          node.state = "starttaskfailed";
          node.stateTransition = Instant.now();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void completeRun(Sim.RunInfo info, Integer exitCode, ObjectNode failure) {
    info.state = "completed";
    info.endTime = Instant.now();
    info.exitCode = exitCode;
    info.result = failure == null ? "success" : "failure";
    info.failureInfo = failure;
  }

  // ------------------------------------------------------------------ jobs

  Sim.Job createJob(ObjectNode spec) throws ApiException {
    String id = Json.required(spec, "id");
    checkId("id", id);
    JsonNode poolInfo = spec.get("poolInfo");
    if (poolInfo == null || !poolInfo.isObject()) {
      throw ApiException.missingProperty("poolInfo");
    }
    String poolId = Json.text(poolInfo, "poolId");
    if (poolId == null) {
      throw ApiException.invalidProperty(
          "poolInfo", "the double supports poolInfo.poolId only (no autoPoolSpecification)");
    }
    if (jobs.containsKey(key(id))) {
      throw ApiException.conflict("JobExists", "The specified job already exists.");
    }
    JsonNode prep = spec.get("jobPreparationTask");
    if (prep != null && !prep.isNull()) {
      Json.required(prep, "commandLine");
    }
    Sim.Job job = new Sim.Job(id, nextSeq(), Instant.now(), spec, poolId);
    Integer priority = Json.integer(spec, "priority");
    job.priority = priority == null ? 0 : priority;
    job.maxParallelTasks = Json.integer(spec, "maxParallelTasks");
    job.onAllTasksComplete = normalizeOnAllTasksComplete(Json.text(spec, "onAllTasksComplete"));
    JsonNode c = spec.get("constraints");
    job.constraints = c != null && c.isObject() ? ((ObjectNode) c).deepCopy() : null;
    touch(job);
    jobs.put(key(id), job);
    checkAutoTerminate(job);
    return job;
  }

  static String normalizeOnAllTasksComplete(String v) throws ApiException {
    if (v == null || v.equalsIgnoreCase("noaction")) {
      return "noaction";
    }
    if (v.equalsIgnoreCase("terminatejob")) {
      return "terminatejob";
    }
    throw ApiException.invalidProperty("onAllTasksComplete", "unknown value " + v);
  }

  /** PATCH (only given properties) or PUT (all updatable properties). */
  void updateJob(Sim.Job job, ObjectNode body, boolean replace) throws ApiException {
    if (job.state.equals("completed")) {
      throw ApiException.conflict(
          "JobCompleted", "The specified job is already in a completed state.");
    }
    if (body.has("priority") || replace) {
      Integer p = Json.integer(body, "priority");
      job.priority = p == null ? 0 : p;
    }
    if (body.has("maxParallelTasks") || replace) {
      job.maxParallelTasks = Json.integer(body, "maxParallelTasks");
    }
    if (body.has("onAllTasksComplete") || replace) {
      job.onAllTasksComplete = normalizeOnAllTasksComplete(Json.text(body, "onAllTasksComplete"));
    }
    if (body.has("constraints") || replace) {
      JsonNode c = body.get("constraints");
      job.constraints = c != null && c.isObject() ? ((ObjectNode) c).deepCopy() : null;
    }
    if (body.has("metadata") || replace) {
      JsonNode m = body.get("metadata");
      if (m == null || m.isNull()) {
        job.spec.remove("metadata");
      } else {
        job.spec.set("metadata", m);
      }
    }
    touch(job);
    checkAutoTerminate(job);
    schedule();
  }

  void terminateJob(Sim.Job job, String reason) throws ApiException {
    if (job.state.equals("completed")) {
      throw ApiException.conflict(
          "JobCompleted", "The specified job is already in a completed state.");
    }
    transition(job, "terminating");
    stopJobRuns(job, true);
    job.terminateReason = reason == null ? "UserTerminate" : reason;
    job.endTime = Instant.now();
    transition(job, "completed");
    schedule();
  }

  void deleteJob(Sim.Job job) {
    transition(job, "deleting");
    stopJobRuns(job, false);
    for (Sim.Pool pool : pools.values()) {
      for (Sim.Node n : pool.nodes.values()) {
        n.jobPreps.remove(key(job.id));
      }
    }
    jobs.remove(key(job.id));
    schedule();
  }

  /** Kills the job's running tasks (completing them when {@code complete}) and its preparations. */
  private void stopJobRuns(Sim.Job job, boolean complete) {
    for (Sim.Task t : job.tasks.values()) {
      if (t.current != null) {
        Sim.Execution ex = t.current;
        ex.cancel();
        release(ex);
        if (complete) {
          t.endTime = Instant.now();
          finishTask(t, "failure", failureInfo("TaskEnded", "Task Was Ended by User Request"));
        }
      }
    }
    for (Sim.Pool pool : pools.values()) {
      for (Sim.Node n : pool.nodes.values()) {
        Sim.JobPrep prep = n.jobPreps.get(key(job.id));
        if (prep != null) {
          if (prep.execution != null) {
            prep.execution.cancel();
          }
          prep.done.complete(false);
        }
      }
    }
  }

  private void checkAutoTerminate(Sim.Job job) {
    if (!job.state.equals("active") || !job.onAllTasksComplete.equals("terminatejob")) {
      return;
    }
    for (Sim.Task t : job.tasks.values()) {
      if (!t.state.equals("completed")) {
        return;
      }
    }
    try {
      terminateJob(job, "AllTasksComplete");
    } catch (ApiException e) {
      throw new IllegalStateException(e);
    }
  }

  // ------------------------------------------------------------------ tasks

  /** Validates and adds a task (the caller schedules). */
  Sim.Task addTask(Sim.Job job, JsonNode specNode) throws ApiException {
    if (!specNode.isObject()) {
      throw ApiException.badRequest("InvalidRequestBody", "A task must be a JSON object.");
    }
    ObjectNode spec = (ObjectNode) specNode;
    String id = Json.required(spec, "id");
    checkId("id", id);
    Json.required(spec, "commandLine");
    if (spec.has("dependsOn")
        && !spec.get("dependsOn").isNull()
        && !Boolean.TRUE.equals(Json.bool(job.spec, "usesTaskDependencies"))) {
      throw ApiException.badRequest(
          "TaskDependenciesNotSpecifiedOnJob",
          "The job does not allow task dependencies (usesTaskDependencies is not true).");
    }
    if (job.tasks.containsKey(key(id))) {
      throw ApiException.conflict("TaskExists", "The specified task already exists.");
    }
    if (id.equalsIgnoreCase(job.prepId) && job.prep != null) {
      throw ApiException.conflict(
          "TaskIdSameAsJobPreparationTask",
          "The task id is the same as that of the job preparation task.");
    }
    Integer slots = Json.integer(spec, "requiredSlots");
    Sim.Task task =
        new Sim.Task(
            id, nextSeq(), Instant.now(), job, spec, slots == null ? 1 : Math.max(1, slots));
    JsonNode c = spec.get("constraints");
    task.constraints = c != null && c.isObject() ? ((ObjectNode) c).deepCopy() : null;
    touch(task);
    job.tasks.put(key(id), task);
    return task;
  }

  void checkJobAcceptsTasks(Sim.Job job) throws ApiException {
    if (job.state.equals("completed") || job.state.equals("terminating")) {
      throw ApiException.conflict(
          "JobCompleted", "The specified job is already in a completed state.");
    }
    if (!job.state.equals("active")) {
      throw ApiException.conflict("JobNotActive", "The specified job is not active.");
    }
  }

  void terminateTask(Sim.Task t) throws ApiException {
    if (t.state.equals("completed")) {
      return;
    }
    if (t.current != null) {
      Sim.Execution ex = t.current;
      ex.cancel();
      release(ex);
      t.endTime = Instant.now();
    }
    finishTask(t, "failure", failureInfo("TaskEnded", "Task Was Ended by User Request"));
    checkAutoTerminate(t.job);
    schedule();
  }

  void deleteTask(Sim.Task t) {
    if (t.current != null) {
      Sim.Execution ex = t.current;
      ex.cancel();
      release(ex);
    }
    t.job.tasks.remove(key(t.id));
    checkAutoTerminate(t.job);
    schedule();
  }

  void reactivateTask(Sim.Task t) throws ApiException {
    if (!t.state.equals("completed") || !"failure".equals(t.result)) {
      throw ApiException.conflict(
          "OperationInvalidForCurrentState", "Only completed, failed tasks can be reactivated.");
    }
    t.retryCount = 0;
    t.failureInfo = null;
    t.result = null;
    t.exitCode = null;
    transition(t, "active");
    schedule();
  }

  void updateTaskConstraints(Sim.Task t, JsonNode constraints) {
    t.constraints =
        constraints != null && constraints.isObject()
            ? ((ObjectNode) constraints).deepCopy()
            : null;
    touch(t);
  }

  int maxRetries(Sim.Task t) {
    Integer own = Json.integer(t.constraints, "maxTaskRetryCount");
    if (own != null) {
      return own;
    }
    Integer fromJob = Json.integer(t.job.constraints, "maxTaskRetryCount");
    return fromJob == null ? 0 : fromJob;
  }

  void failTaskExecutions(Pattern taskId, int times) {
    taskFailures.add(new FailureRule(taskId, times));
  }

  private boolean consumeInjectedFailure(Sim.Task t) {
    String k = key(t.job.id) + "/" + key(t.id);
    for (FailureRule rule : taskFailures) {
      if (rule.taskId.matcher(t.id).matches()) {
        int used = rule.used.getOrDefault(k, 0);
        if (used < rule.times) {
          rule.used.put(k, used + 1);
          return true;
        }
      }
    }
    return false;
  }

  private void transition(Sim.Task t, String state) {
    t.previousState = t.state;
    t.previousStateTransition = t.stateTransition;
    t.state = state;
    t.stateTransition = Instant.now();
    touch(t);
  }

  private void transition(Sim.Job j, String state) {
    j.previousState = j.state;
    j.previousStateTransition = j.stateTransition;
    j.state = state;
    j.stateTransition = Instant.now();
    touch(j);
  }

  private void finishTask(Sim.Task t, String result, ObjectNode failure) {
    t.result = result;
    t.failureInfo = failure;
    transition(t, "completed");
  }

  static ObjectNode failureInfo(String code, String message) {
    ObjectNode f = Json.object();
    f.put("category", "userError");
    f.put("code", code);
    f.put("message", message);
    f.putArray("details").addObject().put("name", "Message").put("value", message);
    return f;
  }

  private static ObjectNode serverFailure(Throwable e) {
    ObjectNode f = failureInfo("NodeAgentError", "The double failed to run the command: " + e);
    f.put("category", "serverError");
    return f;
  }

  // ------------------------------------------------------------------ scheduling

  /** Starts active tasks on free slots: jobs by priority then age, tasks in submission order. */
  void schedule() {
    if (closed) {
      return;
    }
    for (Sim.Pool pool : pools.values()) {
      List<Sim.Node> ready = new ArrayList<>();
      for (Sim.Node n : pool.nodes.values()) {
        if (n.takesTasks()) {
          ready.add(n);
        }
      }
      if (ready.stream().noneMatch(n -> n.freeSlots() > 0)) {
        continue;
      }
      List<Sim.Job> poolJobs = new ArrayList<>();
      for (Sim.Job j : jobs.values()) {
        if (j.state.equals("active") && j.poolId.equalsIgnoreCase(pool.id)) {
          poolJobs.add(j);
        }
      }
      poolJobs.sort(
          Comparator.comparingInt((Sim.Job j) -> -j.priority).thenComparingLong(j -> j.seq));
      jobs:
      for (Sim.Job job : poolJobs) {
        int running = 0;
        if (job.maxParallelTasks != null && job.maxParallelTasks > 0) {
          for (Sim.Task t : job.tasks.values()) {
            if (t.current != null) {
              running++;
            }
          }
        }
        for (Sim.Task task : job.tasks.values()) {
          if (!task.state.equals("active") || task.current != null) {
            continue;
          }
          if (job.maxParallelTasks != null
              && job.maxParallelTasks > 0
              && running >= job.maxParallelTasks) {
            continue jobs;
          }
          if (!dependenciesMet(task)) {
            continue;
          }
          Sim.Node node = pick(ready, task.requiredSlots, pool.pack);
          if (node == null) {
            if (ready.stream().noneMatch(n -> n.freeSlots() > 0)) {
              break jobs;
            }
            continue;
          }
          startExecution(task, node);
          running++;
        }
      }
    }
  }

  private static Sim.Node pick(List<Sim.Node> nodes, int slots, boolean pack) {
    Sim.Node best = null;
    for (Sim.Node n : nodes) {
      if (n.freeSlots() < slots) {
        continue;
      }
      if (best == null
          || (pack ? n.freeSlots() < best.freeSlots() : n.freeSlots() > best.freeSlots())) {
        best = n;
      }
    }
    return best;
  }

  private boolean dependenciesMet(Sim.Task task) {
    JsonNode deps = task.spec.get("dependsOn");
    if (deps == null || deps.isNull()) {
      return true;
    }
    for (JsonNode id : deps.path("taskIds")) {
      if (!succeeded(task.job, id.asText())) {
        return false;
      }
    }
    for (JsonNode range : deps.path("taskIdRanges")) {
      int start = range.path("start").asInt();
      int end = range.path("end").asInt();
      for (int i = start; i <= end; i++) {
        if (!succeeded(task.job, Integer.toString(i))) {
          return false;
        }
      }
    }
    return true;
  }

  private static boolean succeeded(Sim.Job job, String taskId) {
    Sim.Task t = job.tasks.get(key(taskId));
    return t != null && t.state.equals("completed") && "success".equals(t.result);
  }

  private void startExecution(Sim.Task task, Sim.Node node) {
    Sim.Execution ex = new Sim.Execution(task, node, task.requiredSlots);
    node.running.add(ex);
    node.usedSlots += ex.slots;
    if (node.state.equals("idle")) {
      node.state = "running";
      node.stateTransition = Instant.now();
    }
    task.current = ex;
    task.node = node;
    Sim.Job job = task.job;
    boolean waitForPrep = false;
    if (job.prep != null) {
      Sim.JobPrep prep = node.jobPreps.get(key(job.id));
      if (prep == null) {
        prep = startJobPrep(node, job);
      }
      waitForPrep = job.prepWaitsForSuccess() && !Boolean.TRUE.equals(prep.done.getNow(null));
    }
    transition(task, waitForPrep ? "preparing" : "running");
    workers.execute(() -> runTask(ex));
  }

  private Sim.JobPrep startJobPrep(Sim.Node node, Sim.Job job) {
    Sim.JobPrep prep = new Sim.JobPrep(job, node, node.jobDir(job.id).resolve(job.prepId));
    prep.execution = new Sim.Execution(null, node, 0);
    prep.info.state = "running";
    prep.info.startTime = Instant.now();
    node.jobPreps.put(key(job.id), prep);
    Map<String, String> env = NodeAgent.baseEnvironment();
    NodeAgent.addSettings(env, job.spec.get("commonEnvironmentSettings"));
    NodeAgent.addSettings(env, job.prep.get("environmentSettings"));
    env.putAll(nodeEnvironment(node));
    env.putAll(jobEnvironment(job, node));
    env.put("AZ_BATCH_TASK_ID", job.prepId);
    env.put("AZ_BATCH_TASK_DIR", prep.dir.toString());
    env.put("AZ_BATCH_TASK_WORKING_DIR", prep.dir.resolve("wd").toString());
    workers.execute(() -> runJobPrep(prep, env));
    return prep;
  }

  private void runJobPrep(Sim.JobPrep prep, Map<String, String> env) {
    JsonNode spec = prep.job.prep;
    Path wd = prep.dir.resolve("wd");
    Integer maxRetries = Json.integer(spec.path("constraints"), "maxTaskRetryCount");
    int max = maxRetries == null ? 0 : maxRetries;
    Duration maxWall = duration(Json.text(spec.path("constraints"), "maxWallClockTime"));
    try {
      Files.createDirectories(wd);
      while (true) {
        String code;
        String message;
        Integer exit = null;
        boolean retryable = true;
        try {
          agent.downloadResourceFiles(spec.get("resourceFiles"), wd);
          NodeAgent.RunResult r =
              agent.run(
                  prep.execution,
                  Json.text(spec, "commandLine"),
                  wd,
                  prep.dir.resolve("stdout.txt"),
                  prep.dir.resolve("stderr.txt"),
                  env,
                  maxWall);
          if (r == null) {
            prep.done.complete(false);
            return;
          }
          exit = r.exitCode;
          if (r.exitCode == 0 && !r.timedOut) {
            synchronized (lock) {
              completeRun(prep.info, 0, null);
            }
            prep.done.complete(true);
            return;
          }
          code = r.timedOut ? "MaxWallClockTimeExpiry" : "FailureExitCode";
          message =
              r.timedOut
                  ? "The job preparation task exceeded its maximum wall clock time"
                  : "The task process exited with an unexpected exit code";
          retryable = !r.timedOut;
        } catch (NodeAgent.StepFailure f) {
          code = f.code;
          message = f.getMessage();
          retryable = false;
        }
        synchronized (lock) {
          if (prep.execution.cancelled()) {
            prep.done.complete(false);
            return;
          }
          if (retryable && (max == -1 || prep.info.retryCount < max)) {
            prep.info.retryCount++;
            prep.info.lastRetryTime = Instant.now();
            continue;
          }
          completeRun(prep.info, exit, failureInfo(code, message));
        }
        prep.done.complete(false);
        return;
      }
    } catch (IOException | RuntimeException e) {
      synchronized (lock) {
        completeRun(prep.info, null, serverFailure(e));
      }
      prep.done.complete(false);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      prep.done.complete(false);
    }
  }

  private void runTask(Sim.Execution ex) {
    Sim.Task t = ex.task;
    Sim.Node node = ex.node;
    Sim.Job job = t.job;
    try {
      Sim.JobPrep prep = null;
      synchronized (lock) {
        if (ex.cancelled()) {
          return;
        }
        if (job.prep != null && job.prepWaitsForSuccess()) {
          prep = node.jobPreps.get(key(job.id));
        }
      }
      if (prep != null) {
        Boolean ok = null;
        while (ok == null) {
          if (ex.cancelled()) {
            return;
          }
          try {
            ok = prep.done.get(200, TimeUnit.MILLISECONDS);
          } catch (TimeoutException e) {
            // keep waiting, checking for cancellation
          } catch (java.util.concurrent.ExecutionException e) {
            ok = false;
          }
        }
        if (!ok) {
          finishWithoutRun(
              ex,
              failureInfo(
                  "JobPreparationTaskFailed",
                  "The job preparation task failed on node "
                      + node.id
                      + "; tasks of this job cannot run there"));
          return;
        }
      }
      Path dir;
      Map<String, String> env;
      boolean injected;
      Duration maxWall;
      synchronized (lock) {
        if (ex.cancelled()) {
          return;
        }
        if (!t.state.equals("running")) {
          transition(t, "running");
        }
        t.startTime = Instant.now();
        t.endTime = null;
        t.exitCode = null;
        t.result = null;
        t.failureInfo = null;
        touch(t);
        dir = t.dir();
        env = NodeAgent.baseEnvironment();
        NodeAgent.addSettings(env, job.spec.get("commonEnvironmentSettings"));
        NodeAgent.addSettings(env, t.spec.get("environmentSettings"));
        env.putAll(nodeEnvironment(node));
        env.putAll(jobEnvironment(job, node));
        env.put("AZ_BATCH_TASK_ID", t.id);
        env.put("AZ_BATCH_TASK_DIR", dir.toString());
        env.put("AZ_BATCH_TASK_WORKING_DIR", dir.resolve("wd").toString());
        injected = consumeInjectedFailure(t);
        maxWall = duration(Json.text(t.constraints, "maxWallClockTime"));
      }
      ObjectNode containerFailure = containers.taskFailure(node.pool.spec, t.spec);
      if (containerFailure != null) {
        finishWithoutRun(ex, containerFailure);
        return;
      }
      Path wd = dir.resolve("wd");
      Files.createDirectories(wd);
      try {
        agent.downloadResourceFiles(t.spec.get("resourceFiles"), wd);
      } catch (NodeAgent.StepFailure f) {
        finishWithoutRun(ex, failureInfo(f.code, f.getMessage()));
        return;
      }
      NodeAgent.RunResult r;
      if (injected) {
        Files.write(dir.resolve("stdout.txt"), new byte[0]);
        Files.write(
            dir.resolve("stderr.txt"),
            "batch double: injected task failure\n".getBytes(StandardCharsets.UTF_8));
        r = new NodeAgent.RunResult(1, false);
      } else {
        r =
            agent.run(
                ex,
                Json.text(t.spec, "commandLine"),
                wd,
                dir.resolve("stdout.txt"),
                dir.resolve("stderr.txt"),
                env,
                maxWall);
        if (r == null) {
          return;
        }
      }
      NodeAgent.StepFailure upload = null;
      try {
        agent.uploadOutputFiles(t.spec.get("outputFiles"), wd, r.exitCode);
      } catch (NodeAgent.StepFailure f) {
        upload = f;
      }
      finishRun(ex, r, upload);
    } catch (IOException | RuntimeException e) {
      finishWithoutRun(ex, serverFailure(e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void finishRun(Sim.Execution ex, NodeAgent.RunResult r, NodeAgent.StepFailure upload) {
    synchronized (lock) {
      if (ex.cancelled()) {
        return;
      }
      release(ex);
      Sim.Task t = ex.task;
      ex.node.totalTasksRun++;
      t.exitCode = r.exitCode;
      t.endTime = Instant.now();
      if (r.exitCode == 0 && !r.timedOut && upload == null) {
        ex.node.totalTasksSucceeded++;
        finishTask(t, "success", null);
      } else if (r.timedOut) {
        finishTask(
            t,
            "failure",
            failureInfo(
                "MaxWallClockTimeExpiry", "The task ran longer than its maximum wall clock time"));
      } else if (r.exitCode != 0) {
        ObjectNode failure =
            failureInfo("FailureExitCode", "The task process exited with an unexpected exit code");
        int max = maxRetries(t);
        if (max == -1 || t.retryCount < max) {
          t.retryCount++;
          t.lastRetryTime = Instant.now();
          t.result = "failure";
          t.failureInfo = failure;
          transition(t, "active");
        } else {
          finishTask(t, "failure", failure);
        }
      } else {
        finishTask(t, "failure", failureInfo(upload.code, upload.getMessage()));
      }
      checkAutoTerminate(t.job);
      schedule();
    }
  }

  /** Completes a task that failed before its command ran (not retried, like Batch). */
  private void finishWithoutRun(Sim.Execution ex, ObjectNode failure) {
    synchronized (lock) {
      if (ex.cancelled()) {
        return;
      }
      release(ex);
      Sim.Task t = ex.task;
      t.endTime = Instant.now();
      t.exitCode = null;
      finishTask(t, "failure", failure);
      checkAutoTerminate(t.job);
      schedule();
    }
  }

  // ------------------------------------------------------------------ environment

  Map<String, String> nodeEnvironment(Sim.Node node) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("AZ_BATCH_ACCOUNT_NAME", account);
    env.put("AZ_BATCH_ACCOUNT_URL", accountUrl);
    env.put("AZ_BATCH_POOL_ID", node.pool.id);
    env.put("AZ_BATCH_NODE_ID", node.id);
    env.put("AZ_BATCH_NODE_IS_DEDICATED", Boolean.toString(node.dedicated));
    env.put("AZ_BATCH_NODE_ROOT_DIR", node.root.toString());
    env.put("AZ_BATCH_NODE_SHARED_DIR", node.root.resolve("shared").toString());
    env.put("AZ_BATCH_NODE_STARTUP_DIR", node.startupDir().toString());
    env.put("AZ_BATCH_NODE_STARTUP_WORKING_DIR", node.startupDir().resolve("wd").toString());
    env.put("AZ_BATCH_NODE_MOUNTS_DIR", node.root.resolve("fsmounts").toString());
    return env;
  }

  private static Map<String, String> jobEnvironment(Sim.Job job, Sim.Node node) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("AZ_BATCH_JOB_ID", job.id);
    if (job.prep != null) {
      Path prepDir = node.jobDir(job.id).resolve(job.prepId);
      env.put("AZ_BATCH_JOB_PREP_DIR", prepDir.toString());
      env.put("AZ_BATCH_JOB_PREP_WORKING_DIR", prepDir.resolve("wd").toString());
    }
    return env;
  }

  static Duration duration(String iso) {
    if (iso == null) {
      return null;
    }
    try {
      Duration d = Duration.parse(iso);
      return d.isNegative() || d.isZero() || d.toDays() > 3650 ? null : d;
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private static void checkId(String name, String id) throws ApiException {
    if (!ID.matcher(id).matches()) {
      throw ApiException.invalidProperty(
          name, "ids have 1 to 64 letters, digits, hyphens and underscores");
    }
  }

  // ------------------------------------------------------------------ shutdown

  void close() {
    synchronized (lock) {
      closed = true;
      for (Sim.Pool pool : pools.values()) {
        for (Sim.Node n : pool.nodes.values()) {
          if (n.startTaskExecution != null) {
            n.startTaskExecution.cancel();
          }
          for (Sim.JobPrep prep : n.jobPreps.values()) {
            if (prep.execution != null) {
              prep.execution.cancel();
            }
            prep.done.complete(false);
          }
          for (Sim.Execution ex : n.running) {
            ex.cancel();
          }
        }
      }
    }
    agent.killAll(Duration.ofSeconds(5));
    workers.shutdownNow();
    try {
      workers.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

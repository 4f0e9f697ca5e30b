package dev.redwood.runner.batch.azure.restdouble;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
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
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * The simulated Batch account: pools of nodes with task slots, jobs, tasks, the scheduler and the
 * node-side runs. One lock ({@link #lock}) guards all state; commands run on worker threads outside
 * it.
 */
final class BatchEngine {
  static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  /** Evaluation intervals the service accepts for autoscale (REST reference). */
  static final Duration MIN_AUTOSCALE_INTERVAL = Duration.ofMinutes(5);

  static final Duration MAX_AUTOSCALE_INTERVAL = Duration.ofHours(168);
  static final Duration DEFAULT_AUTOSCALE_INTERVAL = Duration.ofMinutes(15);

  /** How long a pool's task samples are kept for its formula. */
  private static final Duration SAMPLE_HISTORY = Duration.ofHours(24);

  final Object lock = new Object();
  final String account;
  final Path root;
  final NodeAgent agent;
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
  private final ScheduledExecutorService autoScaleTimer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "batch-double-autoscale");
            t.setDaemon(true);
            return t;
          });
  private final List<FailureRule> taskFailures = new ArrayList<>();
  private final java.util.Set<String> failingStartTaskPools = new java.util.HashSet<>();
  private final List<Pattern> prepFailures = new ArrayList<>();
  volatile AccountLimits limits = AccountLimits.defaults();
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "batch-double-clock");
            t.setDaemon(true);
            return t;
          });
  private long seq;
  private long etagCounter;

  /** When each completed task (by URL) was first in an answer: when a client could see it. */
  final Map<String, Instant> firstReportedCompleted =
      new java.util.concurrent.ConcurrentHashMap<>();

  void reportedCompleted(String taskUrl) {
    firstReportedCompleted.putIfAbsent(taskUrl, Instant.now());
  }

  BatchRestDouble.TaskTiming timing(Sim.Task t) {
    String url = accountUrl + "/jobs/" + t.job.id + "/tasks/" + t.id;
    return new BatchRestDouble.TaskTiming(
        t.job.id,
        t.id,
        t.state,
        t.node == null ? null : t.node.pool.id,
        t.startTime,
        t.endTime,
        firstReportedCompleted.get(url),
        t.requeueCount);
  }

  /** Task executions started (not job preparations or start tasks): reruns show as extra ones. */
  final java.util.concurrent.atomic.AtomicLong taskExecutions =
      new java.util.concurrent.atomic.AtomicLong();

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
    this.agent = new NodeAgent(root);
    autoScaleTimer.scheduleWithFixedDelay(
        () -> {
          synchronized (lock) {
            autoScaleTick();
          }
        },
        100,
        100,
        TimeUnit.MILLISECONDS);
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
    String vmSizeName = Json.required(spec, "vmSize");
    ResourceFileLimit.check(spec.get("startTask"));
    ContainerRuntime.checkPool(spec);
    Sim.Pool existing = pools.get(key(id));
    if (existing != null && existing.deleting()) {
      throw poolBeingDeleted();
    }
    if (existing != null) {
      throw ApiException.conflict("PoolExists", "The specified pool already exists.");
    }
    VmSizes.VmSize size =
        VmSizes.find(vmSizeName)
            .orElseThrow(
                () ->
                    ApiException.invalidProperty(
                        "vmSize",
                        "The VM size '"
                            + vmSizeName
                            + "' is not available to Batch pools of this account."));
    Integer slots = Json.integer(spec, "taskSlotsPerNode");
    int slotsPerNode = slots == null ? 1 : slots;
    if (slotsPerNode < 1 || slotsPerNode > size.maxTaskSlots()) {
      throw ApiException.invalidProperty(
          "taskSlotsPerNode",
          "taskSlotsPerNode must be between 1 and "
              + size.maxTaskSlots()
              + " for "
              + size.name()
              + " ("
              + size.vCpus()
              + " vCPUs): at most the smaller of 4 x vCPUs and 256.");
    }
    String fill = Json.text(spec.path("taskSchedulingPolicy"), "nodeFillType");
    Sim.Pool pool =
        new Sim.Pool(
            id, nextSeq(), Instant.now(), spec, size, slotsPerNode, "pack".equalsIgnoreCase(fill));
    touch(pool);
    Integer d = Json.integer(spec, "targetDedicatedNodes");
    Integer l = Json.integer(spec, "targetLowPriorityNodes");
    pool.targetDedicated = d == null ? 0 : d;
    pool.targetLowPriority = l == null ? 0 : l;
    String lowPriorityProperty = "targetLowPriorityNodes";
    if (Boolean.TRUE.equals(Json.bool(spec, "enableAutoScale"))) {
      String formula = Json.text(spec, "autoScaleFormula");
      if (formula == null) {
        throw ApiException.missingProperty("autoScaleFormula");
      }
      // The spec: node targets must not be given when the formula sets them.
      for (String target : new String[] {"targetDedicatedNodes", "targetLowPriorityNodes"}) {
        if (Json.integer(spec, target) != null) {
          throw ApiException.invalidProperty(
              target, "must not be specified when enableAutoScale is true");
        }
      }
      AutoscaleFormula compiled = compileFormula(formula);
      Duration interval = autoScaleInterval(Json.text(spec, "autoScaleEvaluationInterval"));
      applyAutoScale(pool, formula, compiled, interval);
      lowPriorityProperty = "autoScaleFormula";
    } else if (spec.hasNonNull("autoScaleFormula")) {
      throw ApiException.invalidProperty(
          "autoScaleFormula", "must not be specified when enableAutoScale is not true");
    }
    checkLowPriorityAllowed(pool.targetLowPriority, lowPriorityProperty);
    pools.put(key(id), pool);
    adjustNodes(pool);
    return pool;
  }

  /** Compiles a formula; refuses it as the service does when a formula is set. */
  static AutoscaleFormula compileFormula(String formula) throws ApiException {
    if (formula.length() > AutoscaleFormula.MAX_LENGTH) {
      throw ApiException.badRequest(
              "AutoScaleFormulaTooLong",
              "The specified auto-scaling formula exceeds lengths limit.")
          .value("MaxLength", Integer.toString(AutoscaleFormula.MAX_LENGTH));
    }
    try {
      return AutoscaleFormula.compile(formula);
    } catch (AutoscaleFormula.FormulaError e) {
      if (e.unsupported) {
        throw new ApiException(
                501,
                "NotImplemented",
                "The Batch REST double cannot evaluate this autoscale formula.")
            .value("Message", e.getMessage());
      }
      throw ApiException.badRequest(
              "AutoScalingFormulaSyntaxError",
              "The specified auto-scaling formula has a syntax error.")
          .value("Message", e.getMessage());
    }
  }

  /** An evaluation interval (ISO-8601), null for the default; 5 minutes to 168 hours. */
  static Duration autoScaleInterval(String iso) throws ApiException {
    if (iso == null) {
      return null;
    }
    Duration d;
    try {
      d = Duration.parse(iso);
    } catch (DateTimeParseException e) {
      throw ApiException.invalidProperty("autoScaleEvaluationInterval", "not a duration: " + iso);
    }
    if (d.compareTo(MIN_AUTOSCALE_INTERVAL) < 0 || d.compareTo(MAX_AUTOSCALE_INTERVAL) > 0) {
      throw ApiException.invalidProperty(
          "autoScaleEvaluationInterval",
          "the interval is " + iso + "; it must be between 5 minutes and 168 hours");
    }
    return d;
  }

  /**
   * Enables autoscale with a compiled formula (interval null: keep the current one, or the default)
   * and evaluates it at once, as the service does; the schedule restarts now.
   */
  void applyAutoScale(Sim.Pool pool, String text, AutoscaleFormula formula, Duration interval) {
    Instant now = autoScaleClock();
    if (!pool.autoScale) {
      pool.autoScaleInterval = DEFAULT_AUTOSCALE_INTERVAL;
      pool.autoScaleEvaluationInterval = null;
      pool.nextSample = now.plus(AutoscaleFormula.SAMPLE_PERIOD);
    }
    pool.autoScale = true;
    pool.formula = text;
    pool.compiledFormula = formula;
    if (interval != null) {
      pool.autoScaleInterval = interval;
      pool.autoScaleEvaluationInterval = interval.toString();
    }
    evaluateAutoScale(pool, now);
  }

  /**
   * Evaluates the pool's formula now and applies its targets (an error leaves them as they are).
   */
  void evaluateAutoScale(Sim.Pool pool, Instant now) {
    AutoscaleFormula.AutoscaleRun run = pool.compiledFormula.evaluate(autoScaleInputs(pool, now));
    pool.autoScaleRun = run;
    pool.autoScaleTime = now;
    pool.autoScaleResults = run.results();
    pool.nextAutoScaleEvaluation = now.plus(pool.autoScaleInterval);
    int dedicated = pool.targetDedicated;
    int low = pool.targetLowPriority;
    if (!run.failed()) {
      if (run.nodeDeallocationOption() != null) {
        pool.nodeDeallocationOption = run.nodeDeallocationOption();
      }
      if (run.targetDedicated() != null) {
        pool.targetDedicated = run.targetDedicated();
      }
      if (run.targetLowPriority() != null) {
        pool.targetLowPriority = run.targetLowPriority();
      }
    }
    touch(pool);
    // Like the service, a resize starts only when the targets change.
    if (pool.targetDedicated != dedicated || pool.targetLowPriority != low) {
      adjustNodes(pool);
    }
  }

  AutoscaleFormula.Inputs autoScaleInputs(Sim.Pool pool, Instant now) {
    int dedicated = 0;
    int low = 0;
    for (Sim.Node n : pool.nodes.values()) {
      if (n.dedicated) {
        dedicated++;
      } else {
        low++;
      }
    }
    return new AutoscaleFormula.Inputs(
        now,
        List.copyOf(pool.samples),
        dedicated,
        low,
        pool.targetDedicated,
        pool.targetLowPriority,
        pool.slotsPerNode);
  }

  /** Records one sample of the task counts of the pool's active jobs. */
  void sampleTasks(Sim.Pool pool, Instant now) {
    int active = 0;
    int running = 0;
    int succeeded = 0;
    int failed = 0;
    for (Sim.Job job : jobs.values()) {
      if (!job.state.equals("active") || !job.poolId.equalsIgnoreCase(pool.id)) {
        continue;
      }
      for (Sim.Task t : job.tasks.values()) {
        switch (t.state) {
          case "active":
            // The service counts active tasks whose dependencies are met.
            if (dependenciesMet(t)) {
              active++;
            }
            break;
          case "completed":
            if ("success".equals(t.result)) {
              succeeded++;
            } else {
              failed++;
            }
            break;
          default:
            running++;
        }
      }
    }
    pool.samples.add(new AutoscaleFormula.Sample(now, active, running, succeeded, failed));
    Instant oldest = now.minus(SAMPLE_HISTORY);
    while (!pool.samples.isEmpty() && pool.samples.get(0).at().isBefore(oldest)) {
      pool.samples.remove(0);
    }
    pool.nextSample = now.plus(AutoscaleFormula.SAMPLE_PERIOD);
  }

  /** Takes the samples and runs the evaluations that are due (called every 100 ms). */
  void autoScaleTick() {
    if (closed) {
      return;
    }
    Instant now = autoScaleClock();
    for (Sim.Pool pool : new ArrayList<>(pools.values())) {
      if (!pool.autoScale) {
        continue;
      }
      // A tick may span several sampling periods of sped-up service time: take each sample.
      for (int i = 0; i < 1000 && !now.isBefore(pool.nextSample); i++) {
        sampleTasks(pool, pool.nextSample);
      }
      if (!now.isBefore(pool.nextSample)) {
        pool.nextSample = now.plus(AutoscaleFormula.SAMPLE_PERIOD);
      }
      if (!now.isBefore(pool.nextAutoScaleEvaluation)) {
        evaluateAutoScale(pool, now);
      }
    }
  }

  private final Object clockLock = new Object();
  // The service clock runs piecewise: a new time scale applies from when it is first read, so
  // changing the account's limits never moves the service time already passed (nor backwards).
  private Instant clockRealAnchor = Instant.now();
  private Instant clockServiceAnchor = clockRealAnchor;
  private double clockScale = Double.NaN;

  /**
   * The service time autoscale samples and evaluates by (the double's one clock read for it): real
   * time since the engine started, sped up by the account's time scale, so that 5-minute evaluation
   * intervals and 30-second samples pass as fast as allocations do.
   */
  Instant autoScaleClock() {
    double scale = limits.timeScale() > 0 ? limits.timeScale() : 1.0 / 1200;
    synchronized (clockLock) {
      Instant real = Instant.now();
      if (scale != clockScale) {
        if (!Double.isNaN(clockScale)) {
          clockServiceAnchor = serviceTime(real, clockScale);
          clockRealAnchor = real;
        }
        clockScale = scale;
      }
      return serviceTime(real, scale);
    }
  }

  private Instant serviceTime(Instant real, double scale) {
    long realNanos = Duration.between(clockRealAnchor, real).toNanos();
    return clockServiceAnchor.plusNanos((long) (realNanos / scale));
  }

  /** Pool_Resize: refused while the pool resizes or is deleted; then moves to the targets. */
  void resize(Sim.Pool pool, Integer dedicated, Integer lowPriority, String deallocationOption)
      throws ApiException {
    checkNotDeleting(pool);
    if (pool.allocationState.equals("resizing")) {
      throw ApiException.conflict(
          "PoolBeingResized",
          "The specified pool is being resized; resize it again once its allocationState is"
              + " steady (or stop the resize).");
    }
    if (lowPriority != null) {
      checkLowPriorityAllowed(lowPriority, "targetLowPriorityNodes");
    }
    if (dedicated != null) {
      pool.targetDedicated = dedicated;
    }
    if (lowPriority != null) {
      pool.targetLowPriority = lowPriority;
    }
    pool.nodeDeallocationOption = normalizeDeallocation(deallocationOption);
    touch(pool);
    adjustNodes(pool);
  }

  /** Pool_StopResize: the pool is steady at the nodes it has now. */
  void stopResize(Sim.Pool pool) throws ApiException {
    checkNotDeleting(pool);
    pool.resizeGeneration++;
    pool.allocating = false;
    setAllocationState(pool, "steady");
    touch(pool);
  }

  void checkNotDeleting(Sim.Pool pool) throws ApiException {
    if (pool.deleting()) {
      throw poolBeingDeleted();
    }
  }

  private static ApiException poolBeingDeleted() {
    return ApiException.conflict(
        "PoolBeingDeleted",
        "The specified pool has been marked for deletion and is being reclaimed.");
  }

  /** Low-priority (Spot) nodes need a UserSubscription account, as on the service since 2025. */
  void checkLowPriorityAllowed(int lowPriorityNodes, String property) throws ApiException {
    if (lowPriorityNodes > 0
        && limits.poolAllocationMode() == AccountLimits.PoolAllocationMode.BATCH_SERVICE) {
      throw ApiException.invalidProperty(property, LOW_PRIORITY_REFUSED);
    }
  }

  private static final String LOW_PRIORITY_REFUSED =
      "Low-priority/Spot nodes are not available on this account: its pool allocation mode is"
          + " BatchService, and Spot VMs need a Batch account in UserSubscription pool allocation"
          + " mode (low-priority VMs on Batch-managed accounts were retired on 30 Sep 2025).";

  private static String normalizeDeallocation(String option) throws ApiException {
    if (option == null) {
      return "requeue";
    }
    for (String known : new String[] {"requeue", "terminate", "taskcompletion", "retaineddata"}) {
      if (known.equalsIgnoreCase(option)) {
        return known;
      }
    }
    throw ApiException.invalidProperty("nodeDeallocationOption", "unknown value " + option);
  }

  /**
   * Starts moving the pool to its targets: the pool is {@code resizing}; surplus nodes leave now
   * (per the pool's node deallocation option); after the allocation delay the leaving nodes go and
   * new nodes are allocated as far as the quotas allow (the rest as {@code resizeErrors}).
   */
  void adjustNodes(Sim.Pool pool) {
    if (pool.deleting()) {
      return;
    }
    if (pool.allocationState.equals("steady")
        && counted(pool, true).size() == pool.targetDedicated
        && counted(pool, false).size() == pool.targetLowPriority) {
      return; // e.g. an autoscale evaluation that keeps the targets: no resize
    }
    long generation = ++pool.resizeGeneration;
    pool.allocating = true;
    pool.resizeErrors.clear();
    setAllocationState(pool, "resizing");
    for (boolean dedicated : new boolean[] {true, false}) {
      List<Sim.Node> current = counted(pool, dedicated);
      int target = dedicated ? pool.targetDedicated : pool.targetLowPriority;
      if (current.size() > target) {
        // Unusable and not yet ready nodes go first, then the least busy, then the newest.
        current.sort(
            Comparator.comparingInt((Sim.Node n) -> n.takesTasks() ? 1 : 0)
                .thenComparingInt(n -> n.running.size())
                .thenComparing(n -> -n.ordinal));
        for (Sim.Node n : current.subList(0, current.size() - target)) {
          startLeaving(n, pool.nodeDeallocationOption);
        }
      }
    }
    later(limits.poolAllocationDelay(), () -> allocate(pool, generation));
    schedule();
  }

  private List<Sim.Node> counted(Sim.Pool pool, boolean dedicated) {
    List<Sim.Node> out = new ArrayList<>();
    for (Sim.Node n : pool.nodes.values()) {
      if (n.dedicated == dedicated && n.counted()) {
        out.add(n);
      }
    }
    return out;
  }

  /** The resize comes due: leaving nodes go (once idle), missing nodes are allocated. */
  private void allocate(Sim.Pool pool, long generation) {
    if (pool.resizeGeneration != generation || pool.deleting() || pools.get(key(pool.id)) != pool) {
      return;
    }
    for (Sim.Node n : new ArrayList<>(pool.nodes.values())) {
      if (n.state.equals("leavingpool")) {
        n.leaveDue = true;
        if (n.running.isEmpty()) {
          removeNode(n);
        }
      }
    }
    for (boolean dedicated : new boolean[] {true, false}) {
      int missing =
          (dedicated ? pool.targetDedicated : pool.targetLowPriority)
              - counted(pool, dedicated).size();
      for (int i = 0; i < missing; i++) {
        ObjectNode error = quotaError(pool, dedicated, missing - i);
        if (error != null) {
          pool.resizeErrors.add(error);
          break;
        }
        addNode(pool, dedicated);
      }
    }
    pool.allocating = false;
    touch(pool);
    maybeSteady(pool);
    schedule();
  }

  /** Steady once the allocation is done and no node is still leaving. */
  private void maybeSteady(Sim.Pool pool) {
    if (pool.allocating || pool.deleting()) {
      return;
    }
    for (Sim.Node n : pool.nodes.values()) {
      if (n.state.equals("leavingpool")) {
        return;
      }
    }
    setAllocationState(pool, "steady");
  }

  private static void setAllocationState(Sim.Pool pool, String state) {
    if (!pool.allocationState.equals(state)) {
      pool.allocationState = state;
      pool.allocationStateTransition = Instant.now();
    }
  }

  /** Null when one more node fits the account's quotas, else the resize error that stops it. */
  private ObjectNode quotaError(Sim.Pool pool, boolean dedicated, int stillMissing) {
    AccountLimits l = limits;
    VmSizes.VmSize size = pool.vmSize;
    int need = size.vCpus();
    if (!dedicated) {
      if (l.poolAllocationMode() == AccountLimits.PoolAllocationMode.BATCH_SERVICE) {
        return resizeError(
            "AccountLowPriorityCoreQuotaReached", LOW_PRIORITY_REFUSED, 0, 0, stillMissing, pool);
      }
      int used = coresInUse(n -> !n.dedicated);
      return used + need <= l.lowPriorityCoreQuota()
          ? null
          : resizeError(
              "AccountLowPriorityCoreQuotaReached",
              "The specified account has reached its low-priority/Spot core quota.",
              l.lowPriorityCoreQuota(),
              used,
              stillMissing,
              pool);
    }
    int family = coresInUse(n -> n.dedicated && n.pool.vmSize.family().equals(size.family()));
    if (family + need > l.familyCoreQuota(size.family())) {
      return resizeError(
          "AccountVMSeriesCoreQuotaReached",
          "The specified account has reached its dedicated core quota for the VM series "
              + size.family()
              + ".",
          l.familyCoreQuota(size.family()),
          family,
          stillMissing,
          pool);
    }
    int total = coresInUse(n -> n.dedicated);
    if (total + need > l.dedicatedCoreQuota()) {
      return resizeError(
          "AccountCoreQuotaReached",
          "The specified account has reached its total dedicated core quota.",
          l.dedicatedCoreQuota(),
          total,
          stillMissing,
          pool);
    }
    return null;
  }

  private int coresInUse(java.util.function.Predicate<Sim.Node> which) {
    int cores = 0;
    for (Sim.Pool p : pools.values()) {
      for (Sim.Node n : p.nodes.values()) {
        if (n.holdsCores() && which.test(n)) {
          cores += p.vmSize.vCpus();
        }
      }
    }
    return cores;
  }

  private static ObjectNode resizeError(
      String code, String message, int quota, int inUse, int missing, Sim.Pool pool) {
    ObjectNode e = Json.object();
    e.put("code", code);
    e.put(
        "message",
        message
            + " Quota: "
            + quota
            + " cores, in use: "
            + inUse
            + "; "
            + missing
            + " more "
            + pool.vmSize.name()
            + " node(s) of "
            + pool.vmSize.vCpus()
            + " vCPUs could not be allocated to pool "
            + pool.id
            + ". Ask for a quota increase or use a smaller pool.");
    ArrayNode values = e.putArray("values");
    values.addObject().put("name", "CoreQuota").put("value", Integer.toString(quota));
    values.addObject().put("name", "CoresInUse").put("value", Integer.toString(inUse));
    return e;
  }

  /**
   * Pool_Delete: the pool is {@code deleting} (its tasks requeued, its nodes leaving) for the
   * deletion delay, then gone.
   */
  void deletePool(Sim.Pool pool) throws ApiException {
    checkNotDeleting(pool);
    pool.resizeGeneration++;
    pool.allocating = false;
    pool.state = "deleting";
    pool.stateTransition = Instant.now();
    setAllocationState(pool, "resizing");
    touch(pool);
    for (Sim.Node n : new ArrayList<>(pool.nodes.values())) {
      if (!n.state.equals("leavingpool")) {
        startLeaving(n, "requeue");
      }
    }
    later(
        limits.poolDeletionDelay(),
        () -> {
          for (Sim.Node n : new ArrayList<>(pool.nodes.values())) {
            removeNode(n);
          }
          if (pools.get(key(pool.id)) == pool) {
            pools.remove(key(pool.id));
          }
          schedule();
        });
    schedule();
  }

  /** A new node: {@code creating}, then {@code starting}, then it runs its start task. */
  private void addNode(Sim.Pool pool, boolean dedicated) {
    int ordinal = pool.nodeCounter++;
    String id = String.format("tvmps_%06x%06x_%s", pool.seq, ordinal, dedicated ? "d" : "p");
    Path nodeRoot = root.resolve(pool.id).resolve(id);
    try {
      for (String d : new String[] {"startup/wd", "shared", "workitems", "fsmounts"}) {
        Files.createDirectories(nodeRoot.resolve(d));
      }
      if (agent.inProcessJava != null) {
        // Scale mode: the nodes' jar caches are one, as on an image with the jars baked in.
        Path cache = Files.createDirectories(root.resolve("node-image-jars"));
        Files.createDirectories(nodeRoot.resolve("shared/redwood"));
        Files.createSymbolicLink(nodeRoot.resolve("shared/redwood/jars"), cache);
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot create node directories under " + nodeRoot, e);
    }
    Sim.Node node = new Sim.Node(id, pool, dedicated, nodeRoot, Instant.now(), ordinal);
    pool.nodes.put(id, node);
    node.state = "creating";
    Duration half = limits.nodeBootDelay().dividedBy(2);
    later(
        half,
        () -> {
          if (!node.removed && node.state.equals("creating")) {
            setState(node, "starting");
            later(
                half,
                () -> {
                  if (!node.removed && node.state.equals("starting")) {
                    boot(node);
                  }
                });
          }
        });
  }

  /** The node has booted: it runs the pool's start task, or is idle at once without one. */
  private void boot(Sim.Node node) {
    node.error = containers.prefetchError(node.pool.spec);
    if (node.error != null) {
      setState(node, "unusable");
      return;
    }
    JsonNode startTask = node.pool.spec.get("startTask");
    if (startTask == null || startTask.isNull()) {
      setState(node, "idle");
      schedule();
      return;
    }
    Boolean wait = Json.bool(startTask, "waitForSuccess");
    boolean waitForSuccess = wait == null || wait;
    setState(node, waitForSuccess ? "waitingforstarttask" : "idle");
    node.startTask = new Sim.RunInfo();
    node.startTask.state = "running";
    node.startTask.startTime = Instant.now();
    Sim.Execution ex = new Sim.Execution(null, node, 0);
    node.startTaskExecution = ex;
    boolean injected = failingStartTaskPools.contains(key(node.pool.id));
    workers.execute(() -> runStartTask(node, ex, startTask, waitForSuccess, injected));
    schedule();
  }

  private static void setState(Sim.Node node, String state) {
    node.state = state;
    node.stateTransition = Instant.now();
  }

  /**
   * A node leaves its pool: no new tasks; with {@code requeue} its running tasks go back to active,
   * with {@code terminate} they complete as ended, with {@code taskcompletion} or {@code
   * retaineddata} they finish first.
   */
  private void startLeaving(Sim.Node node, String deallocationOption) {
    if (node.startTaskExecution != null) {
      node.startTaskExecution.cancel();
    }
    setState(node, "leavingpool");
    if (deallocationOption.equals("taskcompletion") || deallocationOption.equals("retaineddata")) {
      return;
    }
    for (Sim.Execution ex : new ArrayList<>(node.running)) {
      if (deallocationOption.equals("terminate")) {
        ex.cancel();
        release(ex);
        ex.task.endTime = Instant.now();
        finishTask(ex.task, "failure", failureInfo("TaskEnded", "Task Was Ended by User Request"));
        checkAutoTerminate(ex.task.job);
      } else {
        requeue(ex, true);
      }
    }
  }

  /** Takes a node away: its runs are killed, its running tasks go back to active (requeued). */
  private void removeNode(Sim.Node node) {
    node.removed = true;
    stopRuns(node, true);
    node.pool.nodes.remove(node.id);
  }

  /** Kills a node's start task, job preparations and tasks; the tasks go back to active. */
  private void stopRuns(Sim.Node node, boolean userRequeue) {
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
      requeue(ex, userRequeue);
    }
  }

  /**
   * Preempts a node: its tasks go back to active (without counting a requeue: preemption is not a
   * user request), it stays {@code preempted} for the recovery delay, then a new node replaces it.
   */
  boolean preemptNode(String poolId, String nodeId) {
    Sim.Node node = liveNode(poolId, nodeId);
    if (node == null || node.state.equals("preempted") || node.state.equals("leavingpool")) {
      return false;
    }
    stopRuns(node, false);
    setState(node, "preempted");
    later(
        limits.preemptionRecoveryDelay(),
        () -> {
          if (node.removed) {
            return;
          }
          removeNode(node);
          Sim.Pool pool = node.pool;
          int target = node.dedicated ? pool.targetDedicated : pool.targetLowPriority;
          if (!pool.deleting()
              && pools.get(key(pool.id)) == pool
              && counted(pool, node.dedicated).size() < target
              && quotaError(pool, node.dedicated, 1) == null) {
            addNode(pool, node.dedicated);
          }
          schedule();
        });
    schedule();
    return true;
  }

  /** The node becomes {@code unusable}: its tasks are requeued and it takes no more. */
  boolean makeNodeUnusable(String poolId, String nodeId) {
    Sim.Node node = liveNode(poolId, nodeId);
    if (node == null || node.state.equals("leavingpool")) {
      return false;
    }
    stopRuns(node, false);
    setState(node, "unusable");
    schedule();
    return true;
  }

  private Sim.Node liveNode(String poolId, String nodeId) {
    Sim.Pool pool = pools.get(key(poolId));
    Sim.Node node = pool == null ? null : pool.nodes.get(nodeId);
    return node == null || node.removed ? null : node;
  }

  /** Preempts one running task: its process is killed and it goes back to active. */
  boolean preemptTask(String jobId, String taskId) {
    Sim.Job job = jobs.get(key(jobId));
    Sim.Task task = job == null ? null : job.tasks.get(key(taskId));
    if (task == null || task.current == null) {
      return false;
    }
    requeue(task.current, false);
    schedule();
    return true;
  }

  /** Back to active; {@code requeueCount} counts only requeues the user asked for (resize). */
  private void requeue(Sim.Execution ex, boolean userRequested) {
    ex.cancel();
    release(ex);
    Sim.Task t = ex.task;
    if (!t.state.equals("completed")) {
      if (userRequested) {
        t.requeueCount++;
        t.lastRequeueTime = Instant.now();
      }
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
    if (node.leaveDue && !node.removed && node.running.isEmpty()) {
      removeNode(node);
      maybeSteady(node.pool);
    }
  }

  /** Runs {@code action} under the lock after {@code serviceTime} scaled to real time. */
  private void later(Duration serviceTime, Runnable action) {
    if (closed) {
      return;
    }
    timer.schedule(
        () -> {
          synchronized (lock) {
            if (!closed) {
              action.run();
            }
          }
        },
        limits.real(serviceTime).toNanos(),
        TimeUnit.NANOSECONDS);
  }

  private void runStartTask(
      Sim.Node node, Sim.Execution ex, JsonNode spec, boolean waitForSuccess, boolean injected) {
    Path dir = node.startupDir();
    Path wd = dir.resolve("wd");
    Map<String, String> env = agent.baseEnvironment(node);
    NodeAgent.addSettings(env, spec.get("environmentSettings"));
    env.putAll(nodeEnvironment(node));
    env.put(DockerCli.ELEVATION_VARIABLE, DockerCli.elevation(spec));
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
              injected
                  ? injectedFailure(dir, "start task of pool " + node.pool.id)
                  : agent.run(
                      ex,
                      command,
                      wd,
                      dir.resolve("stdout.txt"),
                      dir.resolve("stderr.txt"),
                      env,
                      null);
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

  /** A run that fails as a test asked: exit code 1 and a stderr that says so. */
  private static NodeAgent.RunResult injectedFailure(Path dir, String what) throws IOException {
    Files.createDirectories(dir);
    Files.write(dir.resolve("stdout.txt"), new byte[0]);
    Files.write(
        dir.resolve("stderr.txt"),
        ("batch double: injected failure of the " + what + "\n").getBytes(StandardCharsets.UTF_8));
    return new NodeAgent.RunResult(1, false);
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
    ResourceFileLimit.check(prep);
    ResourceFileLimit.check(spec.get("jobReleaseTask"));
    checkMetadata(spec.get("metadata"));
    Sim.Job job = new Sim.Job(id, nextSeq(), Instant.now(), spec, poolId);
    Integer priority = Json.integer(spec, "priority");
    job.priority = priority == null ? 0 : priority;
    job.maxParallelTasks = Json.integer(spec, "maxParallelTasks");
    job.onAllTasksComplete = normalizeOnAllTasksComplete(Json.text(spec, "onAllTasksComplete"));
    JsonNode c = spec.get("constraints");
    job.constraints = c != null && c.isObject() ? ((ObjectNode) c).deepCopy() : null;
    String wallClock =
        job.constraints != null ? Json.text(job.constraints, "maxWallClockTime") : null;
    if (wallClock != null && duration(wallClock) == null) {
      throw ApiException.invalidProperty(
          "maxWallClockTime", "must be a positive ISO-8601 duration, got " + wallClock);
    }
    touch(job);
    jobs.put(key(id), job);
    endAtMaxWallClockTime(job);
    checkAutoTerminate(job);
    return job;
  }

  /**
   * Terminates the job once its {@code constraints.maxWallClockTime} has passed since it was
   * created, its running tasks with it ({@code terminateReason: MaxWallClockTimeExpiry}). Counted
   * in real time, not on the scaled service clock: it bounds how long tasks, which run in real time
   * here, may take.
   */
  private void endAtMaxWallClockTime(Sim.Job job) {
    String limit = job.constraints != null ? Json.text(job.constraints, "maxWallClockTime") : null;
    if (limit == null || closed) {
      return;
    }
    timer.schedule(
        () -> {
          synchronized (lock) {
            if (!closed && job.state.equals("active") && jobs.get(key(job.id)) == job) {
              try {
                terminateJob(job, "MaxWallClockTimeExpiry");
              } catch (ApiException e) {
                // Completed meanwhile: nothing to end.
              }
            }
          }
        },
        duration(limit).toMillis(),
        TimeUnit.MILLISECONDS);
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
    checkMetadata(body.get("metadata"));
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

  /**
   * A metadata list as the service takes it: name/value pairs, both required (a job's metadata is
   * the caller's own; the service only stores it, and a PATCH or PUT replaces the whole list).
   */
  static void checkMetadata(JsonNode metadata) throws ApiException {
    if (metadata == null || metadata.isNull()) {
      return;
    }
    if (!metadata.isArray()) {
      throw ApiException.invalidProperty("metadata", "must be a list of name/value pairs");
    }
    for (JsonNode item : metadata) {
      if (!item.isObject() || Json.text(item, "name") == null) {
        throw ApiException.missingProperty("metadata.name");
      }
      if (Json.text(item, "value") == null) {
        throw ApiException.missingProperty("metadata.value");
      }
    }
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

  /** The tasks of deleted jobs, as they ended: what a simulation measures after the run. */
  final List<BatchRestDouble.TaskTiming> deletedJobsTasks =
      java.util.Collections.synchronizedList(new ArrayList<>());

  void deleteJob(Sim.Job job) {
    for (Sim.Task t : job.tasks.values()) {
      deletedJobsTasks.add(timing(t));
    }
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
    ResourceFileLimit.check(spec);
    OutputFileSpecs.check(spec.get("outputFiles"));
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

  void failStartTasks(String poolId) {
    failingStartTaskPools.add(key(poolId));
  }

  void failJobPreparations(Pattern jobId) {
    prepFailures.add(jobId);
  }

  void failTaskExecutions(Pattern taskId, int times) {
    taskFailures.add(new FailureRule(taskId, times));
  }

  void stopInjectingTaskFailures() {
    taskFailures.clear();
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
      if (pool.deleting()) {
        continue;
      }
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
        List<Sim.Node> eligible = new ArrayList<>();
        for (Sim.Node n : ready) {
          if (!preparationFailed(n, job)) {
            eligible.add(n);
          }
        }
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
          Sim.Node node = pick(eligible, task.requiredSlots, pool.pack);
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

  /** With waitForSuccess, a node whose preparation of the job failed gets none of its tasks. */
  private static boolean preparationFailed(Sim.Node node, Sim.Job job) {
    if (job.prep == null || !job.prepWaitsForSuccess()) {
      return false;
    }
    Sim.JobPrep prep = node.jobPreps.get(key(job.id));
    return prep != null && "failure".equals(prep.info.result);
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
    taskExecutions.incrementAndGet();
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
    Map<String, String> env = agent.baseEnvironment(node);
    NodeAgent.addSettings(env, job.spec.get("commonEnvironmentSettings"));
    NodeAgent.addSettings(env, job.prep.get("environmentSettings"));
    env.putAll(nodeEnvironment(node));
    env.putAll(jobEnvironment(job, node));
    env.put(DockerCli.ELEVATION_VARIABLE, DockerCli.elevation(job.prep));
    env.put("AZ_BATCH_TASK_ID", job.prepId);
    env.put("AZ_BATCH_TASK_DIR", prep.dir.toString());
    env.put("AZ_BATCH_TASK_WORKING_DIR", prep.dir.resolve("wd").toString());
    boolean injected = prepFailures.stream().anyMatch(p -> p.matcher(job.id).matches());
    workers.execute(() -> runJobPrep(prep, env, injected));
    return prep;
  }

  private void runJobPrep(Sim.JobPrep prep, Map<String, String> env, boolean injected) {
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
              injected
                  ? injectedFailure(prep.dir, "job preparation task of job " + prep.job.id)
                  : agent.run(
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
          // As the service does: the task is not failed, it waits for a node where the job's
          // preparation succeeds (the scheduler no longer picks this node for the job).
          synchronized (lock) {
            if (!ex.cancelled()) {
              release(ex);
              transition(t, "active");
              schedule();
            }
          }
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
        env = agent.baseEnvironment(node);
        NodeAgent.addSettings(env, job.spec.get("commonEnvironmentSettings"));
        NodeAgent.addSettings(env, t.spec.get("environmentSettings"));
        env.putAll(nodeEnvironment(node));
        env.putAll(jobEnvironment(job, node));
        env.put(DockerCli.ELEVATION_VARIABLE, DockerCli.elevation(t.spec));
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
    timer.shutdownNow();
    autoScaleTimer.shutdownNow();
    agent.killAll(Duration.ofSeconds(5));
    DockerCli.killAll(root);
    workers.shutdownNow();
    try {
      workers.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

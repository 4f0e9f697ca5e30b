package dev.redwood.runner.driver;

import dev.redwood.runner.plan.CommitRecord;
import dev.redwood.runner.plan.CommittedTask;
import dev.redwood.runner.plan.Continuation;
import dev.redwood.runner.plan.JobLayout;
import dev.redwood.runner.plan.JobObjects;
import dev.redwood.runner.plan.TaskId;
import dev.redwood.runner.plan.TaskManifest;
import dev.redwood.runner.storage.BlobStore;
import dev.redwood.runner.translation.StagePlan;
import dev.redwood.runner.worker.StageSpec;
import java.io.IOException;
import java.io.Serializable;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.beam.runners.core.metrics.MetricsContainerStepMap;

/**
 * Resuming a run whose driver ended before the run did ({@code --resume}, {@code --resumeFrom}).
 * The blob store holds all it needs: every driver session writes a {@link Session} record with the
 * fingerprint of each stage when it starts, and how it ended when it ends. A resumed run takes the
 * run's id, compares each stage's fingerprint with the last session's, and per stage reuses the
 * commit record, or else the manifests of the attempts that succeeded; a changed stage's objects
 * are deleted and it runs again, with every stage that reads it.
 */
final class RunResume {
  /**
   * One driver session of a run, as written when it started.
   *
   * @param host where its driver runs, and {@code pid} its process: a resume on the same machine
   *     checks that this driver is gone
   */
  record Session(
      String jobId,
      String jobName,
      int number,
      Instant started,
      String host,
      long pid,
      Map<Integer, StageFingerprint> stages)
      implements Serializable {

    Session(String jobId, String jobName, int number, Map<Integer, StageFingerprint> stages) {
      this(
          jobId, jobName, number, Instant.now(), thisHost(), ProcessHandle.current().pid(), stages);
    }
  }

  /** How often a session's driver says it is alive ({@link JobLayout#sessionHeartbeat}). */
  static final Duration HEARTBEAT_EVERY = Duration.ofMinutes(1);

  /** A driver on another machine not seen for this long is taken for gone. */
  static final Duration GONE_AFTER = HEARTBEAT_EVERY.multipliedBy(3);

  /**
   * What a stage takes over from earlier sessions.
   *
   * @param committed whether the stage was committed: nothing of it runs
   * @param accepted per task, the attempt that succeeded, or null when it runs
   * @param nextAttempt per task, the first attempt number no earlier session used
   * @param metrics the sum of the metrics of the {@code accepted} attempts
   * @param toContinue the manifests of accepted attempts that left residuals no continuation task
   *     takes yet
   */
  record StageReuse(
      boolean committed,
      List<CommittedTask> accepted,
      List<Integer> nextAttempt,
      MetricsContainerStepMap metrics,
      List<TaskManifest> toContinue) {
    int reusedTasks() {
      return (int) accepted.stream().filter(m -> m != null).count();
    }
  }

  private static final Pattern TASK_OBJECT =
      Pattern.compile("(\\d+)/(?:attempt-(\\d+)/(.*)|continuation)");

  private final BlobStore store;
  private final JobLayout layout;
  private final Session previous;

  private RunResume(BlobStore store, JobLayout layout, Session previous) {
    this.store = store;
    this.layout = layout;
    this.previous = previous;
  }

  /**
   * The run to resume as the options ask, or null for a fresh run (also when {@code --resume} finds
   * no unfinished run of the name, which {@code lines} is told).
   *
   * @param idPrefix the start of the ids of runs with this job name ({@link RunId#namePrefix})
   */
  static RunResume open(BlobStore store, String resumeFrom, String idPrefix, Consumer<String> lines)
      throws IOException {
    String jobId = resumeFrom;
    if (jobId == null && idPrefix != null) {
      List<String> runs = new ArrayList<>();
      for (String key : store.list(JobLayout.RUNS_PREFIX + idPrefix)) {
        String id = key.substring(JobLayout.RUNS_PREFIX.length());
        if (RunId.isRunOf(id, idPrefix)) {
          runs.add(id);
        }
      }
      // Run ids sort by their start time: take the latest.
      jobId = runs.isEmpty() ? null : runs.get(runs.size() - 1);
      if (jobId == null) {
        lines.accept(
            "--resume: no run with this --jobName is kept in "
                + store.location()
                + "; starting a new run");
        return null;
      }
    }
    if (jobId == null) {
      return null;
    }
    JobLayout layout = new JobLayout(jobId);
    int last = lastSession(store, layout);
    if (last < 0) {
      throw new IllegalArgumentException(
          "--resumeFrom="
              + jobId
              + ": no run with this id is kept in "
              + store.location()
              + " (runs are kept when they fail or are interrupted with an explicit --jobName, or"
              + " with --keepJobData)");
    }
    Session previous = JobObjects.read(store, layout.session(last), Session.class);
    String end = endOf(store, layout, last);
    if (end == null) {
      requireGone(store, layout, previous);
    }
    if ("DONE".equals(end)) {
      lines.accept("Run " + jobId + " finished before; resuming it reuses every unchanged stage");
    }
    return new RunResume(store, layout, previous);
  }

  String jobId() {
    return layout.jobId();
  }

  int nextSession() {
    return previous.number() + 1;
  }

  /**
   * The plan a resumed session runs and what each stage takes over.
   *
   * @param plan the new plan, where every reused stage has its stored spec
   * @param reuse by stage id, for the stages that are reused (whole or in part)
   */
  record Resumed(StagePlan plan, Map<Integer, StageReuse> reuse) {}

  /**
   * Decides per stage what is reused; deletes the objects of the stages that run again. Says per
   * stage what it reuses or why it runs again.
   *
   * <p>A reused stage keeps its stored spec, and its tasks run on it: Beam gives tuple tags and
   * side-input views new random ids each time a pipeline is built, so the new spec names its view
   * objects differently. For the same reason a stage that runs again reruns the stages that
   * materialize the side inputs it reads, so that writer and reader agree on the names.
   */
  Resumed reuse(StagePlan plan, Map<Integer, StageFingerprint> now, Consumer<String> lines)
      throws IOException {
    Map<Integer, String> rerun = new LinkedHashMap<>();
    Map<Integer, String> why = new HashMap<>();
    boolean grew = true;
    while (grew) {
      grew = false;
      // Stages come after the stages they read (the planner's order).
      for (StagePlan.Stage stage : plan.stages()) {
        int id = stage.id();
        if (rerun.containsKey(id)) {
          continue;
        }
        String because = now.get(id).changeFrom(previous.stages().get(id), rerun);
        if (because != null) {
          rerun.put(id, stage.name());
          why.put(id, because);
          grew = true;
        }
      }
      for (StagePlan.Stage stage : plan.stages()) {
        if (!rerun.containsKey(stage.id())) {
          continue;
        }
        for (List<Integer> producers : stage.spec().viewProducers().values()) {
          for (int producer : producers) {
            if (!rerun.containsKey(producer)) {
              rerun.put(producer, name(plan, producer));
              why.put(
                  producer,
                  "it writes a side input of stage '" + stage.name() + "', which runs again");
              grew = true;
            }
          }
        }
      }
    }
    Map<Integer, StageReuse> reuse = new TreeMap<>();
    List<StagePlan.Stage> stages = new ArrayList<>();
    for (StagePlan.Stage stage : plan.stages()) {
      int id = stage.id();
      if (rerun.containsKey(id)) {
        store.deletePrefix(layout.stagePrefix(id));
        lines.accept("Stage '" + stage.name() + "' runs again: " + why.get(id));
        stages.add(stage);
        continue;
      }
      StageSpec stored = JobObjects.read(store, layout.stageSpec(id), StageSpec.class);
      StagePlan.Stage kept = new StagePlan.Stage(stored, stage.dependsOn());
      stages.add(kept);
      StageReuse stageReuse = scan(kept);
      reuse.put(id, stageReuse);
      lines.accept(
          "Stage '"
              + stage.name()
              + "' "
              + (stageReuse.committed()
                  ? "is reused whole (" + stageReuse.accepted().size() + " tasks)"
                  : "reuses "
                      + stageReuse.reusedTasks()
                      + " of "
                      + stageReuse.accepted().size()
                      + " tasks"));
    }
    return new Resumed(new StagePlan(stages), reuse);
  }

  private static String name(StagePlan plan, int id) {
    return plan.stages().stream().filter(s -> s.id() == id).findFirst().orElseThrow().name();
  }

  /** What an unchanged stage left: its commit record, or its tasks' successful attempts. */
  private StageReuse scan(StagePlan.Stage stage) throws IOException {
    int id = stage.spec().stageId();
    if (store.exists(layout.commitRecord(id))) {
      CommitRecord record = JobObjects.read(store, layout.commitRecord(id), CommitRecord.class);
      List<Integer> none = new ArrayList<>();
      record.accepted().forEach(m -> none.add(0));
      return new StageReuse(true, record.accepted(), none, record.metrics(), List.of());
    }
    String prefix = layout.tasksPrefix(id);
    Map<Integer, Integer> nextAttempt = new TreeMap<>();
    Map<Integer, TreeSet<Integer>> succeeded = new HashMap<>();
    List<Integer> continuations = new ArrayList<>();
    int tasks = stage.taskCount();
    for (String key : store.list(prefix)) {
      Matcher m = TASK_OBJECT.matcher(key.substring(prefix.length()));
      if (!m.matches()) {
        continue;
      }
      int task = Integer.parseInt(m.group(1));
      tasks = Math.max(tasks, task + 1);
      if (m.group(2) == null) {
        continuations.add(task);
        continue;
      }
      int attempt = Integer.parseInt(m.group(2));
      nextAttempt.merge(task, attempt + 1, Math::max);
      if (m.group(3).equals("manifest")) {
        succeeded.computeIfAbsent(task, t -> new TreeSet<>()).add(attempt);
      }
    }
    Set<Integer> continued = new HashSet<>();
    for (int task : continuations) {
      continued.add(
          JobObjects.read(store, layout.continuation(id, task), Continuation.class).fromTask());
    }
    // One manifest at a time: only what the commit record needs of each is kept.
    List<CommittedTask> accepted = new ArrayList<>();
    List<Integer> attempts = new ArrayList<>();
    MetricsContainerStepMap metrics = new MetricsContainerStepMap();
    List<TaskManifest> toContinue = new ArrayList<>();
    for (int t = 0; t < tasks; t++) {
      TreeSet<Integer> ok = succeeded.get(t);
      if (ok == null) {
        accepted.add(null);
      } else {
        TaskManifest manifest =
            JobObjects.read(
                store,
                layout.attempt(new TaskId(id, t, ok.first())).manifest(),
                TaskManifest.class);
        accepted.add(CommittedTask.of(manifest));
        metrics.updateAll(manifest.metrics());
        if (!manifest.residuals().isEmpty() && !continued.contains(t)) {
          toContinue.add(manifest);
        }
      }
      attempts.add(nextAttempt.getOrDefault(t, 0));
    }
    return new StageReuse(false, accepted, attempts, metrics, toContinue);
  }

  /**
   * Finds the runs whose driver stopped without ending its session (SIGKILL, a reboot, a lost
   * machine) and says what becomes of each: a named or resumed run is kept for resume (once said,
   * its session is marked INTERRUPTED), another one is deleted.
   */
  static void sweepAbandonedRuns(BlobStore store, Consumer<String> lines) throws IOException {
    for (String key : store.list(JobLayout.RUNS_PREFIX)) {
      JobLayout layout = new JobLayout(key.substring(JobLayout.RUNS_PREFIX.length()));
      int last = lastSession(store, layout);
      if (last < 0) {
        // A session's record is written before the index and deleted before it: an index
        // without one is what a driver killed while deleting its run's objects left.
        store.deletePrefix(layout.jobPrefix());
        store.delete(layout.runIndex());
        lines.accept(
            "Deleted what was left of run "
                + layout.jobId()
                + " (its driver stopped while deleting the run's objects)");
        continue;
      }
      if (store.exists(layout.sessionEnd(last))) {
        continue;
      }
      Session session = JobObjects.read(store, layout.session(last), Session.class);
      if (stillRunning(store, layout, session) != null) {
        continue;
      }
      if (session.jobName() != null || session.number() > 0) {
        endSession(store, layout.jobId(), last, "INTERRUPTED");
        lines.accept(
            "Run "
                + layout.jobId()
                + " was left by a driver that stopped (it started "
                + session.started()
                + " on "
                + session.host()
                + "); its objects are kept: resume it with --resumeFrom="
                + layout.jobId()
                + (session.jobName() == null ? "" : " or --resume --jobName=" + session.jobName()));
      } else {
        store.deletePrefix(layout.jobPrefix());
        store.delete(layout.runIndex());
        lines.accept(
            "Deleted the objects of run "
                + layout.jobId()
                + ", left by a driver that stopped (it started "
                + session.started()
                + " on "
                + session.host()
                + "; unnamed runs are not kept for resume)");
      }
    }
  }

  /**
   * Refuses to resume a run whose driver may still be running it: two drivers would run the same
   * tasks.
   */
  private static void requireGone(BlobStore store, JobLayout layout, Session session)
      throws IOException {
    String alive = stillRunning(store, layout, session);
    if (alive != null) {
      throw new IllegalStateException(
          "Cannot resume run "
              + session.jobId()
              + ": "
              + alive
              + ". Stop that driver (Ctrl-C) or wait, then resume.");
    }
  }

  /**
   * Why the session's driver may still be running, or null when it is gone. On the same machine the
   * process tells; elsewhere the session's heartbeat does.
   */
  private static String stillRunning(BlobStore store, JobLayout layout, Session session)
      throws IOException {
    String alive = null;
    if (session.host().equals(thisHost())) {
      Optional<ProcessHandle> driver = ProcessHandle.of(session.pid());
      boolean same =
          driver.isPresent()
              && driver.get().isAlive()
              && driver
                  .get()
                  .info()
                  .startInstant()
                  .map(t -> !t.isAfter(session.started()))
                  .orElse(true);
      if (same) {
        alive = "its driver, process " + session.pid() + " on this machine, is still running";
      }
    } else {
      String key = layout.sessionHeartbeat(session.number());
      Instant seen =
          store.exists(key)
              ? Instant.parse(new String(store.get(key), StandardCharsets.UTF_8))
              : session.started();
      Duration ago = Duration.between(seen, Instant.now());
      if (ago.compareTo(GONE_AFTER) < 0) {
        alive =
            "its driver on "
                + session.host()
                + " was seen "
                + ago.toSeconds()
                + " s ago (a driver is taken for gone "
                + GONE_AFTER.toMinutes()
                + " min after it was last seen)";
      }
    }
    return alive;
  }

  /** Says that this session's driver is alive; a resume elsewhere waits until it is not. */
  static void heartbeat(BlobStore store, String jobId, int session) throws IOException {
    String key = new JobLayout(jobId).sessionHeartbeat(session);
    store.delete(key);
    store.put(key, Instant.now().toString().getBytes(StandardCharsets.UTF_8));
  }

  private static String thisHost() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "unknown host";
    }
  }

  /** Writes this session's record and marks the run as kept for resume. */
  static void startSession(BlobStore store, Session session) throws IOException {
    JobLayout layout = new JobLayout(session.jobId());
    JobObjects.write(store, layout.session(session.number()), session);
    store.delete(layout.runIndex());
    store.put(layout.runIndex(), new byte[0]);
  }

  /** Records how the session ended: DONE, FAILED or CANCELLED. */
  static void endSession(BlobStore store, String jobId, int session, String state)
      throws IOException {
    store.put(new JobLayout(jobId).sessionEnd(session), state.getBytes(StandardCharsets.UTF_8));
  }

  private static int lastSession(BlobStore store, JobLayout layout) throws IOException {
    int last = -1;
    String prefix = layout.session(0);
    prefix = prefix.substring(0, prefix.length() - 1);
    for (String key : store.list(prefix)) {
      String rest = key.substring(prefix.length());
      if (rest.matches("\\d+")) {
        last = Math.max(last, Integer.parseInt(rest));
      }
    }
    return last;
  }

  /** How session {@code session} ended, or null if it did not say (its driver died). */
  private static String endOf(BlobStore store, JobLayout layout, int session) throws IOException {
    String end = layout.sessionEnd(session);
    return session >= 0 && store.exists(end)
        ? new String(store.get(end), StandardCharsets.UTF_8)
        : null;
  }
}

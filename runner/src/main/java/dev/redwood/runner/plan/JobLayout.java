package dev.redwood.runner.plan;

/**
 * Where a job's objects live in the blob store. Every key a driver or task uses is built here, so
 * the layout of the commit protocol can be read in one place:
 *
 * <pre>
 * staging/&lt;sha256&gt;-&lt;name&gt;.jar                      classpath, shared by runs
 * jobs/&lt;job&gt;/stages/&lt;s&gt;/spec                         serialized StageSpec
 * jobs/&lt;job&gt;/stages/&lt;s&gt;/input                        per-task input shares (source splits)
 * jobs/&lt;job&gt;/stages/&lt;s&gt;/commit                       accepted attempt per task
 * jobs/&lt;job&gt;/stages/&lt;s&gt;/tasks/&lt;t&gt;/&lt;attempt&gt;/...     an attempt's outputs
 * jobs/&lt;job&gt;/stages/&lt;s&gt;/tasks/&lt;t&gt;/&lt;attempt&gt;/manifest written last
 * jobs/&lt;job&gt;/stages/&lt;s&gt;/tasks/&lt;t&gt;/continuation       input of a continuation task
 * jobs/&lt;job&gt;/sessions/&lt;n&gt;                          a driver session of the run (resume)
 * jobs/&lt;job&gt;/sessions/&lt;n&gt;-end                      how that session ended
 * jobs/&lt;job&gt;/sessions/&lt;n&gt;-heartbeat                when its driver was last alive
 * runs/&lt;job&gt;                                      index of runs kept for resume
 * </pre>
 *
 * <p>The driver numbers a task's attempts; each attempt is one Batch task and writes under {@code
 * attempt-<n>/}. Objects are write-once, so when Batch runs one attempt twice (node loss), the
 * second execution fails at its first write and never mixes its outputs with the first's.
 */
public final class JobLayout {
  public static final String STAGING_PREFIX = "staging/";

  /** Where {@link #runIndex()} markers live. */
  public static final String RUNS_PREFIX = "runs/";

  private final String jobId;

  public JobLayout(String jobId) {
    this.jobId = jobId;
  }

  public String jobId() {
    return jobId;
  }

  public String jobPrefix() {
    return "jobs/" + jobId + "/";
  }

  public String stagePrefix(int stage) {
    return jobPrefix() + "stages/" + stage + "/";
  }

  /** Where every task of a stage writes: one folder per task, attempts and continuation. */
  public String tasksPrefix(int stage) {
    return stagePrefix(stage) + "tasks/";
  }

  /** The record a driver session writes when it starts (resume reads the last one). */
  public String session(int session) {
    return jobPrefix() + "sessions/" + session;
  }

  /** How a driver session ended, written when it ends (absent when the driver died). */
  public String sessionEnd(int session) {
    return session(session) + "-end";
  }

  /** When the session's driver last said it was alive (rewritten every minute). */
  public String sessionHeartbeat(int session) {
    return session(session) + "-heartbeat";
  }

  /** The marker of a run whose objects are kept for resume; {@code --resume} lists these. */
  public String runIndex() {
    return RUNS_PREFIX + jobId;
  }

  public String stageSpec(int stage) {
    return stagePrefix(stage) + "spec";
  }

  /** What a stage's spec leaves out of itself: each task's share of the input, read by range. */
  public String stageInput(int stage) {
    return stagePrefix(stage) + "input";
  }

  public String commitRecord(int stage) {
    return stagePrefix(stage) + "commit";
  }

  /** Where an attempt of a task writes its objects. */
  public AttemptLayout attempt(TaskId id) {
    String attemptId = "attempt-" + id.attempt();
    String prefix = stagePrefix(id.stage()) + "tasks/" + id.task() + "/" + attemptId + "/";
    return new AttemptLayout(prefix, attemptId);
  }

  /**
   * What a continuation task reads (see {@link Continuation}), written by the driver before it adds
   * the task.
   */
  public String continuation(int stage, int task) {
    return stagePrefix(stage) + "tasks/" + task + "/continuation";
  }
}

package dev.redwood.runner.plan;

import java.util.ArrayList;
import java.util.List;

/**
 * Where a job's objects live in the blob store. Every key a driver or task uses is built here,
 * so the layout of the commit protocol can be read in one place:
 *
 * <pre>
 * staging/&lt;sha256&gt;-&lt;name&gt;.jar                      classpath, shared by runs
 * jobs/&lt;job&gt;/stages/&lt;s&gt;/spec                         serialized StageSpec
 * jobs/&lt;job&gt;/stages/&lt;s&gt;/commit                       accepted attempt per task
 * jobs/&lt;job&gt;/stages/&lt;s&gt;/tasks/&lt;t&gt;/&lt;attempt&gt;/...     an attempt's outputs
 * jobs/&lt;job&gt;/stages/&lt;s&gt;/tasks/&lt;t&gt;/&lt;attempt&gt;/manifest written last
 * jobs/&lt;job&gt;/stages/&lt;s&gt;/tasks/&lt;t&gt;/continuation       input of a continuation task
 * </pre>
 *
 * <p>The driver numbers a task's attempts; each attempt is one Batch task and writes under
 * {@code attempt-<n>/}. Objects are write-once, so when Batch runs one attempt twice (node loss),
 * the second execution fails at its first write and never mixes its outputs with the first's.
 */
public final class JobLayout {
  public static final String STAGING_PREFIX = "staging/";

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

  public String stageSpec(int stage) {
    return stagePrefix(stage) + "spec";
  }

  public String commitRecord(int stage) {
    return stagePrefix(stage) + "commit";
  }

  /** The name of a task's {@code attempt}-th attempt (0 is the first). */
  public static String attemptId(int attempt) {
    return "attempt-" + attempt;
  }

  /** The prefix an attempt writes under. */
  public String attemptPrefix(int stage, int task, String attemptId) {
    return stagePrefix(stage) + "tasks/" + task + "/" + attemptId + "/";
  }

  public String manifest(int stage, int task, String attemptId) {
    return attemptPrefix(stage, task, attemptId) + "manifest";
  }

  public String failure(int stage, int task, String attemptId) {
    return attemptPrefix(stage, task, attemptId) + "failure";
  }

  /** The sorted data object an attempt writes for one shuffle; its index is {@code + ".index"}. */
  public String shuffleData(int stage, int task, String attemptId, String shuffleId) {
    return attemptPrefix(stage, task, attemptId) + "shuffle-" + safeName(shuffleId);
  }

  public String shuffleIndex(int stage, int task, String attemptId, String shuffleId) {
    return shuffleData(stage, task, attemptId, shuffleId) + ".index";
  }

  /** The object an attempt materializes a side-input view's elements in. */
  public String viewData(int stage, int task, String attemptId, String viewId) {
    return attemptPrefix(stage, task, attemptId) + "view-" + safeName(viewId);
  }

  /** The restrictions a splittable step of an attempt left for a continuation task. */
  public String residuals(int stage, int task, String attemptId, String processStep) {
    return attemptPrefix(stage, task, attemptId) + "residuals-" + safeName(processStep);
  }

  /**
   * What a continuation task reads (see {@link Continuation}), written by the driver before it
   * adds the task.
   */
  public String continuation(int stage, int task) {
    return stagePrefix(stage) + "tasks/" + task + "/continuation";
  }

  /**
   * Every object an attempt of {@code spec}'s stage may write: the grant of its write-only
   * credentials on Azure, where a task may create exactly these names and nothing else.
   */
  public List<String> attemptOutputs(StageSpec spec, int task, String attemptId) {
    int stage = spec.stageId();
    List<String> keys = new ArrayList<>();
    keys.add(manifest(stage, task, attemptId));
    keys.add(failure(stage, task, attemptId));
    for (StageSpec.OperationNode node : spec.operations()) {
      OperationSpec op = node.operation();
      String shuffleId =
          op instanceof OperationSpec.GroupByKeyWrite g
              ? g.shuffleId()
              : op instanceof OperationSpec.PartialCombineWrite c
                  ? c.shuffleId()
                  : op instanceof OperationSpec.RedistributeWrite r ? r.shuffleId() : null;
      if (shuffleId != null) {
        keys.add(shuffleData(stage, task, attemptId, shuffleId));
        keys.add(shuffleIndex(stage, task, attemptId, shuffleId));
      } else if (op instanceof OperationSpec.ViewWrite v) {
        keys.add(viewData(stage, task, attemptId, v.viewId()));
      } else if (op instanceof OperationSpec.ResidualWrite r) {
        keys.add(residuals(stage, task, attemptId, r.processStep()));
      }
    }
    return keys;
  }

  /** Transform-derived ids may hold '/', ' ' and the like; object names keep them flat. */
  private static String safeName(String id) {
    return id.replaceAll("[^A-Za-z0-9_.-]", "_");
  }
}

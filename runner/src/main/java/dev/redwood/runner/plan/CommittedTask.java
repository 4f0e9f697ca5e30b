package dev.redwood.runner.plan;

import dev.redwood.runner.shuffle.ShuffleObject;
import java.io.Serializable;
import java.util.Map;

/**
 * One task's accepted attempt as a commit record keeps it: only the objects readers of the stage
 * open. The attempt's metrics and counts stay in its manifest (the stage's sum is in the commit
 * record), so the driver's bookkeeping and the record that every reduce task reads take a few
 * hundred bytes per task, not a metrics container per task.
 *
 * @param task the task's index in its stage
 * @param attemptId the attempt directory name
 * @param shuffleOutputs shuffle id to the attempt's sorted map output
 * @param viewOutputs view id to the key of the attempt's materialized elements
 */
public record CommittedTask(
    int task,
    String attemptId,
    Map<String, ShuffleObject> shuffleOutputs,
    Map<String, String> viewOutputs)
    implements Serializable {

  public CommittedTask {
    shuffleOutputs = Map.copyOf(shuffleOutputs);
    viewOutputs = Map.copyOf(viewOutputs);
  }

  /** What readers need of an accepted attempt's manifest. */
  public static CommittedTask of(TaskManifest manifest) {
    return new CommittedTask(
        manifest.task(), manifest.attemptId(), manifest.shuffleOutputs(), manifest.viewOutputs());
  }
}

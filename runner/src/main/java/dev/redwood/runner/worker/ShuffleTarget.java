package dev.redwood.runner.worker;

import dev.redwood.runner.plan.AttemptLayout;
import dev.redwood.runner.shuffle.ShuffleObject;
import java.io.Serializable;
import java.util.List;

/**
 * The shuffle a map-side operator writes: its id and partition count. Both the objects an attempt
 * is granted for it and the ones its writer creates come from {@link #object}.
 */
public record ShuffleTarget(String shuffleId, int partitions) implements Serializable {

  /** The data object and index an attempt writes for this shuffle. */
  public ShuffleObject object(AttemptLayout attempt) {
    return attempt.shuffle(shuffleId);
  }

  /** The keys of {@link #object}, for {@link OperationSpec#writes}. */
  public List<String> keys(AttemptLayout attempt) {
    ShuffleObject object = object(attempt);
    return List.of(object.dataKey(), object.indexKey());
  }
}

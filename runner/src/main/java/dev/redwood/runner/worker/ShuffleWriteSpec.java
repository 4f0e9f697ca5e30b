package dev.redwood.runner.worker;

import dev.redwood.runner.plan.AttemptLayout;
import java.util.List;

/**
 * The spec of a map-side shuffle writer: an attempt writes its target's data object and index, and
 * nothing else.
 */
public interface ShuffleWriteSpec extends OperationSpec {

  /** The shuffle the operator writes. */
  ShuffleTarget target();

  @Override
  default List<String> writes(AttemptLayout attempt) {
    return target().keys(attempt);
  }
}

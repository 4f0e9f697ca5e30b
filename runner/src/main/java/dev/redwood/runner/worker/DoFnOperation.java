package dev.redwood.runner.worker;

import dev.redwood.runner.plan.AttemptLayout;
import java.util.List;

/**
 * The spec of an operator that runs a ParDo's DoFn. Its outputs go to the operators of its own
 * task, so it writes no objects (a splittable DoFn's residuals go to a {@link ResidualWrite}).
 */
public interface DoFnOperation extends OperationSpec {

  /** The DoFn and what running it needs. */
  DoFnSpec doFn();

  @Override
  default String stepName() {
    return doFn().stepName();
  }

  @Override
  default List<String> writes(AttemptLayout attempt) {
    return List.of();
  }
}

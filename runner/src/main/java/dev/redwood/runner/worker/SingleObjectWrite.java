package dev.redwood.runner.worker;

import dev.redwood.runner.plan.AttemptLayout;
import java.util.List;

/**
 * The spec of an operator that writes its input's elements into one object of the attempt (a view's
 * materialization, residual restrictions); its operator writes {@link #target}.
 */
public interface SingleObjectWrite extends OperationSpec {

  /** The object an attempt writes. */
  String target(AttemptLayout attempt);

  @Override
  default List<String> writes(AttemptLayout attempt) {
    return List.of(target(attempt));
  }
}

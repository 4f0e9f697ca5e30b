package dev.redwood.runner.worker;

import java.io.Serializable;

/**
 * How a reduce task turns shuffle records back into elements; the operation kind that wrote the
 * shuffle provides it, as it knows the records' format.
 */
public interface ShuffleRead extends Serializable {

  /**
   * Whether records must arrive sorted and grouped by key, for the reduce logic's {@link
   * ReduceLogic#group}; logic that takes records one by one says false.
   */
  default boolean grouped() {
    return true;
  }

  /** The reduce logic of one task. */
  ReduceLogic logic(TaskContext context);
}

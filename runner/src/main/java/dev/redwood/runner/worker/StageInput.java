package dev.redwood.runner.worker;

import java.io.Serializable;

/** The one kind of input a stage has: how many tasks it runs and what each task reads. */
public interface StageInput extends Serializable {

  /** Number of tasks the stage runs. */
  int taskCount();

  /** Reads the share of the input that {@code context}'s task is for. */
  InputReader reader(TaskContext context);
}

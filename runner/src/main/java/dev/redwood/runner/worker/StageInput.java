package dev.redwood.runner.worker;

import dev.redwood.runner.storage.BlobStore;
import java.io.IOException;
import java.io.Serializable;

/** The one kind of input a stage has: how many tasks it runs and what each task reads. */
public interface StageInput extends Serializable {

  /** Number of tasks the stage runs. */
  int taskCount();

  /** Reads the share of the input that {@code context}'s task is for. */
  InputReader reader(TaskContext context);

  /**
   * This input as the stage spec in the store carries it. An input that holds a share per task (a
   * source's splits) writes the shares into the object {@code key} and returns an input that reads
   * only its task's share from there, so that no task reads every other task's with its spec.
   */
  default StageInput stored(BlobStore store, String key) throws IOException {
    return this;
  }
}

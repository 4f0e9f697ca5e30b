package dev.redwood.runner.worker;

/**
 * One fused step inside a task. The task starts every operator, pushes its input through the
 * receivers, finishes the operators upstream first (so outputs from finishBundle still reach live
 * consumers), and always tears them down.
 */
public interface Operator extends Receiver {
  /** Setup and start of the bundle (a task is one bundle). */
  default void start() throws Exception {}

  /** End of input: finish the bundle, flush writers, record outputs for the manifest. */
  default void finish() throws Exception {}

  /** Releases resources; runs after success and after failure. */
  default void teardown() throws Exception {}
}

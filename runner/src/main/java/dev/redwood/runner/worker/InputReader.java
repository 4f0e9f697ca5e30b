package dev.redwood.runner.worker;

/** Reads a task's input (its split, its shuffle partition, the impulse) into its operators. */
public interface InputReader {
  /** Emits every input element to {@code output}; returns how many were read. */
  long run(Receiver output) throws Exception;
}

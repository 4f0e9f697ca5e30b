package dev.redwood.runner.worker;

import java.util.Map;

/**
 * Where a fused operator hands its elements: the consumers of each of its output tags. An output
 * nobody in the stage consumes has no receiver, and its elements are dropped.
 */
public record OperatorOutputs(Map<String, Receiver> byTag) {

  /** The receiver of an operator with a single output ({@link OperationSpec#MAIN}). */
  public Receiver main() {
    return byTag.getOrDefault(OperationSpec.MAIN, element -> {});
  }
}

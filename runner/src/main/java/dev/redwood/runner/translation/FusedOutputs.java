package dev.redwood.runner.translation;

import dev.redwood.runner.worker.OperationSpec;
import org.apache.beam.sdk.values.PCollection;

/** The outputs of an operator that a step's kind has just fused into a stage. */
interface FusedOutputs {

  /** The consumers of {@code output} in this stage read it from the operator's {@code tag}. */
  void feed(String tag, PCollection<?> output);

  /** The operator's output {@code tag} goes to {@code writer} alone, an operator of this stage. */
  void writeTo(String tag, OperationSpec writer, PCollection<?> output);
}

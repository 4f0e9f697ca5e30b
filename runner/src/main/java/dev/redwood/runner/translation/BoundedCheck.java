package dev.redwood.runner.translation;

import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.io.Read;
import org.apache.beam.sdk.runners.TransformHierarchy;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.reflect.DoFnSignature;
import org.apache.beam.sdk.transforms.reflect.DoFnSignatures;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PValue;

/**
 * Rejects pipelines Redwood cannot finish: Redwood is a batch runner, so unbounded sources are
 * refused at submit time, naming the transform.
 *
 * <p>One kind of unbounded PCollection is accepted: the output of a splittable DoFn declared
 * unbounded per element (such as {@code PeriodicImpulse} with a stop time), and what is computed
 * from it. Redwood processes such a DoFn's restrictions until the DoFn stops, as the DirectRunner
 * does, and gives everything downstream batch semantics (every window fires once, at the end). A
 * splittable DoFn that never stops keeps its job running until it is cancelled.
 */
public final class BoundedCheck {
  private BoundedCheck() {}

  public static void check(Pipeline pipeline) {
    pipeline.traverseTopologically(
        new Pipeline.PipelineVisitor.Defaults() {
          @Override
          public CompositeBehavior enterCompositeTransform(TransformHierarchy.Node node) {
            if (node.getTransform() instanceof Read.Unbounded<?> read) {
              throw unbounded(node, "reads the unbounded source " + read.getSource());
            }
            return CompositeBehavior.ENTER_TRANSFORM;
          }

          @Override
          public void visitValue(PValue value, TransformHierarchy.Node producer) {
            if (value instanceof PCollection<?> pc
                && pc.isBounded() == PCollection.IsBounded.UNBOUNDED
                && !hasUnboundedInput(producer)
                && !isUnboundedSplittableParDo(producer.getTransform())) {
              throw unbounded(producer, "produces an unbounded PCollection (" + pc.getName() + ")");
            }
          }
        });
  }

  private static boolean hasUnboundedInput(TransformHierarchy.Node node) {
    return node.getInputs().values().stream()
        .anyMatch(input -> input.isBounded() == PCollection.IsBounded.UNBOUNDED);
  }

  /** Values are visited with the primitive that produces them: ParDo.MultiOutput for a ParDo. */
  private static boolean isUnboundedSplittableParDo(PTransform<?, ?> transform) {
    if (!(transform instanceof ParDo.MultiOutput<?, ?> parDo)) {
      return false;
    }
    DoFnSignature signature = DoFnSignatures.getSignature(parDo.getFn().getClass());
    return signature.processElement().isSplittable()
        && signature.isBoundedPerElement() == PCollection.IsBounded.UNBOUNDED;
  }

  private static IllegalArgumentException unbounded(TransformHierarchy.Node node, String what) {
    return new IllegalArgumentException(
        "Transform '"
            + node.getFullName()
            + "' "
            + what
            + "; the Redwood runner (AzureBatchRunner) runs bounded pipelines only");
  }
}

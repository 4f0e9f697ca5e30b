package dev.redwood.runner.translation;

import dev.redwood.runner.translation.PipelineGraph.Step;
import java.util.Set;
import org.apache.beam.sdk.util.construction.PTransformTranslation;

/**
 * Flatten is not an operator: its consumers are fused into every stage that produces one of its
 * inputs, and read that input directly.
 */
final class FlattenKind implements OperationKind {

  @Override
  public Set<String> urns() {
    return Set.of(PTransformTranslation.FLATTEN_TRANSFORM_URN);
  }

  @Override
  public void place(Step step, Placement at) {
    at.passThrough();
  }
}

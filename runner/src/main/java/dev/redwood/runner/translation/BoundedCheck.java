package dev.redwood.runner.translation;

import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.runners.TransformHierarchy;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PValue;

/** Rejects pipelines with unbounded PCollections: Redwood is a batch runner. */
public final class BoundedCheck {
  private BoundedCheck() {}

  public static void check(Pipeline pipeline) {
    pipeline.traverseTopologically(
        new Pipeline.PipelineVisitor.Defaults() {
          @Override
          public void visitValue(PValue value, TransformHierarchy.Node producer) {
            if (value instanceof PCollection<?> pc
                && pc.isBounded() == PCollection.IsBounded.UNBOUNDED) {
              throw new IllegalArgumentException(
                  "Transform '"
                      + producer.getFullName()
                      + "' produces an unbounded PCollection ("
                      + pc.getName()
                      + "); the Redwood runner (AzureBatchRunner) runs bounded pipelines only");
            }
          }
        });
  }
}

package dev.redwood.runner.portable;

import org.apache.beam.model.pipeline.v1.RunnerApi;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.runners.AppliedPTransform;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.util.construction.PTransformTranslation;
import org.apache.beam.sdk.util.construction.PTransformTranslation.TransformPayloadTranslator;
import org.apache.beam.sdk.util.construction.SdkComponents;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.WindowingStrategy;

/**
 * A portable pipeline's Flatten in the Java graph: Beam's URN for Flatten, so Redwood's planner
 * passes its inputs through as for a Java Flatten. Beam's own {@code Flatten.pCollections} asks its
 * inputs' window functions whether they are compatible, which SDK-internal ones refuse to answer;
 * the SDK that built the pipeline checked that already.
 */
final class PortableFlatten extends PTransform<PCollectionList<Object>, PCollection<Object>> {
  private final Coder<Object> coder;
  private final WindowingStrategy<?, ?> windowing;

  PortableFlatten(String name, Coder<Object> coder, WindowingStrategy<?, ?> windowing) {
    super(name);
    this.coder = coder;
    this.windowing = windowing;
  }

  @Override
  public PCollection<Object> expand(PCollectionList<Object> inputs) {
    return PCollection.createPrimitiveOutputInternal(
        inputs.getPipeline(), windowing, PCollection.IsBounded.BOUNDED, coder);
  }

  /** Beam's Flatten URN, by which the planner finds the kind that runs it. */
  static final class FlattenUrnTranslator implements TransformPayloadTranslator<PortableFlatten> {
    @Override
    public String getUrn() {
      return PTransformTranslation.FLATTEN_TRANSFORM_URN;
    }

    @Override
    public RunnerApi.FunctionSpec translate(
        AppliedPTransform<?, ?, PortableFlatten> application, SdkComponents components) {
      return RunnerApi.FunctionSpec.newBuilder().setUrn(getUrn()).build();
    }
  }
}

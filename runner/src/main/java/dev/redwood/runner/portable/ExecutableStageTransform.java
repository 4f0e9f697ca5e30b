package dev.redwood.runner.portable;

import dev.redwood.runner.worker.PortableStageSpec;
import dev.redwood.runner.worker.SideInputSpec;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.model.pipeline.v1.RunnerApi;
import org.apache.beam.runners.fnexecution.provisioning.JobInfo;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.runners.AppliedPTransform;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.util.construction.PTransformTranslation.TransformPayloadTranslator;
import org.apache.beam.sdk.util.construction.SdkComponents;
import org.apache.beam.sdk.util.construction.TransformPayloadTranslatorRegistrar;
import org.apache.beam.sdk.util.construction.graph.ExecutableStage;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.PValue;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.WindowedValue;
import org.apache.beam.vendor.grpc.v1p69p0.com.google.protobuf.ByteString;

/**
 * A fused stage of a portable pipeline as a primitive of the Java graph Redwood plans: it reads one
 * PCollection and the views of its side inputs and produces one PCollection per stage output, each
 * tagged by its PCollection id in the portable pipeline. Tasks run it in an SDK harness.
 */
public final class ExecutableStageTransform extends PTransform<PCollection<?>, PCollectionTuple> {
  private final byte[] payload;
  private final JobInfo job;
  private final Map<String, String> artifactKeys;
  private final Map<String, PCollectionView<?>> sideInputViews;
  private final Map<String, Coder<WindowedValue<?>>> sideInputCoders;
  private final Map<String, Coder<?>> outputCoders;
  private final boolean keyed;

  /**
   * @param outputCoders the runner's element coder of each output, by PCollection id, in order
   * @param sideInputViews the view holding each side input's elements, by PCollection id
   * @param sideInputCoders how those elements were encoded (windowed, runner wire coders)
   */
  ExecutableStageTransform(
      String name,
      byte[] payload,
      JobInfo job,
      Map<String, String> artifactKeys,
      Map<String, PCollectionView<?>> sideInputViews,
      Map<String, Coder<WindowedValue<?>>> sideInputCoders,
      LinkedHashMap<String, Coder<?>> outputCoders,
      boolean keyed) {
    super(name);
    this.payload = payload;
    this.job = job;
    this.artifactKeys = artifactKeys;
    this.sideInputViews = sideInputViews;
    this.sideInputCoders = sideInputCoders;
    this.outputCoders = outputCoders;
    this.keyed = keyed;
  }

  /** The views of the stage's side inputs. */
  public List<PCollectionView<?>> sideInputViews() {
    return List.copyOf(sideInputViews.values());
  }

  /** Whether the stage keeps user state or timers, so its input must arrive grouped by key. */
  public boolean keyed() {
    return keyed;
  }

  /** What a task needs to run the stage, with the specs of its side inputs' views. */
  public PortableStageSpec spec(Map<String, SideInputSpec> viewSpecs) {
    Map<String, SideInputSpec> byPCollection = new HashMap<>();
    sideInputViews.forEach(
        (id, view) -> byPCollection.put(id, viewSpecs.get(view.getTagInternal().getId())));
    return new PortableStageSpec(
        getName(), payload, job, artifactKeys, byPCollection, sideInputCoders, keyed);
  }

  @Override
  public PCollectionTuple expand(PCollection<?> input) {
    TupleTagList tags = TupleTagList.empty();
    Map<TupleTag<?>, Coder<?>> coders = new LinkedHashMap<>();
    for (Map.Entry<String, Coder<?>> output : outputCoders.entrySet()) {
      TupleTag<?> tag = new TupleTag<>(output.getKey());
      tags = tags.and(tag);
      coders.put(tag, output.getValue());
    }
    return PCollectionTuple.ofPrimitiveOutputsInternal(
        input.getPipeline(),
        tags,
        coders,
        input.getWindowingStrategy(),
        PCollection.IsBounded.BOUNDED);
  }

  @Override
  public Map<TupleTag<?>, PValue> getAdditionalInputs() {
    Map<TupleTag<?>, PValue> inputs = new HashMap<>();
    for (PCollectionView<?> view : sideInputViews.values()) {
      inputs.put(view.getTagInternal(), view.getPCollection());
    }
    return inputs;
  }

  /**
   * Gives the job server's own Java transforms their Runner API URNs ({@link
   * ExecutableStageTransform}: a fused stage; {@link PortableFlatten}: Flatten), by which Redwood's
   * planner finds the kinds that run them.
   */
  public static final class StageUrnRegistrar implements TransformPayloadTranslatorRegistrar {
    @Override
    public Map<? extends Class<? extends PTransform>, ? extends TransformPayloadTranslator>
        getTransformPayloadTranslators() {
      return Map.of(
          ExecutableStageTransform.class,
          new StageUrnTranslator(),
          PortableFlatten.class,
          new PortableFlatten.FlattenUrnTranslator());
    }
  }

  /** The URN of a fused stage and its payload. */
  private static final class StageUrnTranslator
      implements TransformPayloadTranslator<ExecutableStageTransform> {
    @Override
    public String getUrn() {
      return ExecutableStage.URN;
    }

    @Override
    public RunnerApi.FunctionSpec translate(
        AppliedPTransform<?, ?, ExecutableStageTransform> application, SdkComponents components) {
      return RunnerApi.FunctionSpec.newBuilder()
          .setUrn(ExecutableStage.URN)
          .setPayload(ByteString.copyFrom(application.getTransform().payload))
          .build();
    }
  }
}

package dev.redwood.runner.translation;

import dev.redwood.runner.worker.SplittableProcessFn;
import java.util.Map;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.runners.AppliedPTransform;
import org.apache.beam.sdk.runners.PTransformOverrideFactory;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.util.construction.PTransformReplacements;
import org.apache.beam.sdk.util.construction.ReplacementOutputs;
import org.apache.beam.sdk.util.construction.SplittableParDo.ProcessKeyedElements;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;

/**
 * How Redwood runs a splittable DoFn once Beam has expanded it (pair with restriction, split,
 * explode windows, key): the keyed restrictions are spread over tasks by a reshuffle and processed
 * by {@link SplittableProcessFn}, whose residual output the planner wires to a residual write (see
 * {@code ResidualWrite}) instead of any consumer.
 */
final class SplittableProcess<InputT, OutputT, RestrictionT, StateT>
    extends PTransform<PCollection<KV<byte[], KV<InputT, RestrictionT>>>, PCollectionTuple> {

  private final ProcessKeyedElements<InputT, OutputT, RestrictionT, StateT> original;

  private SplittableProcess(ProcessKeyedElements<InputT, OutputT, RestrictionT, StateT> original) {
    this.original = original;
  }

  @Override
  public PCollectionTuple expand(PCollection<KV<byte[], KV<InputT, RestrictionT>>> input) {
    Coder<KV<KV<InputT, RestrictionT>, StateT>> workCoder =
        KvCoder.of(
            KvCoder.of(original.getElementCoder(), original.getRestrictionCoder()),
            NullableCoder.of(original.getWatermarkEstimatorStateCoder()));
    TupleTag<KV<KV<InputT, RestrictionT>, StateT>> residualTag =
        new TupleTag<>(original.getMainOutputTag().getId() + "-residuals");
    PCollectionTuple outputs =
        input
            .apply("Reshuffle", Reshuffle.of())
            .apply("Drop key", ParDo.of(new DropKey<InputT, RestrictionT, StateT>()))
            .setCoder(workCoder)
            .apply(
                "Process",
                ParDo.of(
                        new SplittableProcessFn<>(
                            original.getFn(), original.getSideInputMapping(), residualTag))
                    .withSideInputs(original.getSideInputs())
                    .withOutputTags(
                        original.getMainOutputTag(),
                        original.getAdditionalOutputTags().and(residualTag)));
    outputs.get(residualTag).setCoder(workCoder);
    PCollectionTuple result = PCollectionTuple.empty(input.getPipeline());
    for (Map.Entry<TupleTag<?>, Coder<?>> e : original.getOutputTagsToCoders().entrySet()) {
      result = and(result, outputs, e.getKey(), e.getValue());
    }
    return result;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static PCollectionTuple and(
      PCollectionTuple result, PCollectionTuple outputs, TupleTag tag, Coder coder) {
    PCollection pc = outputs.get(tag);
    pc.setCoder(coder);
    return result.and(tag, pc);
  }

  /** Restrictions start without watermark estimator state; the key was only for spreading. */
  private static final class DropKey<InputT, RestrictionT, StateT>
      extends DoFn<KV<byte[], KV<InputT, RestrictionT>>, KV<KV<InputT, RestrictionT>, StateT>> {
    @ProcessElement
    public void process(
        @Element KV<byte[], KV<InputT, RestrictionT>> keyed,
        OutputReceiver<KV<KV<InputT, RestrictionT>, StateT>> out) {
      out.output(KV.of(keyed.getValue(), null));
    }
  }

  /**
   * Replaces Beam's {@code ProcessKeyedElements}. A DoFn declared unbounded per element is run the
   * same way, until it stops (see {@link BoundedCheck}).
   */
  static final class OverrideFactory<InputT, OutputT, RestrictionT, StateT>
      implements PTransformOverrideFactory<
          PCollection<KV<byte[], KV<InputT, RestrictionT>>>,
          PCollectionTuple,
          ProcessKeyedElements<InputT, OutputT, RestrictionT, StateT>> {

    @Override
    public PTransformReplacement<
            PCollection<KV<byte[], KV<InputT, RestrictionT>>>, PCollectionTuple>
        getReplacementTransform(
            AppliedPTransform<
                    PCollection<KV<byte[], KV<InputT, RestrictionT>>>,
                    PCollectionTuple,
                    ProcessKeyedElements<InputT, OutputT, RestrictionT, StateT>>
                transform) {
      return PTransformReplacement.of(
          PTransformReplacements.getSingletonMainInput(transform),
          new SplittableProcess<>(transform.getTransform()));
    }

    @Override
    public Map<PCollection<?>, ReplacementOutput> mapOutputs(
        Map<TupleTag<?>, PCollection<?>> outputs, PCollectionTuple newOutput) {
      return ReplacementOutputs.tagged(outputs, newOutput);
    }
  }
}

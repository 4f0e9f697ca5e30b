package dev.redwood.runner.translation;

import dev.redwood.runner.translation.PipelineGraph.Step;
import dev.redwood.runner.worker.CombineMerge;
import dev.redwood.runner.worker.CombineSpec;
import dev.redwood.runner.worker.OperationSpec;
import dev.redwood.runner.worker.Operator;
import dev.redwood.runner.worker.OperatorOutputs;
import dev.redwood.runner.worker.PartialCombineOperator;
import dev.redwood.runner.worker.ReduceLogic;
import dev.redwood.runner.worker.ShuffleRead;
import dev.redwood.runner.worker.ShuffleTarget;
import dev.redwood.runner.worker.ShuffleWriteSpec;
import dev.redwood.runner.worker.TaskContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.runners.AppliedPTransform;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.util.construction.PTransformTranslation;
import org.apache.beam.sdk.values.PCollection;

/**
 * A Combine.perKey that combiner lifting applies to (see {@link CombineLifting}), run whole:
 * partial combines into the shuffle, and a merge of each key's accumulators in the stage that reads
 * it.
 */
final class LiftedCombineKind implements ShuffleKind {

  @Override
  public Set<String> urns() {
    return Set.of(PTransformTranslation.COMBINE_PER_KEY_TRANSFORM_URN);
  }

  @Override
  public boolean runsComposites() {
    return true;
  }

  @Override
  public boolean runs(AppliedPTransform<?, ?, ?> transform) {
    return CombineLifting.isLiftable(transform, transform.getPipeline().getCoderRegistry());
  }

  /** Lifted combines take no side inputs (see CombineLifting), so main inputs are all inputs. */
  @Override
  public List<PCollection<?>> mainInputs(AppliedPTransform<?, ?, ?> transform) {
    return new ArrayList<>(transform.getInputs().values());
  }

  @Override
  public OperationSpec mapSide(Step step, ShuffleTarget target) {
    return new PartialCombineWrite(combineSpec(step), target);
  }

  @Override
  public ShuffleRead reduceSide(Step step) {
    return new CombineMergeRead(combineSpec(step));
  }

  @Override
  public void placeAfter(Step step, Placement reading) {
    reading.passThrough();
  }

  private static CombineSpec combineSpec(Step step) {
    Combine.PerKey<?, ?, ?> combine = (Combine.PerKey<?, ?, ?>) step.transform();
    KvCoder<?, ?> kv = step.kvInputCoder();
    PCollection<?> input = step.mainInput();
    return new CombineSpec(
        step.name(),
        kv.getKeyCoder(),
        CombineLifting.accumulatorCoder(combine, kv, input.getPipeline().getCoderRegistry()),
        ElementCoders.window(input),
        step.serialize(combine.getFn(), "CombineFn"),
        input.getWindowingStrategy());
  }

  /**
   * The map side of a lifted Combine.perKey: a bounded table of accumulators per key and window,
   * flushed into the shuffle.
   */
  record PartialCombineWrite(CombineSpec combine, ShuffleTarget target)
      implements ShuffleWriteSpec {
    @Override
    public String stepName() {
      return combine.stepName();
    }

    @Override
    public Operator operator(TaskContext context, OperatorOutputs outputs) {
      return new PartialCombineOperator(context, target, combine);
    }
  }

  /**
   * A lifted Combine.perKey's reduce side: merge the partial accumulators of each key and window,
   * extract outputs.
   */
  record CombineMergeRead(CombineSpec combine) implements ShuffleRead {
    @Override
    public ReduceLogic logic(TaskContext context) {
      return new CombineMerge(combine, context);
    }
  }
}

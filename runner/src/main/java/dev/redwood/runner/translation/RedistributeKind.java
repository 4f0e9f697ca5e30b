package dev.redwood.runner.translation;

import dev.redwood.runner.translation.PipelineGraph.Step;
import dev.redwood.runner.worker.OperationSpec;
import dev.redwood.runner.worker.Operator;
import dev.redwood.runner.worker.OperatorOutputs;
import dev.redwood.runner.worker.PassThrough;
import dev.redwood.runner.worker.RedistributeWriteOperator;
import dev.redwood.runner.worker.ReduceLogic;
import dev.redwood.runner.worker.ShuffleRead;
import dev.redwood.runner.worker.ShuffleTarget;
import dev.redwood.runner.worker.ShuffleWriteSpec;
import dev.redwood.runner.worker.TaskContext;
import java.util.Set;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.util.construction.PTransformTranslation;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.WindowedValue;

/**
 * Reshuffle and Redistribute, run whole: elements are spread over a partition per task slot (by key
 * when they have one) and pass through unchanged.
 */
final class RedistributeKind implements ShuffleKind {

  @Override
  public Set<String> urns() {
    return Set.of(
        PTransformTranslation.RESHUFFLE_URN,
        PTransformTranslation.REDISTRIBUTE_ARBITRARILY_URN,
        PTransformTranslation.REDISTRIBUTE_BY_KEY_URN);
  }

  @Override
  public boolean runsComposites() {
    return true;
  }

  @Override
  public boolean spreadsWork() {
    return true;
  }

  @Override
  public OperationSpec mapSide(Step step, ShuffleTarget target) {
    PCollection<?> input = step.mainInput();
    Coder<?> key = input.getCoder() instanceof KvCoder<?, ?> kv ? kv.getKeyCoder() : null;
    return new SpreadWrite(step.name(), target, ElementCoders.windowed(input), key);
  }

  @Override
  public ShuffleRead reduceSide(Step step) {
    return new PassThroughRead(step.name(), ElementCoders.windowed(step.mainInput()));
  }

  @Override
  public void placeAfter(Step step, Placement reading) {
    reading.passThrough();
  }

  /**
   * The map side of Reshuffle, Redistribute or a fusion break: whole elements, spread over
   * partitions (by key when {@code keyCoder} is set, else round robin).
   */
  record SpreadWrite(
      String stepName,
      ShuffleTarget target,
      Coder<WindowedValue<?>> elementCoder,
      Coder<?> keyCoder)
      implements ShuffleWriteSpec {
    @Override
    public Operator operator(TaskContext context, OperatorOutputs outputs) {
      return new RedistributeWriteOperator(context, target, elementCoder, keyCoder);
    }
  }

  /** The reduce side of Reshuffle, Redistribute or a fusion break: elements pass unchanged. */
  record PassThroughRead(String stepName, Coder<WindowedValue<?>> elementCoder)
      implements ShuffleRead {
    @Override
    public boolean grouped() {
      return false;
    }

    @Override
    public ReduceLogic logic(TaskContext context) {
      return new PassThrough(elementCoder);
    }
  }
}

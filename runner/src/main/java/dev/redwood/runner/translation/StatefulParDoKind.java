package dev.redwood.runner.translation;

import dev.redwood.runner.translation.PipelineGraph.Step;
import dev.redwood.runner.worker.DoFnOperation;
import dev.redwood.runner.worker.DoFnSpec;
import dev.redwood.runner.worker.KeyedElementsRead;
import dev.redwood.runner.worker.OperationSpec;
import dev.redwood.runner.worker.Operator;
import dev.redwood.runner.worker.OperatorOutputs;
import dev.redwood.runner.worker.ReduceLogic;
import dev.redwood.runner.worker.ShuffleRead;
import dev.redwood.runner.worker.ShuffleTarget;
import dev.redwood.runner.worker.StatefulParDoOperator;
import dev.redwood.runner.worker.TaskContext;
import java.util.List;
import java.util.Set;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.runners.AppliedPTransform;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.reflect.DoFnSignature;
import org.apache.beam.sdk.transforms.reflect.DoFnSignatures;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.util.construction.PTransformTranslation;
import org.apache.beam.sdk.values.PCollectionView;

/**
 * A ParDo with state, timers, OnWindowExpiration or time-sorted input: it runs per key, so its
 * input is shuffled by key and it starts the stage that reads the shuffle, where each key's
 * elements arrive together.
 */
final class StatefulParDoKind implements ShuffleKind {

  @Override
  public Set<String> urns() {
    return Set.of(PTransformTranslation.PAR_DO_TRANSFORM_URN);
  }

  @Override
  public boolean runs(AppliedPTransform<?, ?, ?> transform) {
    return isStateful(transform);
  }

  /** State, timers, OnWindowExpiration or time-sorted input: the DoFn runs per key. */
  static boolean isStateful(AppliedPTransform<?, ?, ?> transform) {
    DoFnSignature signature = signature(transform.getTransform());
    return signature.usesState()
        || signature.usesTimers()
        || signature.onWindowExpiration() != null
        || signature.processElement().requiresTimeSortedInput();
  }

  private static DoFnSignature signature(Object parDo) {
    DoFn<?, ?> fn = ((ParDo.MultiOutput<?, ?>) parDo).getFn();
    return DoFnSignatures.getSignature(fn.getClass());
  }

  @Override
  public List<PCollectionView<?>> sideInputs(AppliedPTransform<?, ?, ?> transform) {
    return ParDoKind.sideInputsOf(transform);
  }

  @Override
  public OperationSpec mapSide(Step step, ShuffleTarget target) {
    return GroupByKeyKind.keyedWrite(step, target, false);
  }

  @Override
  public ShuffleRead reduceSide(Step step) {
    return keyGroups(step);
  }

  /** Reads a keyed shuffle back as each key's elements together, for a step that runs per key. */
  static KeyGroupsRead keyGroups(Step step) {
    KvCoder<?, ?> kv = step.kvInputCoder();
    return new KeyGroupsRead(
        step.name(), kv.getKeyCoder(), kv.getValueCoder(), ElementCoders.window(step.mainInput()));
  }

  @Override
  public void placeAfter(Step step, Placement reading) {
    boolean timeSorted = signature(step.transform()).processElement().requiresTimeSortedInput();
    ParDoKind.fuse(step, new StatefulParDoSpec(ParDoKind.doFnSpec(step), timeSorted), reading);
  }

  /**
   * The stateful ParDo, run per key with batch semantics.
   *
   * @param requiresTimeSortedInput feed each key's elements in timestamp order
   */
  record StatefulParDoSpec(DoFnSpec doFn, boolean requiresTimeSortedInput)
      implements DoFnOperation {
    @Override
    public Operator operator(TaskContext context, OperatorOutputs outputs) {
      return new StatefulParDoOperator(doFn, requiresTimeSortedInput, context, outputs.byTag());
    }
  }

  /**
   * The input of a stateful ParDo: each key's elements (windowed values with timestamps) handed on
   * together, unmodified, as one group.
   */
  record KeyGroupsRead(
      String stepName,
      Coder<?> keyCoder,
      Coder<?> valueCoder,
      Coder<? extends BoundedWindow> windowCoder)
      implements ShuffleRead {
    @Override
    public ReduceLogic logic(TaskContext context) {
      return new KeyedElementsRead(keyCoder, valueCoder, windowCoder);
    }
  }
}

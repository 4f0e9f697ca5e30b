package dev.redwood.runner.translation;

import dev.redwood.runner.translation.PipelineGraph.Step;
import dev.redwood.runner.worker.GroupAlsoByWindow;
import dev.redwood.runner.worker.GroupByKeyWriteOperator;
import dev.redwood.runner.worker.OperationSpec;
import dev.redwood.runner.worker.Operator;
import dev.redwood.runner.worker.OperatorOutputs;
import dev.redwood.runner.worker.ReduceLogic;
import dev.redwood.runner.worker.ShuffleRead;
import dev.redwood.runner.worker.ShuffleTarget;
import dev.redwood.runner.worker.ShuffleWriteSpec;
import dev.redwood.runner.worker.TaskContext;
import java.util.Set;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.DefaultTrigger;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.TimestampCombiner;
import org.apache.beam.sdk.util.construction.PTransformTranslation;
import org.apache.beam.sdk.values.WindowingStrategy;

/**
 * GroupByKey: ends its input's stages at a shuffle by key; the stage that reads it groups each
 * key's values by window (triggers fire with batch semantics).
 */
final class GroupByKeyKind implements ShuffleKind {

  @Override
  public Set<String> urns() {
    return Set.of(PTransformTranslation.GROUP_BY_KEY_TRANSFORM_URN);
  }

  @Override
  public OperationSpec mapSide(Step step, ShuffleTarget target) {
    return keyedWrite(step, target, valuesOnly(step.mainInput().getWindowingStrategy()));
  }

  /** The map side of a shuffle by the keys of {@code step}'s input. */
  static KeyedShuffleWrite keyedWrite(Step step, ShuffleTarget target, boolean valuesOnly) {
    KvCoder<?, ?> kv = step.kvInputCoder();
    return new KeyedShuffleWrite(
        step.name(),
        target,
        kv.getKeyCoder(),
        kv.getValueCoder(),
        ElementCoders.window(step.mainInput()),
        valuesOnly);
  }

  @Override
  public ShuffleRead reduceSide(Step step) {
    KvCoder<?, ?> kv = step.kvInputCoder();
    WindowingStrategy<?, ?> windowing = step.mainInput().getWindowingStrategy();
    return new GroupAlsoByWindowRead(
        step.name(), kv.getKeyCoder(), kv.getValueCoder(), windowing, valuesOnly(windowing));
  }

  @Override
  public void placeAfter(Step step, Placement reading) {
    reading.passThrough();
  }

  /** Global window, default trigger, end-of-window timestamps: one pane per key, values only. */
  private static boolean valuesOnly(WindowingStrategy<?, ?> windowing) {
    return windowing.getWindowFn() instanceof GlobalWindows
        && windowing.getTrigger() instanceof DefaultTrigger
        && windowing.getTimestampCombiner() == TimestampCombiner.END_OF_WINDOW;
  }

  /**
   * The map side of a shuffle by key (GroupByKey, a stateful ParDo): key bytes and windowed values
   * into the stage's shuffle writer.
   *
   * @param valuesOnly write bare values (see {@link GroupAlsoByWindowRead#valuesOnly})
   */
  record KeyedShuffleWrite(
      String stepName,
      ShuffleTarget target,
      Coder<?> keyCoder,
      Coder<?> valueCoder,
      Coder<? extends BoundedWindow> windowCoder,
      boolean valuesOnly)
      implements ShuffleWriteSpec {
    @Override
    public Operator operator(TaskContext context, OperatorOutputs outputs) {
      return new GroupByKeyWriteOperator(
          context, target, keyCoder, valueCoder, windowCoder, valuesOnly);
    }
  }

  /**
   * GroupByKey's reduce side: group by key, then by window with the input's windowing strategy.
   *
   * @param valuesOnly the map side wrote bare values (global window, default trigger, end-of-window
   *     timestamps), so timestamps and panes are not in the records
   */
  record GroupAlsoByWindowRead(
      String stepName,
      Coder<?> keyCoder,
      Coder<?> valueCoder,
      WindowingStrategy<?, ?> windowingStrategy,
      boolean valuesOnly)
      implements ShuffleRead {
    @Override
    public ReduceLogic logic(TaskContext context) {
      return new GroupAlsoByWindow(
          stepName, keyCoder, valueCoder, windowingStrategy, valuesOnly, context);
    }
  }
}

package dev.redwood.runner.worker;

import java.io.Closeable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.beam.runners.core.InMemoryStateInternals;
import org.apache.beam.runners.core.InMemoryTimerInternals;
import org.apache.beam.runners.core.NullSideInputReader;
import org.apache.beam.runners.core.ReduceFnRunner;
import org.apache.beam.runners.core.SystemReduceFn;
import org.apache.beam.runners.core.TimerInternals.TimerData;
import org.apache.beam.runners.core.triggers.ExecutableTriggerStateMachine;
import org.apache.beam.runners.core.triggers.TriggerStateMachines;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.util.construction.TriggerTranslation;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.WindowedValue;
import org.apache.beam.sdk.values.WindowedValues;
import org.apache.beam.sdk.values.WindowingStrategy;

/**
 * GroupByKey's reduce side with batch semantics. Values of a key arrive together from the shuffle;
 * each key runs through Beam's {@link ReduceFnRunner} with in-memory state and timers, then the
 * watermark and processing time jump to the end of time so every window and trigger fires. The
 * common case (global window, default trigger) skips the runner: one pane per key.
 */
public final class GroupAlsoByWindow implements ReduceLogic {
  private final String stepName;
  private final WindowingStrategy<?, ?> windowingStrategy;
  private final boolean valuesOnly;
  private final TaskContext context;
  private final Coder<Object> keyCoder;
  private final Coder<Object> valueCoder;
  private final Coder<WindowedValue<Object>> windowedValueCoder;

  /**
   * @param valuesOnly the map side wrote bare values (global window, default trigger, end-of-window
   *     timestamps), so timestamps and panes are not in the records
   */
  @SuppressWarnings("unchecked")
  public GroupAlsoByWindow(
      String stepName,
      Coder<?> keyCoder,
      Coder<?> valueCoder,
      WindowingStrategy<?, ?> windowingStrategy,
      boolean valuesOnly,
      TaskContext context) {
    this.stepName = stepName;
    this.windowingStrategy = windowingStrategy;
    this.valuesOnly = valuesOnly;
    this.context = context;
    this.keyCoder = (Coder<Object>) keyCoder;
    this.valueCoder = (Coder<Object>) valueCoder;
    this.windowedValueCoder =
        WindowedValues.getFullCoder(
            this.valueCoder, (Coder<BoundedWindow>) windowingStrategy.getWindowFn().windowCoder());
  }

  @Override
  public void group(byte[] keyBytes, Iterator<byte[]> values, Receiver output) throws Exception {
    Object key = ShufflePartitionReader.decode(keyCoder, keyBytes);
    if (valuesOnly) {
      List<Object> all = new ArrayList<>();
      while (values.hasNext()) {
        all.add(ShufflePartitionReader.decode(valueCoder, values.next()));
      }
      output.accept(
          WindowedValues.of(
              KV.of(key, all),
              GlobalWindow.INSTANCE.maxTimestamp(),
              GlobalWindow.INSTANCE,
              PaneInfo.ON_TIME_AND_ONLY_FIRING));
      return;
    }
    List<WindowedValue<Object>> elements = new ArrayList<>();
    while (values.hasNext()) {
      elements.add(ShufflePartitionReader.decode(windowedValueCoder, values.next()));
    }
    try (Closeable scope = context.metricsScope(stepName)) {
      reduce(key, elements, output);
    }
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private void reduce(Object key, List<WindowedValue<Object>> elements, Receiver output)
      throws Exception {
    WindowingStrategy<?, BoundedWindow> strategy =
        (WindowingStrategy<?, BoundedWindow>) windowingStrategy;
    InMemoryTimerInternals timers = new InMemoryTimerInternals();
    ReduceFnRunner<Object, Object, Iterable<Object>, BoundedWindow> runner =
        new ReduceFnRunner<>(
            key,
            strategy,
            ExecutableTriggerStateMachine.create(
                TriggerStateMachines.stateMachineForTrigger(
                    TriggerTranslation.toProto(strategy.getTrigger()))),
            InMemoryStateInternals.forKey(key),
            timers,
            wv -> output.accept(wv),
            NullSideInputReader.empty(),
            (SystemReduceFn) SystemReduceFn.buffering(valueCoder),
            context.options());
    runner.processElements(elements);
    timers.advanceInputWatermark(BoundedWindow.TIMESTAMP_MAX_VALUE);
    timers.advanceProcessingTime(BoundedWindow.TIMESTAMP_MAX_VALUE);
    timers.advanceSynchronizedProcessingTime(BoundedWindow.TIMESTAMP_MAX_VALUE);
    while (true) {
      List<TimerData> fired = new ArrayList<>();
      TimerData timer;
      while ((timer = timers.removeNextEventTimer()) != null) {
        fired.add(timer);
      }
      while ((timer = timers.removeNextProcessingTimer()) != null) {
        fired.add(timer);
      }
      while ((timer = timers.removeNextSynchronizedProcessingTimer()) != null) {
        fired.add(timer);
      }
      if (fired.isEmpty()) {
        break;
      }
      runner.onTimers(fired);
    }
    runner.persist();
  }
}

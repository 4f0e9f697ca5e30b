package dev.redwood.runner.plan;

import java.io.Serializable;
import java.util.List;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.WindowedValue;
import org.apache.beam.sdk.values.WindowingStrategy;

/** The one kind of input a stage has; its task count follows from it. */
public sealed interface StageInput extends Serializable {

  /** Number of tasks the stage runs. */
  int taskCount();

  /** Beam's Impulse: one task emits one empty byte array in the global window. */
  record Impulse(String stepName) implements StageInput {
    @Override
    public int taskCount() {
      return 1;
    }
  }

  /** A bounded source split on the driver; task t reads {@code splits.get(t)}. */
  record SourceSplits(String stepName, List<byte[]> splits) implements StageInput {
    @Override
    public int taskCount() {
      return splits.size();
    }
  }

  /**
   * Partition t of a shuffle, read from the accepted map outputs of every producer stage.
   *
   * @param read how the partition's records become elements
   */
  record ShufflePartitions(
      String shuffleId, int partitions, List<Integer> producerStages, ShuffleRead read)
      implements StageInput {
    @Override
    public int taskCount() {
      return partitions;
    }
  }

  /** How a reduce task turns shuffle records back into elements. */
  sealed interface ShuffleRead extends Serializable {
    /** Whether records must arrive sorted and grouped by key. */
    boolean grouped();
  }

  /**
   * GroupByKey's reduce side: group by key, then by window with the input's windowing strategy
   * (triggers fire with batch semantics).
   *
   * @param valuesOnly the map side wrote bare values (global window, default trigger, end-of-window
   *     timestamps), so timestamps and panes are not in the records
   */
  record GroupAlsoByWindow(
      String stepName,
      Coder<?> keyCoder,
      Coder<?> valueCoder,
      WindowingStrategy<?, ?> windowingStrategy,
      boolean valuesOnly)
      implements ShuffleRead {
    @Override
    public boolean grouped() {
      return true;
    }
  }

  /**
   * A lifted Combine.perKey's reduce side: merge the partial accumulators of each key and
   * window, extract outputs.
   *
   * @param combineFn the serialized CombineFn
   */
  record CombineMerge(
      String stepName,
      Coder<?> keyCoder,
      Coder<?> accumulatorCoder,
      Coder<? extends BoundedWindow> windowCoder,
      byte[] combineFn,
      WindowingStrategy<?, ?> windowingStrategy)
      implements ShuffleRead {
    @Override
    public boolean grouped() {
      return true;
    }
  }

  /**
   * The input of a stateful ParDo: each key's elements (windowed values with timestamps) handed
   * on together, unmodified, as one group.
   */
  record KeyedElements(
      String stepName,
      Coder<?> keyCoder,
      Coder<?> valueCoder,
      Coder<? extends BoundedWindow> windowCoder)
      implements ShuffleRead {
    @Override
    public boolean grouped() {
      return true;
    }
  }

  /** Reshuffle, Redistribute or a fusion break: elements pass through unchanged. */
  record PassThrough(String stepName, Coder<WindowedValue<?>> elementCoder) implements ShuffleRead {
    @Override
    public boolean grouped() {
      return false;
    }
  }
}

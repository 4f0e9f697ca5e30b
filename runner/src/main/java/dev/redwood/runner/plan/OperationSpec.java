package dev.redwood.runner.plan;

import java.io.Serializable;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.transforms.DoFnSchemaInformation;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.WindowedValue;
import org.apache.beam.sdk.values.WindowingStrategy;

/**
 * One fused operator of a stage. User objects (DoFns, WindowFns, CombineFns) are kept as bytes
 * serialized on the driver, so a non-serializable one is reported with its transform's name.
 */
public sealed interface OperationSpec extends Serializable {

  /** The transform's full name: the step metrics are reported under. */
  String stepName();

  /** Output tag ids every operator but ParDo uses. */
  String MAIN = "main";

  /** A ParDo: one DoFn with its outputs and side inputs. */
  record ParDo(
      String stepName,
      byte[] doFn,
      TupleTag<?> mainOutputTag,
      List<TupleTag<?>> additionalOutputTags,
      Coder<?> inputCoder,
      Map<TupleTag<?>, Coder<?>> outputCoders,
      WindowingStrategy<?, ?> windowingStrategy,
      List<SideInput> sideInputs,
      DoFnSchemaInformation doFnSchemaInformation,
      Map<String, PCollectionView<?>> sideInputMapping)
      implements OperationSpec {}

  /**
   * A side input a ParDo reads: the view and the coder its materialized elements were written
   * with.
   */
  record SideInput(PCollectionView<?> view, Coder<WindowedValue<?>> elementCoder)
      implements Serializable {
    public String viewId() {
      return view.getTagInternal().getId();
    }
  }

  /**
   * A ParDo with state or timers: runs per key on the reduce side of a shuffle by key, whose
   * input arrives as one group per key.
   */
  record StatefulParDo(ParDo parDo, boolean requiresTimeSortedInput) implements OperationSpec {
    @Override
    public String stepName() {
      return parDo.stepName();
    }
  }

  /** Window.into: assigns windows with a WindowFn. */
  record AssignWindows(String stepName, byte[] windowFn) implements OperationSpec {}

  /**
   * The map side of GroupByKey: key bytes and windowed values into the stage's shuffle writer.
   *
   * @param valuesOnly write bare values (see {@link StageInput.GroupAlsoByWindow#valuesOnly})
   */
  record GroupByKeyWrite(
      String stepName,
      String shuffleId,
      int partitions,
      Coder<?> keyCoder,
      Coder<?> valueCoder,
      Coder<? extends BoundedWindow> windowCoder,
      boolean valuesOnly)
      implements OperationSpec {}

  /**
   * The map side of a lifted Combine.perKey: a bounded table of accumulators per key and window,
   * flushed into the shuffle.
   */
  record PartialCombineWrite(
      String stepName,
      String shuffleId,
      int partitions,
      Coder<?> keyCoder,
      Coder<?> accumulatorCoder,
      Coder<? extends BoundedWindow> windowCoder,
      byte[] combineFn,
      WindowingStrategy<?, ?> windowingStrategy)
      implements OperationSpec {}

  /**
   * The map side of Reshuffle / Redistribute / a fusion break: whole elements, spread over
   * partitions (by key when {@code keyCoder} is set, else round robin).
   */
  record RedistributeWrite(
      String stepName,
      String shuffleId,
      int partitions,
      Coder<WindowedValue<?>> elementCoder,
      Coder<?> keyCoder)
      implements OperationSpec {}

  /**
   * Keeps the restrictions a splittable DoFn left for later (see {@code SplittableProcessFn}): the
   * driver hands them to a continuation task, which feeds them to the operator of {@code
   * processStep}.
   */
  record ResidualWrite(
      String stepName, String processStep, Coder<WindowedValue<?>> elementCoder)
      implements OperationSpec {}

  /** Materializes a PCollection for a side-input view: all elements with their windows. */
  record ViewWrite(String stepName, String viewId, Coder<WindowedValue<?>> elementCoder)
      implements OperationSpec {}
}

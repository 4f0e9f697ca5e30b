package dev.redwood.runner.translation;

import dev.redwood.runner.translation.PipelineGraph.Step;
import dev.redwood.runner.worker.DoFnOperation;
import dev.redwood.runner.worker.DoFnSpec;
import dev.redwood.runner.worker.OperationSpec;
import dev.redwood.runner.worker.Operator;
import dev.redwood.runner.worker.OperatorOutputs;
import dev.redwood.runner.worker.ParDoOperator;
import dev.redwood.runner.worker.ResidualWrite;
import dev.redwood.runner.worker.ShuffleRead;
import dev.redwood.runner.worker.ShuffleTarget;
import dev.redwood.runner.worker.SideInputSpec;
import dev.redwood.runner.worker.SplittableProcessFn;
import dev.redwood.runner.worker.TaskContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.runners.AppliedPTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.util.construction.PTransformTranslation;
import org.apache.beam.sdk.util.construction.ParDoTranslation;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TupleTag;

/**
 * A ParDo without state or timers, fused into the stage that produces its input. When that stage
 * cannot wait for one of its side inputs (the view is computed downstream of the stage), a fusion
 * break shuffles its input and it starts a stage of its own. The ParDo that processes a splittable
 * DoFn's restrictions sends its residual output to a {@link ResidualWrite}.
 */
final class ParDoKind implements OperationKind {
  private final FusionBreak fusionBreak =
      new FusionBreak((parDo, reading) -> fuse(parDo, new ParDoSpec(doFnSpec(parDo)), reading));

  @Override
  public Set<String> urns() {
    return Set.of(PTransformTranslation.PAR_DO_TRANSFORM_URN);
  }

  @Override
  public boolean runs(AppliedPTransform<?, ?, ?> transform) {
    return !StatefulParDoKind.isStateful(transform);
  }

  @Override
  public List<PCollectionView<?>> sideInputs(AppliedPTransform<?, ?, ?> transform) {
    return sideInputsOf(transform);
  }

  /** The side inputs of a ParDo, stateful or not. */
  static List<PCollectionView<?>> sideInputsOf(AppliedPTransform<?, ?, ?> transform) {
    return new ArrayList<>(
        ((ParDo.MultiOutput<?, ?>) transform.getTransform()).getSideInputs().values());
  }

  @Override
  public void place(Step step, Placement at) {
    if (!step.sideInputs.isEmpty() && !at.sideInputsReady()) {
      at.shuffle(fusionBreak);
    } else {
      fuse(step, new ParDoSpec(doFnSpec(step)), at);
    }
  }

  /**
   * Fuses the operator of a ParDo step and wires its outputs by tag; the residual output of a
   * splittable DoFn goes to a residual write.
   */
  static void fuse(Step step, OperationSpec operation, Placement at) {
    FusedOutputs op = at.fuse(operation);
    String residualTag = residualTag(step);
    for (Map.Entry<TupleTag<?>, PCollection<?>> out : step.outputs.entrySet()) {
      String tag = out.getKey().getId();
      if (tag.equals(residualTag)) {
        op.writeTo(
            tag,
            new ResidualWrite(
                step.name() + "/residuals", step.name(), ElementCoders.windowed(out.getValue())),
            out.getValue());
      } else {
        op.feed(tag, out.getValue());
      }
    }
  }

  /** The DoFn of a ParDo step, serialized, with its tags, coders and side inputs. */
  static DoFnSpec doFnSpec(Step step) {
    ParDo.MultiOutput<?, ?> parDo = (ParDo.MultiOutput<?, ?>) step.transform();
    Map<TupleTag<?>, Coder<?>> outputCoders = new LinkedHashMap<>();
    for (Map.Entry<TupleTag<?>, PCollection<?>> out : step.outputs.entrySet()) {
      outputCoders.put(out.getKey(), out.getValue().getCoder());
    }
    List<SideInputSpec> sideInputs = new ArrayList<>();
    for (PCollectionView<?> view : step.sideInputs) {
      sideInputs.add(new SideInputSpec(view, ElementCoders.windowed(view.getPCollection())));
    }
    return new DoFnSpec(
        step.name(),
        step.serialize(parDo.getFn(), "DoFn"),
        parDo.getMainOutputTag(),
        new ArrayList<>(parDo.getAdditionalOutputTags().getAll()),
        step.mainInput().getCoder(),
        outputCoders,
        step.mainInput().getWindowingStrategy(),
        sideInputs,
        ParDoTranslation.getSchemaInformation(step.applied),
        ParDoTranslation.getSideInputMapping(step.applied));
  }

  /** The id of the residual output when {@code step} processes splittable restrictions. */
  private static String residualTag(Step step) {
    return step.transform() instanceof ParDo.MultiOutput<?, ?> parDo
            && parDo.getFn() instanceof SplittableProcessFn<?, ?, ?, ?> process
        ? process.residualTag().getId()
        : null;
  }

  /** A ParDo: its DoFn runs over each element of the bundle. */
  record ParDoSpec(DoFnSpec doFn) implements DoFnOperation {
    @Override
    public Operator operator(TaskContext context, OperatorOutputs outputs) {
      return new ParDoOperator(doFn, context, outputs.byTag());
    }
  }

  /**
   * The shuffle before a step whose side inputs its producing stage cannot wait for (a ParDo, a
   * portable pipeline's fused stage): elements are spread unchanged over partitions, and the step
   * is placed in the stage that reads them.
   */
  static final class FusionBreak implements ShuffleBoundary {
    private final BiConsumer<Step, Placement> placeAfter;

    /**
     * @param placeAfter places the step in the stage that reads the shuffle
     */
    FusionBreak(BiConsumer<Step, Placement> placeAfter) {
      this.placeAfter = placeAfter;
    }

    @Override
    public boolean spreadsWork() {
      return true;
    }

    @Override
    public OperationSpec mapSide(Step parDo, ShuffleTarget target) {
      return new RedistributeKind.SpreadWrite(
          name(parDo), target, ElementCoders.windowed(parDo.mainInput()), null);
    }

    @Override
    public ShuffleRead reduceSide(Step parDo) {
      return new RedistributeKind.PassThroughRead(
          name(parDo), ElementCoders.windowed(parDo.mainInput()));
    }

    @Override
    public void placeAfter(Step parDo, Placement reading) {
      placeAfter.accept(parDo, reading);
    }

    private static String name(Step parDo) {
      return "FusionBreak(" + parDo.name() + ")";
    }
  }
}

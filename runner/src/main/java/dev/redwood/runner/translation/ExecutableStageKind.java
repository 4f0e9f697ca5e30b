package dev.redwood.runner.translation;

import dev.redwood.runner.plan.AttemptLayout;
import dev.redwood.runner.portable.ExecutableStageTransform;
import dev.redwood.runner.translation.PipelineGraph.Step;
import dev.redwood.runner.worker.ExecutableStageOperator;
import dev.redwood.runner.worker.OperationSpec;
import dev.redwood.runner.worker.Operator;
import dev.redwood.runner.worker.OperatorOutputs;
import dev.redwood.runner.worker.PortableStageSpec;
import dev.redwood.runner.worker.ShuffleRead;
import dev.redwood.runner.worker.ShuffleTarget;
import dev.redwood.runner.worker.SideInputSpec;
import dev.redwood.runner.worker.TaskContext;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.beam.sdk.runners.AppliedPTransform;
import org.apache.beam.sdk.util.construction.graph.ExecutableStage;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TupleTag;

/**
 * A fused stage of a portable pipeline, run by an SDK harness: fused into the stage producing its
 * input like a ParDo. A stage with user state or timers starts a stage of its own after a shuffle
 * by key; one whose side inputs its producing stage cannot wait for starts one after a spreading
 * shuffle.
 */
final class ExecutableStageKind implements OperationKind {

  @Override
  public Set<String> urns() {
    return Set.of(ExecutableStage.URN);
  }

  @Override
  public boolean runs(AppliedPTransform<?, ?, ?> transform) {
    return transform.getTransform() instanceof ExecutableStageTransform;
  }

  @Override
  public List<PCollectionView<?>> sideInputs(AppliedPTransform<?, ?, ?> transform) {
    return ((ExecutableStageTransform) transform.getTransform()).sideInputViews();
  }

  @Override
  public void place(Step step, Placement at) {
    ExecutableStageTransform stage = (ExecutableStageTransform) step.transform();
    if (stage.keyed()) {
      at.shuffle(new ByKey());
    } else if (!step.sideInputs.isEmpty() && !at.sideInputsReady()) {
      at.shuffle(new ParDoKind.FusionBreak(ExecutableStageKind::fuse));
    } else {
      fuse(step, at);
    }
  }

  private static void fuse(Step step, Placement at) {
    ExecutableStageTransform stage = (ExecutableStageTransform) step.transform();
    Map<String, SideInputSpec> views = new HashMap<>();
    for (PCollectionView<?> view : step.sideInputs) {
      SideInputSpec spec = new SideInputSpec(view, ElementCoders.windowed(view.getPCollection()));
      views.put(spec.viewId(), spec);
    }
    FusedOutputs op = at.fuse(new ExecutableStageSpec(stage.spec(views)));
    for (Map.Entry<TupleTag<?>, PCollection<?>> out : step.outputs.entrySet()) {
      op.feed(out.getKey().getId(), out.getValue());
    }
  }

  /** The stage's operator: outputs are tagged by their PCollection ids. */
  record ExecutableStageSpec(PortableStageSpec stage) implements OperationSpec {
    @Override
    public String stepName() {
      return stage.stepName();
    }

    @Override
    public List<String> writes(AttemptLayout attempt) {
      return List.of();
    }

    @Override
    public Operator operator(TaskContext context, OperatorOutputs outputs) {
      return new ExecutableStageOperator(stage, context, outputs.byTag());
    }
  }

  /** The shuffle by key before a stage with user state or timers: each key's elements together. */
  private static final class ByKey implements ShuffleBoundary {
    @Override
    public OperationSpec mapSide(Step step, ShuffleTarget target) {
      return GroupByKeyKind.keyedWrite(step, target, false);
    }

    @Override
    public ShuffleRead reduceSide(Step step) {
      return StatefulParDoKind.keyGroups(step);
    }

    @Override
    public void placeAfter(Step step, Placement reading) {
      fuse(step, reading);
    }
  }
}

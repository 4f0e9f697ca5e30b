package dev.redwood.runner.translation;

import dev.redwood.runner.plan.AttemptLayout;
import dev.redwood.runner.translation.PipelineGraph.Step;
import dev.redwood.runner.worker.AssignWindowsOperator;
import dev.redwood.runner.worker.OperationSpec;
import dev.redwood.runner.worker.Operator;
import dev.redwood.runner.worker.OperatorOutputs;
import dev.redwood.runner.worker.TaskContext;
import java.util.List;
import java.util.Set;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.util.construction.PTransformTranslation;

/** Window.into: fused where its input is produced; assigns windows with its WindowFn. */
final class AssignWindowsKind implements OperationKind {

  @Override
  public Set<String> urns() {
    return Set.of(PTransformTranslation.ASSIGN_WINDOWS_TRANSFORM_URN);
  }

  @Override
  public void place(Step step, Placement at) {
    Window.Assign<?> assign = (Window.Assign<?>) step.transform();
    at.fuse(new AssignWindowsSpec(step.name(), step.serialize(assign.getWindowFn(), "WindowFn")))
        .feed(OperationSpec.MAIN, step.mainOutput());
  }

  /** Window.into with its serialized WindowFn. */
  record AssignWindowsSpec(String stepName, byte[] windowFn) implements OperationSpec {
    @Override
    public List<String> writes(AttemptLayout attempt) {
      return List.of();
    }

    @Override
    public Operator operator(TaskContext context, OperatorOutputs outputs) {
      return new AssignWindowsOperator(stepName, windowFn, outputs.main());
    }
  }
}

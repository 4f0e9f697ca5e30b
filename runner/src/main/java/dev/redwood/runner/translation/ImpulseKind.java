package dev.redwood.runner.translation;

import dev.redwood.runner.translation.PipelineGraph.Step;
import dev.redwood.runner.worker.InputReader;
import dev.redwood.runner.worker.StageInput;
import dev.redwood.runner.worker.TaskContext;
import java.util.Set;
import org.apache.beam.sdk.util.construction.PTransformTranslation;
import org.apache.beam.sdk.values.WindowedValues;

/** Beam's Impulse: starts a stage of one task, which emits one empty byte array. */
final class ImpulseKind implements OperationKind {

  @Override
  public Set<String> urns() {
    return Set.of(PTransformTranslation.IMPULSE_TRANSFORM_URN);
  }

  @Override
  public void place(Step step, Placement at) {
    at.startStage(new ImpulseInput(step.name()));
  }

  /** The input of an Impulse's stage: one element in the global window. */
  record ImpulseInput(String stepName) implements StageInput {
    @Override
    public int taskCount() {
      return 1;
    }

    @Override
    public InputReader reader(TaskContext context) {
      return output -> {
        output.accept(WindowedValues.valueInGlobalWindow(new byte[0]));
        return 1;
      };
    }
  }
}

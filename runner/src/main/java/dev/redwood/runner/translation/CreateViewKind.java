package dev.redwood.runner.translation;

import dev.redwood.runner.plan.AttemptLayout;
import dev.redwood.runner.translation.PipelineGraph.Step;
import dev.redwood.runner.worker.Operator;
import dev.redwood.runner.worker.OperatorOutputs;
import dev.redwood.runner.worker.SingleObjectWrite;
import dev.redwood.runner.worker.TaskContext;
import dev.redwood.runner.worker.ViewWriteOperator;
import java.util.Set;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.runners.AppliedPTransform;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.util.construction.PTransformTranslation;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.WindowedValue;

/**
 * A side-input view: every stage that produces its input materializes it there, and stages that
 * read the view wait for those stages.
 */
final class CreateViewKind implements OperationKind {

  @Override
  public Set<String> urns() {
    return Set.of(PTransformTranslation.CREATE_VIEW_TRANSFORM_URN);
  }

  @Override
  public PCollectionView<?> materializes(AppliedPTransform<?, ?, ?> transform) {
    return ((View.CreatePCollectionView<?, ?>) transform.getTransform()).getView();
  }

  @Override
  public void place(Step step, Placement at) {
    at.writeView(
        new ViewWrite(
            step.name(),
            PipelineGraph.viewId(step.view),
            ElementCoders.windowed(step.mainInput())));
  }

  /** Materializes a PCollection for a side-input view: all elements with their windows. */
  record ViewWrite(String stepName, String viewId, Coder<WindowedValue<?>> elementCoder)
      implements SingleObjectWrite {
    @Override
    public String target(AttemptLayout attempt) {
      return attempt.view(viewId);
    }

    @Override
    public Operator operator(TaskContext context, OperatorOutputs outputs) {
      return new ViewWriteOperator(context, viewId, target(context.attempt()), elementCoder);
    }
  }
}

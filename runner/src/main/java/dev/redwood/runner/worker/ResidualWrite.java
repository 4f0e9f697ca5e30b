package dev.redwood.runner.worker;

import dev.redwood.runner.plan.AttemptLayout;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.values.WindowedValue;

/**
 * Keeps the restrictions a splittable DoFn left for later (see {@link SplittableProcessFn}): the
 * driver hands them to a continuation task, which feeds them to the operator of {@code
 * processStep}, decoded with {@code elementCoder}.
 */
public record ResidualWrite(
    String stepName, String processStep, Coder<WindowedValue<?>> elementCoder)
    implements SingleObjectWrite {

  @Override
  public String target(AttemptLayout attempt) {
    return attempt.residuals(processStep);
  }

  @Override
  public Operator operator(TaskContext context, OperatorOutputs outputs) {
    return new ResidualWriteOperator(context, processStep, target(context.attempt()), elementCoder);
  }
}

package dev.redwood.runner.worker;

import dev.redwood.runner.plan.AttemptLayout;
import java.io.Serializable;
import java.util.List;

/**
 * One fused operator of a stage as the planner describes it to tasks, serialized with the stage's
 * spec. Each operation kind of the planner has its own, which says both which objects an attempt
 * writes for the operator and how the operator is built, so the grant of the attempt's write
 * credentials and the operator's writes come from one place. User objects (DoFns, WindowFns,
 * CombineFns) are kept as bytes serialized on the driver, so a non-serializable one is reported
 * with its transform's name.
 */
public interface OperationSpec extends Serializable {

  /** Output tag id of operators with a single output (a ParDo keeps its own tags). */
  String MAIN = "main";

  /** The transform's full name: the step metrics are reported under. */
  String stepName();

  /**
   * The objects an attempt creates for this operator, all under its prefix. They are granted to the
   * attempt's write credentials; the operator writes exactly these.
   */
  List<String> writes(AttemptLayout attempt);

  /** The operator of one task attempt, handing its elements to {@code outputs}. */
  Operator operator(TaskContext context, OperatorOutputs outputs);
}

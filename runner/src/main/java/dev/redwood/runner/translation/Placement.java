package dev.redwood.runner.translation;

import dev.redwood.runner.worker.OperationSpec;
import dev.redwood.runner.worker.StageInput;
import java.util.List;
import org.apache.beam.sdk.io.BoundedSource;

/**
 * Where the planner has reached a step, and what its kind may do there. A step that reads no
 * PCollection starts a stage. Any other step is reached in a stage that produces its main input,
 * once per such stage, and does one of: fuse an operator into it, pass its input on, end it at a
 * shuffle, or materialize a view.
 */
interface Placement {

  /** Starts a stage with {@code input}; the step's output feeds the stage's first operators. */
  void startStage(StageInput input);

  /** Splits the source of a read for its stage, with the job's split sizing. */
  List<byte[]> split(BoundedSource<?> source);

  /** Fuses {@code operation} into the stage, reading the step's main input. */
  FusedOutputs fuse(OperationSpec operation);

  /** The step only joins PCollections (Flatten): its consumers read its inputs directly. */
  void passThrough();

  /**
   * Ends the stage at a shuffle whose sides {@code boundary} plans: this stage writes its map side,
   * and a stage of its own reads it.
   */
  void shuffle(ShuffleBoundary boundary);

  /** Materializes the step's main input with {@code writer}, for the view the step creates. */
  void writeView(OperationSpec writer);

  /**
   * Whether this stage can wait for every side input of the step: each is materialized by a stage
   * that does not depend on this one.
   */
  boolean sideInputsReady();
}

package dev.redwood.runner.worker;

import dev.redwood.runner.plan.AttemptLayout;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.runners.core.construction.SerializablePipelineOptions;

/**
 * Everything a task of one stage executes, serialized once per stage into the blob store. A task
 * builds its operators only from this (never from driver objects), which is why a non-serializable
 * DoFn fails the same way on a local node as on Azure.
 *
 * @param input what each task reads: task {@code t} reads split {@code t} or partition {@code t}
 * @param operations the fused operators in topological order; {@code inputConsumers} and each
 *     node's consumers are indexes into this list
 * @param viewProducers for every side input the stage reads: the stages that materialize it
 */
public record StageSpec(
    int stageId,
    String name,
    StageInput input,
    List<Integer> inputConsumers,
    List<OperationNode> operations,
    Map<String, List<Integer>> viewProducers,
    SerializablePipelineOptions options,
    int shuffleBufferMb)
    implements Serializable {

  /**
   * This spec with another input (the stored form of the same input: {@link StageInput#stored}).
   */
  public StageSpec withInput(StageInput storedInput) {
    return new StageSpec(
        stageId,
        name,
        storedInput,
        inputConsumers,
        operations,
        viewProducers,
        options,
        shuffleBufferMb);
  }

  /**
   * Every object an attempt of this stage may create: its manifest, its failure report and what
   * each operator writes. On Azure this is the grant of the attempt's write-only credentials: a
   * task may create exactly these names and nothing else.
   */
  public List<String> attemptWrites(AttemptLayout attempt) {
    List<String> keys = new ArrayList<>(List.of(attempt.manifest(), attempt.failure()));
    for (OperationNode node : operations) {
      keys.addAll(node.operation().writes(attempt));
    }
    return keys;
  }

  /**
   * An operator, the PCollection it reads (for element-count metrics) and, per output tag id, the
   * operators that consume that output.
   */
  public record OperationNode(
      OperationSpec operation, String inputPCollection, Map<String, List<Integer>> consumers)
      implements Serializable {}
}

package dev.redwood.runner.plan;

import java.io.Serializable;
import java.util.List;
import java.util.Map;
import org.apache.beam.runners.core.construction.SerializablePipelineOptions;

/**
 * Everything a task of one stage executes, serialized once per stage into the blob store. A
 * task builds its operators only from this (never from driver objects), which is why a
 * non-serializable DoFn fails the same way on a local node as on Azure.
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
   * An operator, the PCollection it reads (for element-count metrics) and, per output tag id, the
   * operators that consume that output.
   */
  public record OperationNode(
      OperationSpec operation, String inputPCollection, Map<String, List<Integer>> consumers)
      implements Serializable {}
}

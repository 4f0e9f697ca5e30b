package dev.redwood.runner.worker;

import dev.redwood.runner.plan.OperationSpec;
import dev.redwood.runner.plan.StageInput;
import dev.redwood.runner.plan.StageSpec;
import dev.redwood.runner.plan.StageSpec.OperationNode;
import dev.redwood.runner.plan.TaskManifest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.runners.core.metrics.MonitoringInfoConstants;
import org.apache.beam.runners.core.metrics.MonitoringInfoMetricName;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.values.WindowedValue;
import org.apache.beam.sdk.values.WindowedValues;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one task of a stage: builds the fused operators from the spec, pushes the task's input
 * through them as one bundle, and returns the manifest of what it wrote.
 */
final class StageExecutor {
  private static final Logger LOG = LoggerFactory.getLogger(StageExecutor.class);

  private final TaskContext context;

  StageExecutor(TaskContext context) {
    this.context = context;
  }

  TaskManifest run() throws Exception {
    long started = System.nanoTime();
    StageSpec spec = context.spec();
    List<OperationNode> nodes = spec.operations();
    long budget = context.shuffleBufferBytes() / Math.max(1, countShuffleWriters(nodes));
    Operator[] operators = new Operator[nodes.size()];
    // Consumers come later in topological order, so build from the end and wire backwards.
    for (int i = nodes.size() - 1; i >= 0; i--) {
      Map<String, Receiver> outputs = new HashMap<>();
      for (Map.Entry<String, List<Integer>> e : nodes.get(i).consumers().entrySet()) {
        outputs.put(e.getKey(), receivers(operators, e.getValue()));
      }
      operators[i] =
          counted(create(nodes.get(i).operation(), outputs, budget), nodes.get(i));
    }
    Receiver consumers = receivers(operators, spec.inputConsumers());
    InputReader reader = createReader(spec.input());
    List<Operator> startedOperators = new ArrayList<>();
    // Operators start with the first input element: a task with no input (an empty shuffle
    // partition) runs no bundle at all, as Beam runners do not run empty bundles.
    Receiver input =
        element -> {
          if (startedOperators.isEmpty()) {
            for (Operator op : operators) {
              startedOperators.add(op);
              op.start();
            }
          }
          consumers.accept(element);
        };
    try {
      long records = reader.run(input);
      if (!startedOperators.isEmpty()) {
        for (Operator op : operators) {
          op.finish();
        }
      }
      return new TaskManifest(
          spec.stageId(),
          context.task(),
          context.attemptId(),
          Map.copyOf(context.shuffleOutputs()),
          Map.copyOf(context.viewOutputs()),
          context.metrics(),
          records,
          (System.nanoTime() - started) / 1_000_000);
    } finally {
      for (Operator op : startedOperators) {
        try {
          op.teardown();
        } catch (Exception e) {
          LOG.warn("Teardown failed in stage {}", spec.name(), e);
        }
      }
    }
  }

  /** Counts the elements an operator reads, as Beam's element-count system metric. */
  private Operator counted(Operator op, OperationNode node) {
    if (node.inputPCollection() == null) {
      return op;
    }
    Counter counter =
        context
            .metrics()
            .getContainer(node.operation().stepName())
            .getCounter(
                MonitoringInfoMetricName.named(
                    MonitoringInfoConstants.Urns.ELEMENT_COUNT,
                    Map.of(MonitoringInfoConstants.Labels.PCOLLECTION, node.inputPCollection())));
    return new Operator() {
      @Override
      public void start() throws Exception {
        op.start();
      }

      @Override
      public void accept(WindowedValue<?> element) throws Exception {
        counter.inc();
        op.accept(element);
      }

      @Override
      public void finish() throws Exception {
        op.finish();
      }

      @Override
      public void teardown() throws Exception {
        op.teardown();
      }
    };
  }

  private static Receiver receivers(Operator[] operators, List<Integer> indexes) {
    List<Receiver> receivers = new ArrayList<>(indexes.size());
    for (int i : indexes) {
      receivers.add(operators[i]);
    }
    return receivers.isEmpty() ? element -> {} : Receiver.fanOut(receivers);
  }

  private static int countShuffleWriters(List<OperationNode> nodes) {
    int n = 0;
    for (OperationNode node : nodes) {
      OperationSpec op = node.operation();
      if (op instanceof OperationSpec.GroupByKeyWrite
          || op instanceof OperationSpec.PartialCombineWrite
          || op instanceof OperationSpec.RedistributeWrite) {
        n++;
      }
    }
    return n;
  }

  private Operator create(OperationSpec op, Map<String, Receiver> outputs, long budget) {
    Receiver main = outputs.getOrDefault(OperationSpec.MAIN, element -> {});
    if (op instanceof OperationSpec.StatefulParDo s) {
      return new StatefulParDoOperator(s, context, outputs);
    } else if (op instanceof OperationSpec.ParDo p) {
      return new ParDoOperator(p, context, outputs);
    } else if (op instanceof OperationSpec.AssignWindows a) {
      return new AssignWindowsOperator(a, main);
    } else if (op instanceof OperationSpec.GroupByKeyWrite g) {
      return new GroupByKeyWriteOperator(g, context, budget);
    } else if (op instanceof OperationSpec.PartialCombineWrite c) {
      return new PartialCombineOperator(c, context, budget);
    } else if (op instanceof OperationSpec.RedistributeWrite r) {
      return new RedistributeWriteOperator(r, context, budget);
    } else if (op instanceof OperationSpec.ViewWrite v) {
      return new ViewWriteOperator(v, context);
    }
    throw new IllegalArgumentException("Unknown operation " + op);
  }

  private InputReader createReader(StageInput input) {
    if (input instanceof StageInput.Impulse) {
      return output -> {
        output.accept(WindowedValues.valueInGlobalWindow(new byte[0]));
        return 1;
      };
    } else if (input instanceof StageInput.SourceSplits s) {
      return new SourceSplitReader(s, context);
    } else if (input instanceof StageInput.ShufflePartitions p) {
      ShufflePartitionReader.ReduceLogic logic;
      if (p.read() instanceof StageInput.GroupAlsoByWindow g) {
        logic = new GroupAlsoByWindow(g, context);
      } else if (p.read() instanceof StageInput.CombineMerge c) {
        logic = new CombineMerge(c, context);
      } else if (p.read() instanceof StageInput.KeyedElements k) {
        logic = new KeyedElementsRead(k);
      } else {
        logic = new PassThrough((StageInput.PassThrough) p.read());
      }
      return new ShufflePartitionReader(p, context, logic);
    }
    throw new IllegalArgumentException("Unknown stage input " + input);
  }
}

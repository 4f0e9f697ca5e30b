package dev.redwood.runner.worker;

import dev.redwood.runner.plan.Continuation;
import dev.redwood.runner.plan.JobObjects;
import dev.redwood.runner.plan.TaskManifest;
import dev.redwood.runner.worker.StageSpec.OperationNode;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.runners.core.metrics.MonitoringInfoConstants;
import org.apache.beam.runners.core.metrics.MonitoringInfoMetricName;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.values.WindowedValue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one task of a stage: builds the fused operators from the spec, pushes the task's input (or,
 * for a continuation task, the residual restrictions it continues from) through them as one bundle,
 * and returns the manifest of what it wrote.
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
    Operator[] operators = new Operator[nodes.size()];
    Operator[] uncounted = new Operator[nodes.size()];
    // Consumers come later in topological order, so build from the end and wire backwards.
    for (int i = nodes.size() - 1; i >= 0; i--) {
      Map<String, Receiver> outputs = new HashMap<>();
      for (Map.Entry<String, List<Integer>> e : nodes.get(i).consumers().entrySet()) {
        outputs.put(e.getKey(), receivers(operators, e.getValue()));
      }
      uncounted[i] = nodes.get(i).operation().operator(context, new OperatorOutputs(outputs));
      operators[i] = counted(uncounted[i], nodes.get(i));
    }
    Continuation continuation = continuation();
    Bundle bundle =
        new Bundle(
            operators,
            continuation == null
                ? allOperators(nodes.size())
                : downstreamOf(
                    nodes,
                    continuation.residuals().keySet().stream()
                        .map(step -> indexOf(nodes, step))
                        .toList()));
    try {
      long records;
      if (continuation == null) {
        Receiver input = bundle.entry(receivers(operators, spec.inputConsumers()));
        records = spec.input().reader(context).run(input);
      } else {
        records = readResiduals(continuation, nodes, uncounted, bundle);
      }
      bundle.finish();
      return new TaskManifest(
          spec.stageId(),
          context.task(),
          context.attempt().attemptId(),
          Map.copyOf(context.shuffleOutputs()),
          Map.copyOf(context.viewOutputs()),
          Map.copyOf(context.residuals()),
          context.metrics(),
          records,
          (System.nanoTime() - started) / 1_000_000,
          context.shuffleRecords(),
          context.shuffleBytes());
    } finally {
      bundle.teardown();
    }
  }

  /**
   * The operators of one task's bundle. They start with the first input element: a task with no
   * input (an empty shuffle partition) runs no bundle at all, as Beam runners do not run empty
   * bundles. A continuation task runs only the operators downstream of its residuals.
   */
  private final class Bundle {
    private final Operator[] operators;
    private final List<Integer> runs;
    private final List<Operator> started = new ArrayList<>();

    Bundle(Operator[] operators, List<Integer> runs) {
      this.operators = operators;
      this.runs = runs;
    }

    Receiver entry(Receiver target) {
      return element -> {
        if (started.isEmpty()) {
          for (int i : runs) {
            started.add(operators[i]);
            operators[i].start();
          }
        }
        target.accept(element);
      };
    }

    void finish() throws Exception {
      for (Operator op : started) {
        op.finish();
      }
    }

    void teardown() {
      for (Operator op : started) {
        try {
          op.teardown();
        } catch (Exception e) {
          LOG.warn("Teardown failed in stage {}", context.spec().name(), e);
        }
      }
    }
  }

  /** The residuals this task continues from, or null for a task of the stage's own input. */
  private Continuation continuation() throws IOException {
    StageSpec spec = context.spec();
    if (context.task() < spec.input().taskCount()) {
      return null;
    }
    return JobObjects.read(
        context.store(),
        context.layout().continuation(spec.stageId(), context.task()),
        Continuation.class);
  }

  /**
   * Hands each residual restriction to the splittable step that left it. They bypass the element
   * count: a residual is the rest of an element already counted.
   */
  private long readResiduals(
      Continuation continuation, List<OperationNode> nodes, Operator[] uncounted, Bundle bundle)
      throws Exception {
    LOG.info("Continuing the residual restrictions of task {}", continuation.fromTask());
    long records = 0;
    for (Map.Entry<String, String> e : continuation.residuals().entrySet()) {
      Receiver target = bundle.entry(uncounted[indexOf(nodes, e.getKey())]);
      try (InputStream in = new BufferedInputStream(context.store().open(e.getValue()), 1 << 16)) {
        Coder<WindowedValue<?>> coder = residualCoder(nodes, e.getKey());
        records += WindowedValueStreams.readAll(in, coder, e.getValue(), target::accept);
      }
    }
    return records;
  }

  /** The operator of {@code step} in this stage. */
  private static int indexOf(List<OperationNode> nodes, String step) {
    for (int i = 0; i < nodes.size(); i++) {
      if (nodes.get(i).operation().stepName().equals(step)) {
        return i;
      }
    }
    throw new IllegalStateException("Residuals name step '" + step + "', not in this stage");
  }

  private static Coder<WindowedValue<?>> residualCoder(List<OperationNode> nodes, String step) {
    for (OperationNode node : nodes) {
      if (node.operation() instanceof ResidualWrite r && r.processStep().equals(step)) {
        return r.elementCoder();
      }
    }
    throw new IllegalStateException("Stage has no residual output for step '" + step + "'");
  }

  private static List<Integer> allOperators(int count) {
    List<Integer> all = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      all.add(i);
    }
    return all;
  }

  /** {@code roots} and every operator fed by them, in topological order. */
  private static List<Integer> downstreamOf(List<OperationNode> nodes, List<Integer> roots) {
    boolean[] reached = new boolean[nodes.size()];
    for (int root : roots) {
      reached[root] = true;
    }
    List<Integer> result = new ArrayList<>();
    for (int i = 0; i < nodes.size(); i++) {
      if (reached[i]) {
        result.add(i);
        for (List<Integer> consumers : nodes.get(i).consumers().values()) {
          for (int c : consumers) {
            reached[c] = true;
          }
        }
      }
    }
    return result;
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
}

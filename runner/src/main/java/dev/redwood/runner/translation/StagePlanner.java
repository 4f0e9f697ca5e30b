package dev.redwood.runner.translation;

import dev.redwood.runner.options.PlanSizing;
import dev.redwood.runner.translation.PipelineGraph.Step;
import dev.redwood.runner.worker.OperationSpec;
import dev.redwood.runner.worker.ShufflePartitions;
import dev.redwood.runner.worker.ShuffleTarget;
import dev.redwood.runner.worker.StageInput;
import dev.redwood.runner.worker.StageSpec;
import java.io.Closeable;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.apache.beam.runners.core.construction.SerializablePipelineOptions;
import org.apache.beam.runners.core.metrics.MetricsContainerStepMap;
import org.apache.beam.sdk.io.BoundedSource;
import org.apache.beam.sdk.metrics.MetricsEnvironment;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;

/**
 * Fuses the pipeline graph into a stage DAG.
 *
 * <p>A stage starts at a root (Impulse, a bounded read, or the reduce side of a shuffle) and takes
 * in every step reachable from it until a boundary: GroupByKey, a lifted Combine.perKey,
 * Reshuffle/Redistribute (map side written into a shuffle), or a view (materialized for side
 * inputs). Flatten is not a step of its own: its consumers are fused into every stage that produces
 * one of its inputs. A ParDo whose side input is computed downstream of its own stage's root cannot
 * wait inside that stage, so its input is materialized and it starts a stage of its own.
 *
 * <p>What a step does there is up to its {@link OperationKind}: the planner walks the graph, hands
 * each step it reaches a {@link Placement} and keeps the stages, shuffles and views the kinds ask
 * for.
 */
public final class StagePlanner {
  private final PipelineGraph graph;
  private final PipelineOptions options;
  private final SerializablePipelineOptions serializedOptions;
  private final PlanSizing sizing;

  private final List<StageBuilder> stages = new ArrayList<>();
  private final Deque<StageBuilder> pending = new ArrayDeque<>();
  private final Map<Object, Boundary> boundaries = new LinkedHashMap<>();
  private final Map<String, Set<Integer>> viewProducers = new HashMap<>();
  private final Map<Step, Set<Step>> downstreamCache = new HashMap<>();
  private final MetricsContainerStepMap splitMetrics = new MetricsContainerStepMap();
  private final Map<Step, List<byte[]>> splits = new HashMap<>();
  private Set<Step> forcedBreaks = Set.of();

  /** A planner whose stage specs carry {@code options} to tasks. */
  public StagePlanner(PipelineGraph graph, PipelineOptions options, PlanSizing sizing) {
    this(graph, options, options, sizing);
  }

  /**
   * @param nodeOptions the options the stage specs carry to tasks (the driver's, or a copy without
   *     credentials for remote nodes); sources are split with {@code options}
   */
  public StagePlanner(
      PipelineGraph graph,
      PipelineOptions options,
      PipelineOptions nodeOptions,
      PlanSizing sizing) {
    this.graph = graph;
    this.options = options;
    this.serializedOptions = new SerializablePipelineOptions(nodeOptions);
    this.sizing = sizing;
  }

  public StagePlan plan() {
    // Fusing a side-input consumer makes its stage wait for the view's stage. Two such waits can
    // cross (stage A reads a view of B's output while B reads one of A's); each crossing found
    // is cut by materializing one consumer's input, until the stage graph has no cycle.
    Set<Step> fusionBreaks = new HashSet<>();
    while (true) {
      List<StagePlan.Stage> planned = planOnce(fusionBreaks);
      List<StagePlan.Stage> cycle = findCycle(planned);
      if (cycle.isEmpty()) {
        return new StagePlan(orderByDependencies(planned));
      }
      Step consumer = sideInputConsumerOnCycle(cycle);
      if (consumer == null || !fusionBreaks.add(consumer)) {
        throw new IllegalStateException("The stage graph has a cycle: " + cycle);
      }
    }
  }

  private List<StagePlan.Stage> planOnce(Set<Step> fusionBreaks) {
    this.forcedBreaks = fusionBreaks;
    stages.clear();
    pending.clear();
    boundaries.clear();
    viewProducers.clear();
    for (Step step : graph.steps) {
      if (step.mainInputs.isEmpty()) {
        step.kind.place(step, new StepPlacement(null, step, op -> {}));
      }
    }
    // Reduce stages are created as their shuffles are found; fusing one can find more.
    while (!pending.isEmpty()) {
      StageBuilder stage = pending.poll();
      Boundary boundary = stage.boundary;
      StepPlacement reading = new StepPlacement(stage, boundary.step, stage.inputConsumers::add);
      boundary.sides.placeAfter(boundary.step, reading);
      reading.connectPlaced();
    }
    List<StagePlan.Stage> planned = new ArrayList<>();
    for (StageBuilder stage : stages) {
      planned.add(stage.build());
    }
    return planned;
  }

  /** A ParDo fused into a cycle's stage that reads a view written by the next stage on it. */
  private Step sideInputConsumerOnCycle(List<StagePlan.Stage> cycle) {
    for (int i = 0; i < cycle.size(); i++) {
      StageBuilder stage = stages.get(cycle.get(i).id());
      int next = cycle.get((i + 1) % cycle.size()).id();
      for (Step step : stage.fused) {
        if (step == stage.root) {
          continue; // already the first step after a fusion break
        }
        for (PCollectionView<?> view : step.sideInputs) {
          if (viewProducers.getOrDefault(PipelineGraph.viewId(view), Set.of()).contains(next)) {
            return step;
          }
        }
      }
    }
    return null;
  }

  /** Stages of one dependency cycle, each depending on the next; empty when there is none. */
  private static List<StagePlan.Stage> findCycle(List<StagePlan.Stage> planned) {
    Map<Integer, StagePlan.Stage> byId = new HashMap<>();
    planned.forEach(s -> byId.put(s.id(), s));
    Map<Integer, Integer> state = new HashMap<>(); // 1 = on the DFS path, 2 = finished
    Deque<StagePlan.Stage> path = new ArrayDeque<>();
    for (StagePlan.Stage start : planned) {
      List<StagePlan.Stage> cycle = visit(start, byId, state, path);
      if (!cycle.isEmpty()) {
        return cycle;
      }
    }
    return List.of();
  }

  private static List<StagePlan.Stage> visit(
      StagePlan.Stage stage,
      Map<Integer, StagePlan.Stage> byId,
      Map<Integer, Integer> state,
      Deque<StagePlan.Stage> path) {
    Integer seen = state.get(stage.id());
    if (seen != null) {
      if (seen == 2) {
        return List.of();
      }
      List<StagePlan.Stage> cycle = new ArrayList<>();
      Iterator<StagePlan.Stage> it = path.iterator();
      boolean in = false;
      while (it.hasNext()) {
        StagePlan.Stage s = it.next();
        in |= s.id() == stage.id();
        if (in) {
          cycle.add(s);
        }
      }
      return cycle;
    }
    state.put(stage.id(), 1);
    path.addLast(stage);
    for (int dep : stage.dependsOn()) {
      List<StagePlan.Stage> cycle = visit(byId.get(dep), byId, state, path);
      if (!cycle.isEmpty()) {
        return cycle;
      }
    }
    path.removeLast();
    state.put(stage.id(), 2);
    return List.of();
  }

  // ---- the fusion walk ----------------------------------------------------------------------

  /** Hands every consumer of {@code pc} in this stage to {@code connect}. */
  private void emit(StageBuilder stage, PCollection<?> pc, Consumer<OpBuilder> connect) {
    for (Step consumer : graph.consumersOf(pc)) {
      attach(stage, consumer, connect);
    }
  }

  /** Places {@code consumer} in {@code stage} (once) and connects the operator it became. */
  private void attach(StageBuilder stage, Step consumer, Consumer<OpBuilder> connect) {
    OpBuilder placed = stage.placed.get(consumer);
    if (placed != null) {
      connect.accept(placed);
      return;
    }
    StepPlacement at = new StepPlacement(stage, consumer, connect);
    consumer.kind.place(consumer, at);
    at.connectPlaced();
  }

  /**
   * What a step's kind does where the planner reached it: in {@code stage}, or, for a step that
   * reads no PCollection, nowhere yet. The operator it places (if any) is connected to the producer
   * of its input once the kind is done, so after everything downstream of it.
   */
  private final class StepPlacement implements Placement {
    private final StageBuilder stage;
    private final Step step;
    private final Consumer<OpBuilder> connect;
    private OpBuilder placed;

    StepPlacement(StageBuilder stage, Step step, Consumer<OpBuilder> connect) {
      this.stage = stage;
      this.step = step;
      this.connect = connect;
    }

    void connectPlaced() {
      if (placed != null) {
        connect.accept(placed);
      }
    }

    @Override
    public void startStage(StageInput input) {
      if (stage != null) {
        throw new IllegalStateException(step + " reads a PCollection and cannot start a stage");
      }
      StageBuilder started = newStage(step, null);
      started.input = input;
      emit(started, step.mainOutput(), started.inputConsumers::add);
    }

    @Override
    public List<byte[]> split(BoundedSource<?> source) {
      return splits.computeIfAbsent(step, read -> StagePlanner.this.split(read, source));
    }

    @Override
    public FusedOutputs fuse(OperationSpec operation) {
      OpBuilder op = place(stage().add(operation, step.mainInput()));
      stage.fused.add(step);
      for (PCollectionView<?> view : step.sideInputs) {
        stage.viewsRead.add(PipelineGraph.viewId(view));
      }
      return new FusedOutputs() {
        @Override
        public void feed(String tag, PCollection<?> output) {
          emit(stage, output, c -> op.connect(tag, c));
        }

        @Override
        public void writeTo(String tag, OperationSpec writer, PCollection<?> output) {
          op.connect(tag, stage.add(writer, output));
        }
      };
    }

    @Override
    public void passThrough() {
      // A step that joins no PCollection (an empty Flatten) has nothing to pass on.
      if (stage != null) {
        emit(stage, step.mainOutput(), connect);
      }
    }

    @Override
    public void shuffle(ShuffleBoundary sides) {
      Boundary boundary =
          boundaries.computeIfAbsent(List.of(sides, step), key -> newBoundary(sides, step));
      boundary.producers.add(stage().id);
      place(stage.add(sides.mapSide(step, boundary.target), step.mainInput()));
    }

    @Override
    public void writeView(OperationSpec writer) {
      viewProducers
          .computeIfAbsent(PipelineGraph.viewId(step.view), id -> new LinkedHashSet<>())
          .add(stage().id);
      place(stage.add(writer, step.mainInput()));
    }

    @Override
    public boolean sideInputsReady() {
      return !forcedBreaks.contains(step) && !sideInputsComputedDownstream(stage(), step);
    }

    private StageBuilder stage() {
      if (stage == null) {
        throw new IllegalStateException(step + " reads no PCollection, so it is in no stage");
      }
      return stage;
    }

    private OpBuilder place(OpBuilder op) {
      if (placed != null) {
        throw new IllegalStateException(step + " was already placed in stage " + stage.id);
      }
      placed = op;
      stage.placed.put(step, op);
      return op;
    }
  }

  /** Whether a side input of {@code parDo} is materialized downstream of the stage's root. */
  private boolean sideInputsComputedDownstream(StageBuilder stage, Step parDo) {
    Set<Step> downstream = downstreamOf(stage.root);
    for (PCollectionView<?> view : parDo.sideInputs) {
      Step materializer = graph.viewMaterializers.get(PipelineGraph.viewId(view));
      if (materializer == null || downstream.contains(materializer)) {
        return true;
      }
    }
    return false;
  }

  private Set<Step> downstreamOf(Step root) {
    Set<Step> cached = downstreamCache.get(root);
    if (cached != null) {
      return cached;
    }
    Set<Step> seen = new HashSet<>();
    Deque<Step> work = new ArrayDeque<>(List.of(root));
    while (!work.isEmpty()) {
      Step step = work.pop();
      for (Step n : graph.successors(step)) {
        if (seen.add(n)) {
          work.push(n);
        }
      }
    }
    downstreamCache.put(root, seen);
    return seen;
  }

  // ---- boundaries (shuffles) ----------------------------------------------------------------

  private Boundary newBoundary(ShuffleBoundary sides, Step step) {
    int partitions = sides.spreadsWork() ? sizing.redistributePartitions() : sizing.partitions();
    Boundary boundary =
        new Boundary(new ShuffleTarget("s" + boundaries.size(), partitions), sides, step);
    pending.add(newStage(step, boundary));
    return boundary;
  }

  /**
   * One shuffle before {@code step}: its map side is written by every producer stage, its reduce
   * side is a stage.
   */
  private static final class Boundary {
    final ShuffleTarget target;
    final ShuffleBoundary sides;
    final Step step;
    final Set<Integer> producers = new LinkedHashSet<>();

    Boundary(ShuffleTarget target, ShuffleBoundary sides, Step step) {
      this.target = target;
      this.sides = sides;
      this.step = step;
    }
  }

  // ---- stages -------------------------------------------------------------------------------

  private StageBuilder newStage(Step root, Boundary boundary) {
    StageBuilder stage = new StageBuilder(stages.size(), root, boundary);
    stages.add(stage);
    return stage;
  }

  /** An operator being placed in a stage, with its consumers per output tag. */
  private static final class OpBuilder {
    final OperationSpec spec;
    final String inputPCollection;
    final Map<String, List<OpBuilder>> consumers = new LinkedHashMap<>();

    OpBuilder(OperationSpec spec, String inputPCollection) {
      this.spec = spec;
      this.inputPCollection = inputPCollection;
    }

    void connect(String tag, OpBuilder consumer) {
      consumers.computeIfAbsent(tag, t -> new ArrayList<>()).add(consumer);
    }
  }

  private final class StageBuilder {
    final int id;
    final Step root;
    final Boundary boundary;
    final List<OpBuilder> ops = new ArrayList<>();
    final List<OpBuilder> inputConsumers = new ArrayList<>();

    /** The operator each step placed in this stage became (fused, shuffle or view write). */
    final Map<Step, OpBuilder> placed = new HashMap<>();

    /** The steps fused into this stage as operators of their own. */
    final Set<Step> fused = new HashSet<>();

    final Set<String> viewsRead = new LinkedHashSet<>();

    /** The input of a stage that no shuffle starts. */
    StageInput input;

    StageBuilder(int id, Step root, Boundary boundary) {
      this.id = id;
      this.root = root;
      this.boundary = boundary;
    }

    OpBuilder add(OperationSpec spec, PCollection<?> input) {
      OpBuilder op = new OpBuilder(spec, input.getName());
      ops.add(op);
      return op;
    }

    StagePlan.Stage build() {
      List<OpBuilder> ordered = topologicalOrder();
      Map<OpBuilder, Integer> index = new HashMap<>();
      for (int i = 0; i < ordered.size(); i++) {
        index.put(ordered.get(i), i);
      }
      List<StageSpec.OperationNode> nodes = new ArrayList<>();
      for (OpBuilder op : ordered) {
        Map<String, List<Integer>> consumers = new LinkedHashMap<>();
        op.consumers.forEach((tag, list) -> consumers.put(tag, indexes(list, index)));
        nodes.add(new StageSpec.OperationNode(op.spec, op.inputPCollection, consumers));
      }
      Set<Integer> dependsOn = new LinkedHashSet<>();
      Map<String, List<Integer>> views = new TreeMap<>();
      for (String viewId : viewsRead) {
        Set<Integer> producers = viewProducers.getOrDefault(viewId, Set.of());
        views.put(viewId, new ArrayList<>(producers));
        dependsOn.addAll(producers);
      }
      StageInput input = this.input;
      if (boundary != null) {
        dependsOn.addAll(boundary.producers);
        input =
            new ShufflePartitions(
                boundary.target.shuffleId(),
                boundary.target.partitions(),
                new ArrayList<>(boundary.producers),
                boundary.sides.reduceSide(boundary.step));
      }
      int fusedCount = ops.size();
      String name = root.name() + (fusedCount > 0 ? " (+" + fusedCount + " fused)" : "");
      StageSpec spec =
          new StageSpec(
              id,
              name,
              input,
              indexes(inputConsumers, index),
              nodes,
              views,
              serializedOptions,
              sizing.shuffleBufferMb());
      return new StagePlan.Stage(spec, dependsOn);
    }

    private List<OpBuilder> topologicalOrder() {
      Map<OpBuilder, Integer> inDegree = new LinkedHashMap<>();
      for (OpBuilder op : ops) {
        inDegree.putIfAbsent(op, 0);
        for (List<OpBuilder> list : op.consumers.values()) {
          for (OpBuilder c : list) {
            inDegree.merge(c, 1, Integer::sum);
          }
        }
      }
      Deque<OpBuilder> ready = new ArrayDeque<>();
      inDegree.forEach(
          (op, d) -> {
            if (d == 0) {
              ready.add(op);
            }
          });
      List<OpBuilder> ordered = new ArrayList<>();
      while (!ready.isEmpty()) {
        OpBuilder op = ready.poll();
        ordered.add(op);
        for (List<OpBuilder> list : op.consumers.values()) {
          for (OpBuilder c : list) {
            if (inDegree.merge(c, -1, Integer::sum) == 0) {
              ready.add(c);
            }
          }
        }
      }
      return ordered;
    }
  }

  private static List<Integer> indexes(List<OpBuilder> ops, Map<OpBuilder, Integer> index) {
    List<Integer> result = new ArrayList<>(ops.size());
    for (OpBuilder op : ops) {
      result.add(index.get(op));
    }
    return result;
  }

  // ---- bounded sources ----------------------------------------------------------------------

  /** Metrics that sources reported while being split on the driver (a step like any other). */
  public MetricsContainerStepMap splitMetrics() {
    return splitMetrics;
  }

  private List<byte[]> split(Step read, BoundedSource<?> source) {
    try (Closeable scope =
        MetricsEnvironment.scopedMetricsContainer(splitMetrics.getContainer(read.name()))) {
      long desired = sizing.splitBytes();
      if (desired <= 0) {
        long estimated = source.getEstimatedSizeBytes(options);
        desired = Math.max(1, estimated / Math.max(1, sizing.splitTarget()));
      }
      List<? extends BoundedSource<?>> splits = source.split(desired, options);
      List<byte[]> result = new ArrayList<>(splits.size());
      for (BoundedSource<?> split : splits) {
        result.add(read.serialize(split, "source split"));
      }
      return result;
    } catch (IllegalArgumentException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(
          "Transform '" + read.name() + "': splitting its source failed: " + e, e);
    }
  }

  private static List<StagePlan.Stage> orderByDependencies(List<StagePlan.Stage> stages) {
    Map<Integer, StagePlan.Stage> byId = new LinkedHashMap<>();
    stages.forEach(s -> byId.put(s.id(), s));
    List<StagePlan.Stage> ordered = new ArrayList<>();
    Set<Integer> done = new HashSet<>();
    while (ordered.size() < stages.size()) {
      boolean progress = false;
      for (StagePlan.Stage s : byId.values()) {
        if (!done.contains(s.id()) && done.containsAll(s.dependsOn())) {
          ordered.add(s);
          done.add(s.id());
          progress = true;
        }
      }
      if (!progress) {
        throw new IllegalStateException("The stage graph has a cycle: " + byId.values());
      }
    }
    return ordered;
  }
}

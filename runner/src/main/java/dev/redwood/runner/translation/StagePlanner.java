package dev.redwood.runner.translation;

import dev.redwood.runner.plan.OperationSpec;
import dev.redwood.runner.plan.StageInput;
import dev.redwood.runner.plan.StagePlan;
import dev.redwood.runner.plan.StageSpec;
import dev.redwood.runner.translation.PipelineGraph.Kind;
import dev.redwood.runner.translation.PipelineGraph.Step;
import java.io.Closeable;
import java.io.Serializable;
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
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.io.BoundedSource;
import org.apache.beam.sdk.io.Read;
import org.apache.beam.sdk.metrics.MetricsEnvironment;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.reflect.DoFnSignatures;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.DefaultTrigger;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.TimestampCombiner;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.util.SerializableUtils;
import org.apache.beam.sdk.util.construction.ParDoTranslation;
import org.apache.beam.sdk.util.construction.SplittableParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.WindowedValue;
import org.apache.beam.sdk.values.WindowedValues;
import org.apache.beam.sdk.values.WindowingStrategy;

/**
 * Fuses the pipeline graph into a stage DAG.
 *
 * <p>A stage starts at a root (Impulse, a bounded read, or the reduce side of a shuffle) and
 * takes in every step reachable from it until a boundary: GroupByKey, a lifted Combine.perKey,
 * Reshuffle/Redistribute (map side written into a shuffle), or a view (materialized for side
 * inputs). Flatten is not a step of its own: its consumers are fused into every stage that
 * produces one of its inputs. A ParDo whose side input is computed downstream of its own stage's
 * root cannot wait inside that stage, so its input is materialized and it starts a stage of its
 * own.
 */
public final class StagePlanner {
  private final PipelineGraph graph;
  private final PipelineOptions options;
  private final SerializablePipelineOptions serializedOptions;
  private final int partitions;
  private final int redistributePartitions;
  private final int splitTarget;
  private final long splitBytes;
  private final int shuffleBufferMb;

  private final List<StageBuilder> stages = new ArrayList<>();
  private final Deque<StageBuilder> pending = new ArrayDeque<>();
  private final Map<Object, Boundary> boundaries = new LinkedHashMap<>();
  private final Map<String, Set<Integer>> viewProducers = new HashMap<>();
  private final Map<Step, Set<Step>> downstreamCache = new HashMap<>();
  private final MetricsContainerStepMap splitMetrics = new MetricsContainerStepMap();
  private final Map<Step, List<byte[]>> splits = new HashMap<>();
  private Set<Step> forcedBreaks = Set.of();

  /**
   * @param partitions reduce tasks per grouping shuffle
   * @param redistributePartitions reduce tasks per Reshuffle/Redistribute, whose purpose is to
   *     spread work over every task slot
   * @param splitTarget splits per bounded source when {@code splitBytes} is 0
   * @param splitBytes target split size, or 0 to divide each source into {@code splitTarget}
   */
  public StagePlanner(
      PipelineGraph graph,
      PipelineOptions options,
      int partitions,
      int redistributePartitions,
      int splitTarget,
      long splitBytes,
      int shuffleBufferMb) {
    this(graph, options, options, partitions, redistributePartitions, splitTarget, splitBytes,
        shuffleBufferMb);
  }

  /**
   * @param nodeOptions the options the stage specs carry to tasks (the driver's, or a copy
   *     without credentials for remote nodes); sources are split with {@code options}
   */
  public StagePlanner(
      PipelineGraph graph,
      PipelineOptions options,
      PipelineOptions nodeOptions,
      int partitions,
      int redistributePartitions,
      int splitTarget,
      long splitBytes,
      int shuffleBufferMb) {
    this.graph = graph;
    this.options = options;
    this.serializedOptions = new SerializablePipelineOptions(nodeOptions);
    this.partitions = partitions;
    this.redistributePartitions = redistributePartitions;
    this.splitTarget = splitTarget;
    this.splitBytes = splitBytes;
    this.shuffleBufferMb = shuffleBufferMb;
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
      if (step.kind == Kind.IMPULSE || step.kind == Kind.READ) {
        StageBuilder stage = newStage(step, null);
        emit(stage, step.mainOutput(), stage.inputConsumers::add);
      }
    }
    // Reduce stages are created as their shuffles are found; fusing one can find more.
    while (!pending.isEmpty()) {
      StageBuilder stage = pending.poll();
      Boundary boundary = stage.boundary;
      if (boundary.fusionBreakBefore != null) {
        stage.inputConsumers.add(fuse(stage, boundary.fusionBreakBefore));
      } else if (boundary.step.kind == Kind.STATEFUL_PAR_DO) {
        stage.inputConsumers.add(fuse(stage, boundary.step));
      } else {
        emit(stage, boundary.step.mainOutput(), stage.inputConsumers::add);
      }
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
      for (Step step : stage.fused.keySet()) {
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

  private void attach(StageBuilder stage, Step consumer, Consumer<OpBuilder> connect) {
    switch (consumer.kind) {
      case FLATTEN:
        emit(stage, consumer.mainOutput(), connect);
        return;
      case GROUP_BY_KEY:
      case LIFTED_COMBINE:
      case REDISTRIBUTE:
      case STATEFUL_PAR_DO:
        connect.accept(shuffleWrite(stage, boundaryAt(consumer)));
        return;
      case CREATE_VIEW:
        connect.accept(viewWrite(stage, consumer));
        return;
      case PAR_DO:
        if (!consumer.sideInputs.isEmpty()
            && (forcedBreaks.contains(consumer) || sideInputsComputedDownstream(stage, consumer))) {
          connect.accept(shuffleWrite(stage, fusionBreakBefore(consumer)));
        } else {
          connect.accept(fuse(stage, consumer));
        }
        return;
      case ASSIGN_WINDOWS:
        connect.accept(fuse(stage, consumer));
        return;
      default:
        throw new IllegalStateException("A " + consumer + " cannot consume a PCollection");
    }
  }

  /** Adds a ParDo or Window.into to the stage (once) and continues with its outputs. */
  private OpBuilder fuse(StageBuilder stage, Step step) {
    OpBuilder existing = stage.fused.get(step);
    if (existing != null) {
      return existing;
    }
    OperationSpec spec =
        switch (step.kind) {
          case PAR_DO -> parDoSpec(step);
          case STATEFUL_PAR_DO -> new OperationSpec.StatefulParDo(
              parDoSpec(step), requiresTimeSortedInput(step));
          default -> assignWindowsSpec(step);
        };
    OpBuilder op = stage.add(spec, step.mainInput());
    stage.fused.put(step, op);
    if (step.kind == Kind.PAR_DO || step.kind == Kind.STATEFUL_PAR_DO) {
      for (PCollectionView<?> view : step.sideInputs) {
        stage.viewsRead.add(PipelineGraph.viewId(view));
      }
      String residualTag = residualTag(step);
      for (Map.Entry<TupleTag<?>, PCollection<?>> out : step.outputs.entrySet()) {
        String tag = out.getKey().getId();
        if (tag.equals(residualTag)) {
          op.connect(tag, stage.add(residualWriteSpec(step, out.getValue()), out.getValue()));
        } else {
          emit(stage, out.getValue(), c -> op.connect(tag, c));
        }
      }
    } else {
      emit(stage, step.mainOutput(), c -> op.connect(OperationSpec.MAIN, c));
    }
    return op;
  }

  private OpBuilder shuffleWrite(StageBuilder stage, Boundary boundary) {
    boundary.producers.add(stage.id);
    return stage.shuffleWriters.computeIfAbsent(
        boundary, b -> stage.add(b.mapSide(), b.mapInput()));
  }

  private OpBuilder viewWrite(StageBuilder stage, Step createView) {
    PCollectionView<?> view =
        ((org.apache.beam.sdk.transforms.View.CreatePCollectionView<?, ?>) createView.transform())
            .getView();
    String viewId = PipelineGraph.viewId(view);
    viewProducers.computeIfAbsent(viewId, id -> new LinkedHashSet<>()).add(stage.id);
    return stage.viewWriters.computeIfAbsent(
        viewId,
        id ->
            stage.add(
                new OperationSpec.ViewWrite(
                    createView.name(), id, windowedCoder(createView.mainInput())),
                createView.mainInput()));
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
      List<Step> next = new ArrayList<>();
      if (step.kind == Kind.CREATE_VIEW) {
        PCollectionView<?> view =
            ((org.apache.beam.sdk.transforms.View.CreatePCollectionView<?, ?>) step.transform())
                .getView();
        next.addAll(graph.viewConsumers.getOrDefault(PipelineGraph.viewId(view), List.of()));
      } else {
        for (PCollection<?> out : step.outputs.values()) {
          next.addAll(graph.consumersOf(out));
        }
      }
      for (Step n : next) {
        if (seen.add(n)) {
          work.push(n);
        }
      }
    }
    downstreamCache.put(root, seen);
    return seen;
  }

  // ---- boundaries (shuffles) ----------------------------------------------------------------

  private Boundary boundaryAt(Step step) {
    return boundaries.computeIfAbsent(step, s -> newBoundary(step, null));
  }

  private Boundary fusionBreakBefore(Step parDo) {
    return boundaries.computeIfAbsent(
        List.of("fusion-break", parDo), s -> newBoundary(null, parDo));
  }

  private Boundary newBoundary(Step step, Step fusionBreakBefore) {
    Boundary boundary = new Boundary(boundaries.size(), step, fusionBreakBefore);
    pending.add(newStage(step != null ? step : fusionBreakBefore, boundary));
    return boundary;
  }

  /** One shuffle: its map side is written by every producer stage, its reduce side is a stage. */
  private final class Boundary {
    final String shuffleId;
    final Step step;
    final Step fusionBreakBefore;
    final int partitions;
    final Set<Integer> producers = new LinkedHashSet<>();

    Boundary(int index, Step step, Step fusionBreakBefore) {
      this.step = step;
      this.fusionBreakBefore = fusionBreakBefore;
      this.shuffleId = "s" + index;
      boolean redistribute = step == null || step.kind == Kind.REDISTRIBUTE;
      this.partitions = redistribute ? redistributePartitions : StagePlanner.this.partitions;
    }

    String stepName() {
      return step != null ? step.name() : "FusionBreak(" + fusionBreakBefore.name() + ")";
    }

    PCollection<?> mapInput() {
      return step != null ? step.mainInput() : fusionBreakBefore.mainInput();
    }

    OperationSpec mapSide() {
      if (fusionBreakBefore != null) {
        return new OperationSpec.RedistributeWrite(
            stepName(), shuffleId, partitions, windowedCoder(fusionBreakBefore.mainInput()), null);
      }
      PCollection<?> input = step.mainInput();
      switch (step.kind) {
        case GROUP_BY_KEY:
        case STATEFUL_PAR_DO:
          {
            KvCoder<?, ?> kv = kvCoder(step);
            return new OperationSpec.GroupByKeyWrite(
                step.name(),
                shuffleId,
                partitions,
                kv.getKeyCoder(),
                kv.getValueCoder(),
                windowCoder(input),
                step.kind == Kind.GROUP_BY_KEY && valuesOnly(input.getWindowingStrategy()));
          }
        case LIFTED_COMBINE:
          {
            KvCoder<?, ?> kv = kvCoder(step);
            return new OperationSpec.PartialCombineWrite(
                step.name(),
                shuffleId,
                partitions,
                kv.getKeyCoder(),
                accumulatorCoder(step, kv),
                windowCoder(input),
                serialize(((Combine.PerKey<?, ?, ?>) step.transform()).getFn(), "CombineFn", step),
                input.getWindowingStrategy());
          }
        case REDISTRIBUTE:
          {
            Coder<?> key =
                input.getCoder() instanceof KvCoder<?, ?> kv ? kv.getKeyCoder() : null;
            return new OperationSpec.RedistributeWrite(
                step.name(), shuffleId, partitions, windowedCoder(input), key);
          }
        default:
          throw new IllegalStateException("Not a shuffle: " + step);
      }
    }

    StageInput.ShuffleRead reduceSide() {
      if (fusionBreakBefore != null) {
        return new StageInput.PassThrough(stepName(), windowedCoder(fusionBreakBefore.mainInput()));
      }
      PCollection<?> input = step.mainInput();
      switch (step.kind) {
        case GROUP_BY_KEY:
          {
            KvCoder<?, ?> kv = kvCoder(step);
            return new StageInput.GroupAlsoByWindow(
                step.name(),
                kv.getKeyCoder(),
                kv.getValueCoder(),
                input.getWindowingStrategy(),
                valuesOnly(input.getWindowingStrategy()));
          }
        case LIFTED_COMBINE:
          {
            KvCoder<?, ?> kv = kvCoder(step);
            return new StageInput.CombineMerge(
                step.name(),
                kv.getKeyCoder(),
                accumulatorCoder(step, kv),
                windowCoder(input),
                serialize(((Combine.PerKey<?, ?, ?>) step.transform()).getFn(), "CombineFn", step),
                input.getWindowingStrategy());
          }
        case REDISTRIBUTE:
          return new StageInput.PassThrough(step.name(), windowedCoder(input));
        case STATEFUL_PAR_DO:
          {
            KvCoder<?, ?> kv = kvCoder(step);
            return new StageInput.KeyedElements(
                step.name(), kv.getKeyCoder(), kv.getValueCoder(), windowCoder(input));
          }
        default:
          throw new IllegalStateException("Not a shuffle: " + step);
      }
    }
  }

  /** Global window, default trigger, end-of-window timestamps: one pane per key, values only. */
  private static boolean valuesOnly(WindowingStrategy<?, ?> windowing) {
    return windowing.getWindowFn() instanceof GlobalWindows
        && windowing.getTrigger() instanceof DefaultTrigger
        && windowing.getTimestampCombiner() == TimestampCombiner.END_OF_WINDOW;
  }

  private KvCoder<?, ?> kvCoder(Step step) {
    Coder<?> coder = step.mainInput().getCoder();
    if (!(coder instanceof KvCoder<?, ?> kv)) {
      throw new IllegalArgumentException(
          "Transform '" + step.name() + "' needs a KvCoder on its input, found " + coder);
    }
    return kv;
  }

  private Coder<?> accumulatorCoder(Step step, KvCoder<?, ?> kv) {
    return CombineLifting.accumulatorCoder(
        (Combine.PerKey<?, ?, ?>) step.transform(),
        kv,
        step.mainInput().getPipeline().getCoderRegistry());
  }

  // ---- operation specs ----------------------------------------------------------------------

  private static boolean requiresTimeSortedInput(Step step) {
    return DoFnSignatures.getSignature(((ParDo.MultiOutput<?, ?>) step.transform()).getFn().getClass())
        .processElement()
        .requiresTimeSortedInput();
  }

  private OperationSpec.ParDo parDoSpec(Step step) {
    ParDo.MultiOutput<?, ?> parDo = (ParDo.MultiOutput<?, ?>) step.transform();
    Map<TupleTag<?>, Coder<?>> outputCoders = new LinkedHashMap<>();
    for (Map.Entry<TupleTag<?>, PCollection<?>> out : step.outputs.entrySet()) {
      outputCoders.put(out.getKey(), out.getValue().getCoder());
    }
    List<OperationSpec.SideInput> sideInputs = new ArrayList<>();
    for (PCollectionView<?> view : step.sideInputs) {
      sideInputs.add(new OperationSpec.SideInput(view, windowedCoder(view.getPCollection())));
    }
    return new OperationSpec.ParDo(
        step.name(),
        serialize(parDo.getFn(), "DoFn", step),
        parDo.getMainOutputTag(),
        new ArrayList<>(parDo.getAdditionalOutputTags().getAll()),
        step.mainInput().getCoder(),
        outputCoders,
        step.mainInput().getWindowingStrategy(),
        sideInputs,
        ParDoTranslation.getSchemaInformation(step.applied),
        ParDoTranslation.getSideInputMapping(step.applied));
  }

  /** The id of the residual output when {@code step} processes splittable restrictions. */
  private static String residualTag(Step step) {
    return step.transform() instanceof ParDo.MultiOutput<?, ?> parDo
            && parDo.getFn() instanceof SplittableProcessFn<?, ?, ?, ?> process
        ? process.residualTag().getId()
        : null;
  }

  private static OperationSpec residualWriteSpec(Step process, PCollection<?> residuals) {
    return new OperationSpec.ResidualWrite(
        process.name() + "/residuals", process.name(), windowedCoder(residuals));
  }

  private OperationSpec assignWindowsSpec(Step step) {
    Window.Assign<?> assign = (Window.Assign<?>) step.transform();
    return new OperationSpec.AssignWindows(
        step.name(), serialize(assign.getWindowFn(), "WindowFn", step));
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Coder<WindowedValue<?>> windowedCoder(PCollection<?> pc) {
    return (Coder)
        WindowedValues.getFullCoder(
            pc.getCoder(), pc.getWindowingStrategy().getWindowFn().windowCoder());
  }

  private static Coder<? extends BoundedWindow> windowCoder(PCollection<?> pc) {
    return pc.getWindowingStrategy().getWindowFn().windowCoder();
  }

  /** Serializes user code on the driver, so a non-serializable object names its transform. */
  private static byte[] serialize(Object value, String what, Step step) {
    try {
      return SerializableUtils.serializeToByteArray((Serializable) value);
    } catch (RuntimeException | Error e) {
      throw new IllegalArgumentException(
          "Transform '"
              + step.name()
              + "': its "
              + what
              + " "
              + value.getClass().getName()
              + " cannot be serialized, so it cannot be sent to a Batch task: "
              + e.getMessage(),
          e);
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
    final Map<Step, OpBuilder> fused = new HashMap<>();
    final Map<Boundary, OpBuilder> shuffleWriters = new LinkedHashMap<>();
    final Map<String, OpBuilder> viewWriters = new LinkedHashMap<>();
    final Set<String> viewsRead = new LinkedHashSet<>();

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
      StageInput input;
      if (boundary != null) {
        dependsOn.addAll(boundary.producers);
        input =
            new StageInput.ShufflePartitions(
                boundary.shuffleId,
                boundary.partitions,
                new ArrayList<>(boundary.producers),
                boundary.reduceSide());
      } else if (root.kind == Kind.IMPULSE) {
        input = new StageInput.Impulse(root.name());
      } else {
        input = new StageInput.SourceSplits(root.name(), splits.computeIfAbsent(root, r -> split(r)));
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
              shuffleBufferMb);
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
      inDegree.forEach((op, d) -> {
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

  private List<byte[]> split(Step read) {
    BoundedSource<?> source = sourceOf(read);
    try (Closeable scope =
        MetricsEnvironment.scopedMetricsContainer(splitMetrics.getContainer(read.name()))) {
      long desired = splitBytes;
      if (desired <= 0) {
        long estimated = source.getEstimatedSizeBytes(options);
        desired = Math.max(1, estimated / Math.max(1, splitTarget));
      }
      List<? extends BoundedSource<?>> splits = source.split(desired, options);
      List<byte[]> result = new ArrayList<>(splits.size());
      for (BoundedSource<?> split : splits) {
        result.add(serialize(split, "source split", read));
      }
      return result;
    } catch (IllegalArgumentException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(
          "Transform '" + read.name() + "': splitting its source failed: " + e, e);
    }
  }

  private static BoundedSource<?> sourceOf(Step read) {
    Object transform = read.transform();
    if (transform instanceof SplittableParDo.PrimitiveBoundedRead<?> primitive) {
      return primitive.getSource();
    }
    if (transform instanceof Read.Bounded<?> bounded) {
      return bounded.getSource();
    }
    throw new UnsupportedOperationException(
        "Transform '" + read.name() + "' is an unbounded read, which a batch runner cannot run");
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

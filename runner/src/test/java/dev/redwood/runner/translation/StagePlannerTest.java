package dev.redwood.runner.translation;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;

import dev.redwood.runner.options.PlanSizing;
import dev.redwood.runner.plan.AttemptLayout;
import dev.redwood.runner.plan.JobLayout;
import dev.redwood.runner.plan.TaskId;
import dev.redwood.runner.translation.AssignWindowsKind.AssignWindowsSpec;
import dev.redwood.runner.translation.CreateViewKind.ViewWrite;
import dev.redwood.runner.translation.GroupByKeyKind.GroupAlsoByWindowRead;
import dev.redwood.runner.translation.GroupByKeyKind.KeyedShuffleWrite;
import dev.redwood.runner.translation.ImpulseKind.ImpulseInput;
import dev.redwood.runner.translation.LiftedCombineKind.CombineMergeRead;
import dev.redwood.runner.translation.LiftedCombineKind.PartialCombineWrite;
import dev.redwood.runner.translation.ParDoKind.ParDoSpec;
import dev.redwood.runner.translation.ReadKind.SourceSplits;
import dev.redwood.runner.translation.RedistributeKind.PassThroughRead;
import dev.redwood.runner.translation.RedistributeKind.SpreadWrite;
import dev.redwood.runner.translation.StagePlan.Stage;
import dev.redwood.runner.translation.StatefulParDoKind.KeyGroupsRead;
import dev.redwood.runner.translation.StatefulParDoKind.StatefulParDoSpec;
import dev.redwood.runner.worker.OperationSpec;
import dev.redwood.runner.worker.ShufflePartitions;
import dev.redwood.runner.worker.SideInputSpec;
import dev.redwood.runner.worker.StageSpec.OperationNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.CombineWithContext;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Redistribute;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.Sessions;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.joda.time.Duration;
import org.junit.jupiter.api.Test;

/** Fusion boundaries of the stage planner, checked on the structure of small plans. */
class StagePlannerTest {

  // ---- DoFns and CombineFns (static, so they serialize without the test instance) -----------

  static class Identity<T> extends DoFn<T, T> {
    @ProcessElement
    public void process(@Element T element, OutputReceiver<T> out) {
      out.output(element);
    }
  }

  static class KeyByParity extends DoFn<Integer, KV<String, Integer>> {
    @ProcessElement
    public void process(@Element Integer n, OutputReceiver<KV<String, Integer>> out) {
      out.output(KV.of(n % 2 == 0 ? "even" : "odd", n));
    }
  }

  static class AddSide extends DoFn<Integer, Integer> {
    private final PCollectionView<Integer> side;

    AddSide(PCollectionView<Integer> side) {
      this.side = side;
    }

    @ProcessElement
    public void process(ProcessContext c) {
      c.output(c.element() + c.sideInput(side));
    }
  }

  /** Main output: the element; tag {@link #ODD}: odd elements again. */
  static class SplitOdd extends DoFn<Integer, Integer> {
    static final TupleTag<Integer> MAIN = new TupleTag<Integer>("all") {};
    static final TupleTag<Integer> ODD = new TupleTag<Integer>("odd") {};

    @ProcessElement
    public void process(@Element Integer n, MultiOutputReceiver out) {
      out.get(MAIN).output(n);
      if (n % 2 != 0) {
        out.get(ODD).output(n);
      }
    }
  }

  static class CountPerKey extends DoFn<KV<String, Integer>, Integer> {
    @StateId("count")
    private final StateSpec<ValueState<Integer>> count = StateSpecs.value(VarIntCoder.of());

    @ProcessElement
    public void process(
        @Element KV<String, Integer> element,
        @StateId("count") ValueState<Integer> state,
        OutputReceiver<Integer> out) {
      Integer seen = state.read();
      state.write(seen == null ? 1 : seen + 1);
      out.output(element.getValue());
    }
  }

  static class SumWithContext
      extends CombineWithContext.CombineFnWithContext<Integer, Integer, Integer> {
    @Override
    public Integer createAccumulator(CombineWithContext.Context c) {
      return 0;
    }

    @Override
    public Integer addInput(Integer acc, Integer input, CombineWithContext.Context c) {
      return acc + input;
    }

    @Override
    public Integer mergeAccumulators(Iterable<Integer> accs, CombineWithContext.Context c) {
      int sum = 0;
      for (Integer a : accs) {
        sum += a;
      }
      return sum;
    }

    @Override
    public Integer extractOutput(Integer acc, CombineWithContext.Context c) {
      return acc;
    }
  }

  // ---- helpers ------------------------------------------------------------------------------

  private static Pipeline pipeline() {
    return Pipeline.create(PipelineOptionsFactory.create());
  }

  private static StagePlan plan(Pipeline p) {
    return plan(p, 4, 4);
  }

  /** Plans as JobLauncher does, then checks what must hold for every plan. */
  private static StagePlan plan(Pipeline p, int partitions, int redistributePartitions) {
    BatchOverrides.apply(p);
    PipelineGraph graph = PipelineGraph.of(p);
    StagePlan plan =
        new StagePlanner(
                graph, p.getOptions(), new PlanSizing(partitions, redistributePartitions, 8, 0, 16))
            .plan();
    checkWellFormed(plan);
    return plan;
  }

  private static PCollection<KV<String, Integer>> keyed(Pipeline p) {
    return p.apply("Numbers", Create.of(1, 2, 3, 4, 5, 6))
        .apply("Key", ParDo.of(new KeyByParity()));
  }

  private static List<OperationSpec> ops(Stage stage) {
    return stage.spec().operations().stream().map(OperationNode::operation).toList();
  }

  private static <T extends OperationSpec> List<T> ops(Stage stage, Class<T> kind) {
    return ops(stage).stream().filter(kind::isInstance).map(kind::cast).toList();
  }

  private static List<Class<?>> opKinds(Stage stage) {
    return ops(stage).stream().<Class<?>>map(Object::getClass).toList();
  }

  /** Index in the stage of the ParDo applied under {@code name}, or -1. */
  private static int parDoIndex(Stage stage, String name) {
    List<OperationSpec> ops = ops(stage);
    for (int i = 0; i < ops.size(); i++) {
      if (ops.get(i) instanceof ParDoSpec parDo && isStep(parDo.stepName(), name)) {
        return i;
      }
    }
    return -1;
  }

  /** A step is the transform itself or a primitive inside it ("Name/ParMultiDo(...)"). */
  private static boolean isStep(String stepName, String name) {
    return stepName.equals(name) || stepName.startsWith(name + "/");
  }

  private static List<Stage> stagesWithParDo(StagePlan plan, String name) {
    return plan.stages().stream().filter(s -> parDoIndex(s, name) >= 0).toList();
  }

  private static <T extends OperationSpec> List<Stage> stagesWith(StagePlan plan, Class<T> kind) {
    return plan.stages().stream().filter(s -> !ops(s, kind).isEmpty()).toList();
  }

  private static Stage only(List<Stage> stages, StagePlan plan) {
    assertThat(describe(plan), stages, hasSize(1));
    return stages.get(0);
  }

  private static Stage stage(StagePlan plan, int id) {
    return plan.stages().stream().filter(s -> s.id() == id).findFirst().orElseThrow();
  }

  private static ShufflePartitions shuffleInput(Stage stage) {
    assertThat(stage.spec().input(), instanceOf(ShufflePartitions.class));
    return (ShufflePartitions) stage.spec().input();
  }

  private static List<Integer> consumers(Stage stage, int op, String tag) {
    return stage.spec().operations().get(op).consumers().getOrDefault(tag, List.of());
  }

  /** Consumers of the main output of the ParDo at index {@code op}. */
  private static List<Integer> mainConsumers(Stage stage, int op) {
    ParDoSpec parDo = (ParDoSpec) ops(stage).get(op);
    return consumers(stage, op, parDo.doFn().mainOutputTag().getId());
  }

  /** A readable outline of a plan, for assertion messages. */
  private static String describe(StagePlan plan) {
    StringBuilder out = new StringBuilder("plan:\n");
    for (Stage s : plan.stages()) {
      out.append("  stage ")
          .append(s.id())
          .append(" '")
          .append(s.name())
          .append("' input=")
          .append(s.spec().input().getClass().getSimpleName());
      if (s.spec().input() instanceof ShufflePartitions sp) {
        out.append('(').append(sp.read().getClass().getSimpleName()).append(')');
      }
      out.append(" tasks=")
          .append(s.taskCount())
          .append(" dependsOn=")
          .append(s.dependsOn())
          .append(" inputConsumers=")
          .append(s.spec().inputConsumers())
          .append('\n');
      List<OperationNode> nodes = s.spec().operations();
      for (int i = 0; i < nodes.size(); i++) {
        OperationNode n = nodes.get(i);
        out.append("    ")
            .append(i)
            .append(": ")
            .append(n.operation().getClass().getSimpleName())
            .append(' ')
            .append(n.operation().stepName())
            .append(" -> ")
            .append(n.consumers())
            .append('\n');
      }
    }
    return out.toString();
  }

  /**
   * Invariants of every plan: stages come after the stages they depend on; operations are in
   * topological order with valid consumer indexes; a reduce stage depends on exactly the stages
   * that write its shuffle; a stage depends on the producers of every view it reads.
   */
  private static void checkWellFormed(StagePlan plan) {
    String d = describe(plan);
    Set<Integer> earlier = new HashSet<>();
    for (Stage s : plan.stages()) {
      assertThat(
          "stage " + s.id() + " depends only on earlier stages\n" + d,
          earlier.containsAll(s.dependsOn()),
          is(true));
      earlier.add(s.id());
      int size = s.spec().operations().size();
      for (int c : s.spec().inputConsumers()) {
        assertThat("input consumer index in stage " + s.id() + "\n" + d, c, lessThan(size));
      }
      for (int i = 0; i < size; i++) {
        for (List<Integer> cs : s.spec().operations().get(i).consumers().values()) {
          for (int c : cs) {
            assertThat("consumer of op " + i + " in stage " + s.id() + "\n" + d, c, greaterThan(i));
            assertThat(d, c, lessThan(size));
          }
        }
      }
      if (s.spec().input() instanceof ShufflePartitions sp) {
        assertThat(d, s.dependsOn().containsAll(sp.producerStages()), is(true));
        List<Integer> writers = new ArrayList<>();
        for (Stage other : plan.stages()) {
          if (ops(other).stream().anyMatch(op -> writesShuffle(op, sp.shuffleId()))) {
            writers.add(other.id());
          }
        }
        assertThat(
            "writers of shuffle " + sp.shuffleId() + "\n" + d,
            writers,
            containsInAnyOrder(sp.producerStages().toArray()));
      }
      for (Map.Entry<String, List<Integer>> view : s.spec().viewProducers().entrySet()) {
        assertThat("producers of view " + view.getKey() + "\n" + d, view.getValue(), not(empty()));
        assertThat(d, s.dependsOn().containsAll(view.getValue()), is(true));
      }
    }
  }

  /** Whether an attempt of {@code op} writes shuffle {@code shuffleId}, as its grant says. */
  private static boolean writesShuffle(OperationSpec op, String shuffleId) {
    AttemptLayout attempt = new JobLayout("job").attempt(TaskId.first(0, 0));
    return op.writes(attempt).contains(attempt.shuffle(shuffleId).dataKey());
  }

  // ---- fusion -------------------------------------------------------------------------------

  @Test
  void createThenTwoParDosIsOneStage() {
    Pipeline p = pipeline();
    p.apply("Numbers", Create.of(1, 2, 3, 4, 5, 6, 7, 8))
        .apply("First", ParDo.of(new Identity<Integer>()))
        .apply("Second", ParDo.of(new Identity<Integer>()));

    StagePlan plan = plan(p);

    Stage stage = only(plan.stages(), plan);
    assertThat(stage.spec().input(), instanceOf(SourceSplits.class));
    assertThat(stage.taskCount(), greaterThan(0));
    assertThat(stage.dependsOn(), empty());
    assertThat(opKinds(stage), contains(ParDoSpec.class, ParDoSpec.class));
    int first = parDoIndex(stage, "First");
    int second = parDoIndex(stage, "Second");
    assertThat(stage.spec().inputConsumers(), contains(first));
    assertThat(mainConsumers(stage, first), contains(second));
  }

  @Test
  void groupByKeySplitsMapAndReduceStages() {
    Pipeline p = pipeline();
    keyed(p)
        .apply("Group", GroupByKey.create())
        .apply("After", ParDo.of(new Identity<KV<String, Iterable<Integer>>>()));

    StagePlan plan = plan(p);

    assertThat(describe(plan), plan.stages(), hasSize(2));
    Stage map = plan.stages().get(0);
    Stage reduce = plan.stages().get(1);
    assertThat(map.spec().input(), instanceOf(SourceSplits.class));
    assertThat(opKinds(map), contains(ParDoSpec.class, KeyedShuffleWrite.class));
    KeyedShuffleWrite write = ops(map, KeyedShuffleWrite.class).get(0);
    assertThat(write.target().partitions(), is(4));
    assertThat(write.valuesOnly(), is(true));
    assertThat(write.keyCoder(), is(StringUtf8Coder.of()));

    ShufflePartitions input = shuffleInput(reduce);
    assertThat(input.shuffleId(), is(write.target().shuffleId()));
    assertThat(input.producerStages(), contains(map.id()));
    assertThat(reduce.taskCount(), is(4));
    assertThat(reduce.dependsOn(), contains(map.id()));
    assertThat(input.read(), instanceOf(GroupAlsoByWindowRead.class));
    assertThat(((GroupAlsoByWindowRead) input.read()).valuesOnly(), is(true));
    assertThat(opKinds(reduce), contains(ParDoSpec.class));
    assertThat(reduce.spec().inputConsumers(), contains(parDoIndex(reduce, "After")));
  }

  @Test
  void groupByKeyInFixedWindowsKeepsTimestampsAndWindows() {
    Pipeline p = pipeline();
    keyed(p)
        .apply("Windows", Window.into(FixedWindows.of(Duration.standardMinutes(1))))
        .apply("Group", GroupByKey.create());

    StagePlan plan = plan(p);

    assertThat(describe(plan), plan.stages(), hasSize(2));
    Stage map = plan.stages().get(0);
    assertThat(
        opKinds(map), contains(ParDoSpec.class, AssignWindowsSpec.class, KeyedShuffleWrite.class));
    assertThat(ops(map, KeyedShuffleWrite.class).get(0).valuesOnly(), is(false));
    GroupAlsoByWindowRead read = (GroupAlsoByWindowRead) shuffleInput(plan.stages().get(1)).read();
    assertThat(read.valuesOnly(), is(false));
    assertThat(read.windowingStrategy().getWindowFn(), instanceOf(FixedWindows.class));
  }

  @Test
  void liftableCombinePerKeyIsPartialCombineThenMerge() {
    Pipeline p = pipeline();
    keyed(p)
        .apply("Sum", Sum.integersPerKey())
        .apply("After", ParDo.of(new Identity<KV<String, Integer>>()));

    StagePlan plan = plan(p);

    assertThat(describe(plan), plan.stages(), hasSize(2));
    Stage map = plan.stages().get(0);
    Stage reduce = plan.stages().get(1);
    assertThat(opKinds(map), contains(ParDoSpec.class, PartialCombineWrite.class));
    PartialCombineWrite write = ops(map, PartialCombineWrite.class).get(0);
    assertThat(write.stepName(), is("Sum"));
    ShufflePartitions input = shuffleInput(reduce);
    assertThat(input.shuffleId(), is(write.target().shuffleId()));
    assertThat(input.read(), instanceOf(CombineMergeRead.class));
    assertThat(reduce.taskCount(), is(4));
    assertThat(reduce.dependsOn(), contains(map.id()));
    // The combine runs whole: no GroupByKey or Combine.GroupedValues ParDo of its expansion.
    assertThat(opKinds(reduce), contains(ParDoSpec.class));
    assertThat(parDoIndex(reduce, "After"), is(0));
  }

  @Test
  void combinePerKeyInFixedWindowsIsLifted() {
    Pipeline p = pipeline();
    keyed(p)
        .apply("Windows", Window.into(FixedWindows.of(Duration.standardMinutes(1))))
        .apply("Sum", Sum.integersPerKey());

    StagePlan plan = plan(p);

    assertThat(describe(plan), stagesWith(plan, PartialCombineWrite.class), hasSize(1));
    assertThat(stagesWith(plan, KeyedShuffleWrite.class), empty());
  }

  @Test
  void combinePerKeyInMergingWindowsIsNotLifted() {
    Pipeline p = pipeline();
    keyed(p)
        .apply("Sessions", Window.into(Sessions.withGapDuration(Duration.standardMinutes(5))))
        .apply("Sum", Sum.integersPerKey());

    StagePlan plan = plan(p);

    assertThat(describe(plan), plan.stages(), hasSize(2));
    assertThat(stagesWith(plan, PartialCombineWrite.class), empty());
    Stage map = plan.stages().get(0);
    KeyedShuffleWrite write = ops(map, KeyedShuffleWrite.class).get(0);
    assertThat(write.stepName(), containsString("Sum/"));
    assertThat(write.valuesOnly(), is(false));
    Stage reduce = plan.stages().get(1);
    ShufflePartitions input = shuffleInput(reduce);
    assertThat(input.read(), instanceOf(GroupAlsoByWindowRead.class));
    assertThat(((GroupAlsoByWindowRead) input.read()).windowingStrategy().needsMerge(), is(true));
    // Combine.GroupedValues runs as a ParDo after the grouping.
    assertThat(opKinds(reduce), hasItem(ParDoSpec.class));
  }

  @Test
  void combineFnWithContextIsNotLifted() {
    Pipeline p = pipeline();
    keyed(p)
        .apply("SumWithContext", Combine.<String, Integer, Integer>perKey(new SumWithContext()));

    StagePlan plan = plan(p);

    assertThat(describe(plan), plan.stages(), hasSize(2));
    assertThat(stagesWith(plan, PartialCombineWrite.class), empty());
    assertThat(ops(plan.stages().get(0), KeyedShuffleWrite.class), hasSize(1));
    assertThat(shuffleInput(plan.stages().get(1)).read(), instanceOf(GroupAlsoByWindowRead.class));
  }

  @Test
  void reshuffleViaRandomKeyIsARedistribution() {
    Pipeline p = pipeline();
    p.apply("Numbers", Create.of(1, 2, 3, 4, 5, 6))
        .apply("Reshuffle", Reshuffle.viaRandomKey())
        .apply("After", ParDo.of(new Identity<Integer>()));

    StagePlan plan = plan(p);

    assertThat(describe(plan), plan.stages(), hasSize(2));
    Stage map = plan.stages().get(0);
    Stage reduce = plan.stages().get(1);
    List<SpreadWrite> writes = ops(map, SpreadWrite.class);
    assertThat(describe(plan), writes, hasSize(1));
    assertThat(stagesWith(plan, KeyedShuffleWrite.class), empty());
    ShufflePartitions input = shuffleInput(reduce);
    assertThat(input.shuffleId(), is(writes.get(0).target().shuffleId()));
    assertThat(input.read(), instanceOf(PassThroughRead.class));
    assertThat(reduce.taskCount(), is(4));
    assertThat(reduce.dependsOn(), contains(map.id()));
    assertThat(parDoIndex(reduce, "After"), greaterThan(-1));
  }

  @Test
  void groupingAndRedistributingShufflesUseTheirOwnPartitionCounts() {
    Pipeline p = pipeline();
    keyed(p).apply("Group", GroupByKey.create()).apply("Reshuffle", Reshuffle.viaRandomKey());

    StagePlan plan = plan(p, 3, 5);

    assertThat(describe(plan), plan.stages(), hasSize(3));
    assertThat(
        ops(plan.stages().get(0), KeyedShuffleWrite.class).get(0).target().partitions(), is(3));
    assertThat(plan.stages().get(1).taskCount(), is(3));
    assertThat(ops(plan.stages().get(1), SpreadWrite.class).get(0).target().partitions(), is(5));
    assertThat(plan.stages().get(2).taskCount(), is(5));
  }

  @Test
  void redistributeByKeyKeepsTheKeyAndArbitrarilyDoesNot() {
    Pipeline p = pipeline();
    keyed(p).apply("ByKey", Redistribute.byKey());
    p.apply("Other", Create.of(7, 8, 9)).apply("Arbitrarily", Redistribute.arbitrarily());

    StagePlan plan = plan(p);

    List<SpreadWrite> writes =
        plan.stages().stream().flatMap(s -> ops(s, SpreadWrite.class).stream()).toList();
    assertThat(describe(plan), writes, hasSize(2));
    for (SpreadWrite write : writes) {
      if (isStep(write.stepName(), "ByKey")) {
        assertThat(write.keyCoder(), is(StringUtf8Coder.of()));
      } else {
        assertThat(write.stepName(), containsString("Arbitrarily"));
        assertThat(write.keyCoder(), is((Object) null));
      }
    }
    List<Stage> reduces =
        plan.stages().stream().filter(s -> s.spec().input() instanceof ShufflePartitions).toList();
    assertThat(reduces, hasSize(2));
    for (Stage reduce : reduces) {
      assertThat(shuffleInput(reduce).read(), instanceOf(PassThroughRead.class));
    }
  }

  // ---- flatten ------------------------------------------------------------------------------

  @Test
  void flattenFusesItsConsumerIntoEveryInputStage() {
    Pipeline p = pipeline();
    PCollection<Integer> a = p.apply("A", Create.of(1, 2, 3));
    PCollection<Integer> b = p.apply("B", Create.of(4, 5, 6));
    PCollectionList.of(a)
        .and(b)
        .apply("Flatten", Flatten.pCollections())
        .apply("After", ParDo.of(new Identity<Integer>()));

    StagePlan plan = plan(p);

    assertThat(describe(plan), plan.stages(), hasSize(2));
    for (Stage s : plan.stages()) {
      assertThat(s.spec().input(), instanceOf(SourceSplits.class));
      assertThat(opKinds(s), contains(ParDoSpec.class));
      assertThat(s.spec().inputConsumers(), contains(parDoIndex(s, "After")));
      assertThat(s.dependsOn(), empty());
    }
    Set<String> roots =
        plan.stages().stream()
            .map(s -> ((SourceSplits) s.spec().input()).stepName())
            .collect(Collectors.toSet());
    assertThat(roots, hasSize(2));
  }

  @Test
  void groupByKeyAfterFlattenReadsFromBothStages() {
    Pipeline p = pipeline();
    PCollection<KV<String, Integer>> a =
        p.apply("A", Create.of(1, 2, 3)).apply("KeyA", ParDo.of(new KeyByParity()));
    PCollection<KV<String, Integer>> b =
        p.apply("B", Create.of(4, 5, 6)).apply("KeyB", ParDo.of(new KeyByParity()));
    PCollectionList.of(a)
        .and(b)
        .apply("Flatten", Flatten.pCollections())
        .apply("Group", GroupByKey.create());

    StagePlan plan = plan(p);

    assertThat(describe(plan), plan.stages(), hasSize(3));
    List<Stage> writers = stagesWith(plan, KeyedShuffleWrite.class);
    assertThat(writers, hasSize(2));
    String shuffleId = ops(writers.get(0), KeyedShuffleWrite.class).get(0).target().shuffleId();
    assertThat(
        ops(writers.get(1), KeyedShuffleWrite.class).get(0).target().shuffleId(), is(shuffleId));
    Stage reduce = plan.stages().get(2);
    ShufflePartitions input = shuffleInput(reduce);
    assertThat(input.shuffleId(), is(shuffleId));
    assertThat(
        input.producerStages(), containsInAnyOrder(writers.get(0).id(), writers.get(1).id()));
    assertThat(reduce.dependsOn(), containsInAnyOrder(writers.get(0).id(), writers.get(1).id()));
  }

  @Test
  void flattenOfOnePCollectionTwiceDuplicatesTheEdge() {
    Pipeline p = pipeline();
    PCollection<Integer> once =
        p.apply("Numbers", Create.of(1, 2, 3)).apply("Before", ParDo.of(new Identity<Integer>()));
    PCollectionList.of(once)
        .and(once)
        .apply("Flatten", Flatten.pCollections())
        .apply("After", ParDo.of(new Identity<Integer>()));

    StagePlan plan = plan(p);

    Stage stage = only(plan.stages(), plan);
    assertThat(describe(plan), opKinds(stage), contains(ParDoSpec.class, ParDoSpec.class));
    int before = parDoIndex(stage, "Before");
    int after = parDoIndex(stage, "After");
    assertThat(describe(plan), mainConsumers(stage, before), contains(after, after));
  }

  @Test
  void flattenOfASourceTwiceDuplicatesTheInputEdge() {
    Pipeline p = pipeline();
    PCollection<Integer> numbers = p.apply("Numbers", Create.of(1, 2, 3));
    PCollectionList.of(numbers)
        .and(numbers)
        .apply("Flatten", Flatten.pCollections())
        .apply("After", ParDo.of(new Identity<Integer>()));

    StagePlan plan = plan(p);

    Stage stage = only(plan.stages(), plan);
    int after = parDoIndex(stage, "After");
    assertThat(describe(plan), stage.spec().inputConsumers(), contains(after, after));
  }

  @Test
  void emptyFlattenPlans() {
    Pipeline p = pipeline();
    PCollectionList.<Integer>empty(p)
        .apply("Nothing", Flatten.pCollections())
        .setCoder(VarIntCoder.of())
        .apply("After", ParDo.of(new Identity<Integer>()));

    StagePlan plan = plan(p);

    // The override makes it an empty Create: an Impulse and a FlatMap over no elements.
    Stage stage = only(plan.stages(), plan);
    assertThat(stage.spec().input(), instanceOf(ImpulseInput.class));
    assertThat(stage.taskCount(), is(1));
    assertThat(stage.dependsOn(), empty());
    assertThat(describe(plan), opKinds(stage), contains(ParDoSpec.class, ParDoSpec.class));
    int create = stage.spec().inputConsumers().get(0);
    assertThat(ops(stage).get(create).stepName(), containsString("Nothing/"));
    assertThat(mainConsumers(stage, create), contains(parDoIndex(stage, "After")));
  }

  // ---- side inputs --------------------------------------------------------------------------

  @Test
  void sideInputConsumerDependsOnTheStageWritingTheView() {
    Pipeline p = pipeline();
    PCollectionView<Integer> side =
        p.apply("Side", Create.of(10)).apply("View", View.asSingleton());
    p.apply("Main", Create.of(1, 2, 3))
        .apply("AddSide", ParDo.of(new AddSide(side)).withSideInputs(side));

    StagePlan plan = plan(p);

    String viewId = side.getTagInternal().getId();
    Stage writer = only(stagesWith(plan, ViewWrite.class), plan);
    assertThat(ops(writer, ViewWrite.class).get(0).viewId(), is(viewId));
    Stage consumer = only(stagesWithParDo(plan, "AddSide"), plan);
    // Fused into Main's source stage: the view comes from elsewhere, so no fusion break.
    assertThat(consumer.spec().input(), instanceOf(SourceSplits.class));
    assertThat(((SourceSplits) consumer.spec().input()).stepName(), containsString("Main"));
    assertThat(consumer.dependsOn(), contains(writer.id()));
    assertThat(consumer.spec().viewProducers(), is(Map.of(viewId, List.of(writer.id()))));
    ParDoSpec addSide = (ParDoSpec) ops(consumer).get(parDoIndex(consumer, "AddSide"));
    assertThat(
        addSide.doFn().sideInputs().stream().map(SideInputSpec::viewId).toList(), contains(viewId));
    assertThat(stagesWith(plan, SpreadWrite.class), empty());
  }

  @Test
  void sideInputComputedFromTheMainInputBreaksFusion() {
    Pipeline p = pipeline();
    PCollection<Integer> numbers = p.apply("Numbers", Create.of(1, 2, 3));
    PCollectionView<Integer> total =
        numbers.apply("Total", Sum.integersGlobally().asSingletonView());
    numbers.apply("AddTotal", ParDo.of(new AddSide(total)).withSideInputs(total));

    StagePlan plan = plan(p); // orderByDependencies throws on a cycle; checkWellFormed too

    String d = describe(plan);
    Stage source =
        only(
            plan.stages().stream().filter(s -> s.spec().input() instanceof SourceSplits).toList(),
            plan);
    assertThat(d, parDoIndex(source, "AddTotal"), is(-1));
    List<SpreadWrite> breaks = ops(source, SpreadWrite.class);
    assertThat(d, breaks, hasSize(1));

    Stage consumer = only(stagesWithParDo(plan, "AddTotal"), plan);
    ShufflePartitions input = shuffleInput(consumer);
    assertThat(input.shuffleId(), is(breaks.get(0).target().shuffleId()));
    assertThat(input.read(), instanceOf(PassThroughRead.class));
    assertThat(input.producerStages(), contains(source.id()));
    assertThat(consumer.taskCount(), is(4));
    assertThat(consumer.spec().inputConsumers(), contains(parDoIndex(consumer, "AddTotal")));

    Stage viewWriter = only(stagesWith(plan, ViewWrite.class), plan);
    assertThat(d, consumer.dependsOn(), containsInAnyOrder(source.id(), viewWriter.id()));
    assertThat(
        consumer.spec().viewProducers(),
        is(Map.of(total.getTagInternal().getId(), List.of(viewWriter.id()))));
    assertThat(d, plan.stages().indexOf(consumer), greaterThan(plan.stages().indexOf(viewWriter)));
  }

  @Test
  void crossedSideInputsBetweenTwoSourcesDoNotMakeACycle() {
    // Each source computes a view the other source's ParDo reads. The pipeline is a DAG
    // (W <- A, V <- B, Q <- A + V, P <- B + W), but fusing Q into A's stage and P into B's
    // makes A's stage wait for V (after B's stage) and B's stage wait for W (after A's stage).
    // One of the two ParDos needs a fusion break although neither view is computed downstream
    // of the ParDo's own root.
    Pipeline p = pipeline();
    PCollection<Integer> a = p.apply("A", Create.of(1, 2, 3));
    PCollection<Integer> b = p.apply("B", Create.of(4, 5, 6));
    PCollectionView<Integer> w = a.apply("W", Sum.integersGlobally().asSingletonView());
    PCollectionView<Integer> v = b.apply("V", Sum.integersGlobally().asSingletonView());
    a.apply("Q", ParDo.of(new AddSide(v)).withSideInputs(v));
    b.apply("P", ParDo.of(new AddSide(w)).withSideInputs(w));

    StagePlan plan = assertDoesNotThrow(() -> plan(p), "planning crossed side inputs");

    String d = describe(plan);
    Stage q = only(stagesWithParDo(plan, "Q"), plan);
    Stage pStage = only(stagesWithParDo(plan, "P"), plan);
    Stage vWriter =
        only(
            stagesWith(plan, ViewWrite.class).stream()
                .filter(
                    s -> ops(s, ViewWrite.class).get(0).viewId().equals(v.getTagInternal().getId()))
                .toList(),
            plan);
    Stage wWriter =
        only(
            stagesWith(plan, ViewWrite.class).stream()
                .filter(
                    s -> ops(s, ViewWrite.class).get(0).viewId().equals(w.getTagInternal().getId()))
                .toList(),
            plan);
    assertThat(d, q.dependsOn(), hasItem(vWriter.id()));
    assertThat(d, pStage.dependsOn(), hasItem(wWriter.id()));
  }

  // ---- operation order ----------------------------------------------------------------------

  @Test
  void operationsAreInTopologicalOrderWhenAJoinIsReachedFirstByTheShortPath() {
    // Split's main output reaches Join directly, its second output only through Detour: the
    // walk meets Join (and the GroupByKey write) before Detour.
    Pipeline p = pipeline();
    PCollectionTuple split =
        p.apply("Numbers", Create.of(1, 2, 3, 4))
            .apply(
                "Split",
                ParDo.of(new SplitOdd())
                    .withOutputTags(SplitOdd.MAIN, TupleTagList.of(SplitOdd.ODD)));
    PCollection<Integer> detour =
        split.get(SplitOdd.ODD).apply("Detour", ParDo.of(new Identity<Integer>()));
    PCollectionList.of(split.get(SplitOdd.MAIN))
        .and(detour)
        .apply("Flatten", Flatten.pCollections())
        .apply("Join", ParDo.of(new KeyByParity()))
        .apply("Group", GroupByKey.create());

    StagePlan plan = plan(p); // checkWellFormed asserts every consumer index > its producer's

    assertThat(describe(plan), plan.stages(), hasSize(2));
    Stage stage = plan.stages().get(0);
    int splitOp = parDoIndex(stage, "Split");
    int detourOp = parDoIndex(stage, "Detour");
    int joinOp = parDoIndex(stage, "Join");
    assertThat(describe(plan), List.of(splitOp, detourOp, joinOp), everyItem(greaterThan(-1)));
    assertThat(consumers(stage, splitOp, "all"), contains(joinOp));
    assertThat(consumers(stage, splitOp, "odd"), contains(detourOp));
    assertThat(detourOp, lessThan(joinOp));
    assertThat(stage.spec().inputConsumers(), contains(splitOp));
    assertThat(opKinds(stage).get(opKinds(stage).size() - 1), is(KeyedShuffleWrite.class));
  }

  // ---- stateful ParDo ----------------------------------------------------------------------

  @Test
  void statefulDoFnRunsPerKeyAfterAShuffleByKey() {
    Pipeline p = pipeline();
    p.apply(
            "Numbers",
            Create.of(KV.of("a", 1), KV.of("b", 2))
                .withCoder(KvCoder.of(StringUtf8Coder.of(), VarIntCoder.of())))
        .apply("CountState", ParDo.of(new CountPerKey()))
        .apply("After", ParDo.of(new Identity<Integer>()));

    StagePlan plan = plan(p);

    assertThat(describe(plan), plan.stages(), hasSize(2));
    Stage map = plan.stages().get(0);
    Stage reduce = plan.stages().get(1);
    KeyedShuffleWrite write = ops(map, KeyedShuffleWrite.class).get(0);
    assertThat("timestamps and windows travel with the elements", write.valuesOnly(), is(false));
    ShufflePartitions input = shuffleInput(reduce);
    assertThat(input.shuffleId(), is(write.target().shuffleId()));
    assertThat(input.read(), instanceOf(KeyGroupsRead.class));
    assertThat(opKinds(reduce), contains(StatefulParDoSpec.class, ParDoSpec.class));
    StatefulParDoSpec stateful = ops(reduce, StatefulParDoSpec.class).get(0);
    assertThat(stateful.stepName(), containsString("CountState"));
    assertThat(stateful.requiresTimeSortedInput(), is(false));
    assertThat(reduce.spec().inputConsumers(), contains(0));
  }
}

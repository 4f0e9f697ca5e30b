package dev.redwood.runner.e2e;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.redwood.runner.ChildProcesses;
import dev.redwood.runner.PipelineAssertions;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.io.range.OffsetRange;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.transforms.Join;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.FlatMapElements;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.transforms.join.CoGbkResult;
import org.apache.beam.sdk.transforms.join.CoGroupByKey;
import org.apache.beam.sdk.transforms.join.KeyedPCollectionTuple;
import org.apache.beam.sdk.transforms.splittabledofn.RestrictionTracker;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.Sessions;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real pipelines, each run on a backend the subclass sets up, with every task in a JVM of its own
 * that reads its spec and inputs from the blob store.
 */
abstract class EndToEndPipelines {
  @TempDir Path temp;

  /** A pipeline on the backend under test, with {@code extra} options. */
  abstract Pipeline pipeline(String... extra);

  /** Options from {@code base} plus {@code extra}. */
  static Pipeline pipeline(List<String> base, String... extra) {
    List<String> args = new ArrayList<>(base);
    args.addAll(Arrays.asList(extra));
    return Pipeline.create(PipelineOptionsFactory.fromArgs(args.toArray(new String[0])).create());
  }

  /** Word count of {@code input} into one file under {@code output}, which it returns. */
  static Path wordCountToOneFile(Pipeline p, Path input, Path output) {
    p.apply(TextIO.read().from(input.toString()))
        .apply(
            FlatMapElements.into(TypeDescriptors.strings())
                .via(line -> Arrays.asList(line.split("\\s+"))))
        .apply(Count.perElement())
        .apply(
            MapElements.into(TypeDescriptors.strings())
                .via(kv -> kv.getKey() + ":" + kv.getValue()))
        .apply(TextIO.write().to(output.resolve("counts").toString()).withoutSharding());
    assertThat(p.run().waitUntilFinish(), is(PipelineResult.State.DONE));
    return output.resolve("counts");
  }

  @AfterEach
  void noWorkerProcessLeft() {
    assertThat("node processes left behind", ChildProcesses.ofRuns(), is(empty()));
  }

  @Test
  void wordCountWithTextIo() throws IOException {
    Path input = temp.resolve("input.txt");
    Files.writeString(
        input,
        "the quick brown fox\njumps over the lazy dog\nthe dog sleeps\n",
        StandardCharsets.UTF_8);
    Path output = temp.resolve("out");
    Pipeline p = pipeline();
    p.apply(TextIO.read().from(input.toString()))
        .apply(
            FlatMapElements.into(TypeDescriptors.strings())
                .via(line -> Arrays.asList(line.split("\\s+"))))
        .apply(Count.perElement())
        .apply(
            MapElements.into(TypeDescriptors.strings())
                .via(kv -> kv.getKey() + ":" + kv.getValue()))
        .apply(TextIO.write().to(output.resolve("counts").toString()).withNumShards(2));
    assertThat(p.run().waitUntilFinish(), is(PipelineResult.State.DONE));

    List<String> lines;
    try (Stream<Path> files = Files.list(output)) {
      lines =
          files
              .filter(f -> f.getFileName().toString().startsWith("counts"))
              .flatMap(f -> readLines(f).stream())
              .collect(Collectors.toList());
    }
    assertThat(
        lines,
        containsInAnyOrder(
            "the:3",
            "quick:1",
            "brown:1",
            "fox:1",
            "jumps:1",
            "over:1",
            "lazy:1",
            "dog:2",
            "sleeps:1"));
  }

  @Test
  void coGroupByKeyJoin() {
    Pipeline p = pipeline();
    PCollection<KV<String, String>> emails =
        p.apply(
            "Emails",
            Create.of(
                KV.of("amy", "amy@example.com"),
                KV.of("carl", "carl@example.com"),
                KV.of("amy", "a@example.org")));
    PCollection<KV<String, String>> phones =
        p.apply("Phones", Create.of(KV.of("amy", "111"), KV.of("james", "222")));
    TupleTag<String> emailTag = new TupleTag<>();
    TupleTag<String> phoneTag = new TupleTag<>();
    PCollection<String> joined =
        KeyedPCollectionTuple.of(emailTag, emails)
            .and(phoneTag, phones)
            .apply(CoGroupByKey.create())
            .apply(
                MapElements.into(TypeDescriptors.strings())
                    .via(
                        (KV<String, CoGbkResult> kv) -> {
                          List<String> mails = new ArrayList<>();
                          kv.getValue().getAll(emailTag).forEach(mails::add);
                          mails.sort(null);
                          List<String> numbers = new ArrayList<>();
                          kv.getValue().getAll(phoneTag).forEach(numbers::add);
                          return kv.getKey() + " " + mails + " " + numbers;
                        }));
    PAssert.that(joined)
        .containsInAnyOrder(
            "amy [a@example.org, amy@example.com] [111]",
            "carl [carl@example.com] []",
            "james [] [222]");
    PipelineAssertions.run(p);
  }

  /** A mean with its own accumulator class: lifted into a partial and a final combine. */
  static final class MeanFn extends Combine.CombineFn<Integer, MeanFn.Acc, Double> {
    static final class Acc implements Serializable {
      long sum;
      long count;

      @Override
      public boolean equals(Object o) {
        return o instanceof Acc a && a.sum == sum && a.count == count;
      }

      @Override
      public int hashCode() {
        return Objects.hash(sum, count);
      }
    }

    @Override
    public Acc createAccumulator() {
      return new Acc();
    }

    @Override
    public Acc addInput(Acc acc, Integer input) {
      acc.sum += input;
      acc.count++;
      return acc;
    }

    @Override
    public Acc mergeAccumulators(Iterable<Acc> accs) {
      Acc merged = new Acc();
      for (Acc a : accs) {
        merged.sum += a.sum;
        merged.count += a.count;
      }
      return merged;
    }

    @Override
    public Double extractOutput(Acc acc) {
      return acc.count == 0 ? 0.0 : (double) acc.sum / acc.count;
    }

    @Override
    public org.apache.beam.sdk.coders.Coder<Acc> getAccumulatorCoder(
        org.apache.beam.sdk.coders.CoderRegistry registry,
        org.apache.beam.sdk.coders.Coder<Integer> inputCoder) {
      return SerializableCoder.of(Acc.class);
    }
  }

  @Test
  void combinePerKeyWithCustomAccumulator() {
    Pipeline p = pipeline();
    List<KV<String, Integer>> input = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      input.add(KV.of("k" + (i % 3), i));
    }
    PCollection<KV<String, Double>> means =
        p.apply(Create.of(input)).apply(Combine.perKey(new MeanFn()));
    // k0: 0,3,...,999 -> 499.5; k1: 1..997 -> 499.0; k2: 2..998 -> 500.0
    PAssert.that(means)
        .containsInAnyOrder(KV.of("k0", 499.5), KV.of("k1", 499.0), KV.of("k2", 500.0));
    PipelineAssertions.run(p);
  }

  static final class FormatSessionFn extends DoFn<KV<String, Long>, String> {
    @ProcessElement
    public void process(
        @Element KV<String, Long> kv, BoundedWindow window, OutputReceiver<String> out) {
      IntervalWindow w = (IntervalWindow) window;
      out.output(
          kv.getKey()
              + " "
              + w.start().getMillis()
              + "-"
              + w.end().getMillis()
              + " "
              + kv.getValue());
    }
  }

  @Test
  void sessionWindows() {
    Pipeline p = pipeline();
    PCollection<String> sessions =
        p.apply(
                Create.timestamped(
                    TimestampedValue.of(KV.of("u1", 1), new Instant(0)),
                    TimestampedValue.of(KV.of("u1", 1), new Instant(5_000)),
                    TimestampedValue.of(KV.of("u1", 1), new Instant(60_000)),
                    TimestampedValue.of(KV.of("u2", 1), new Instant(1_000)),
                    TimestampedValue.of(KV.of("u2", 1), new Instant(12_000))))
            .apply(Window.into(Sessions.withGapDuration(Duration.standardSeconds(10))))
            .apply(Count.perKey())
            .apply(ParDo.of(new FormatSessionFn()));
    PAssert.that(sessions)
        .containsInAnyOrder(
            "u1 0-15000 2", "u1 60000-70000 1", "u2 1000-11000 1", "u2 12000-22000 1");
    PipelineAssertions.run(p);
  }

  static final class BillFn extends DoFn<KV<String, Integer>, String> {
    private final PCollectionView<Map<String, Integer>> prices;

    BillFn(PCollectionView<Map<String, Integer>> prices) {
      this.prices = prices;
    }

    @ProcessElement
    public void process(ProcessContext c) {
      Integer price = c.sideInput(prices).get(c.element().getKey());
      c.output(
          c.element().getKey() + "=" + (price == null ? "n/a" : price * c.element().getValue()));
    }
  }

  static final Schema PURCHASES =
      Schema.builder()
          .addStringField("user")
          .addNullableField("count", Schema.FieldType.INT32)
          .addStringField("country")
          .build();
  static final Schema VISITS =
      Schema.builder()
          .addNullableField("user2", Schema.FieldType.STRING)
          .addNullableField("count2", Schema.FieldType.INT32)
          .addNullableField("country2", Schema.FieldType.STRING)
          .build();

  /**
   * The left side of the broadcast joins: key fields NOT NULL, so the keys built from it carry
   * another schema than the right side's NULLABLE keys (equal values, unequal {@code Row}s).
   */
  static PCollection<Row> purchases(Pipeline p) {
    return p.apply(
        "Purchases",
        Create.of(
                Row.withSchema(PURCHASES).addValues("alice", 1, "nl").build(),
                Row.withSchema(PURCHASES).addValues("alice", 2, "nl").build(),
                Row.withSchema(PURCHASES).addValues("bob", 3, "de").build(),
                Row.withSchema(PURCHASES).addValues("carol", 4, "fr").build(),
                Row.withSchema(PURCHASES).addValues("bob", 5, "nl").build())
            .withRowSchema(PURCHASES));
  }

  /** The right side: nullable key fields, some of them null. */
  static PCollection<Row> visits(Pipeline p) {
    return p.apply(
        "Visits",
        Create.of(
                Row.withSchema(VISITS).addValues("alice", 10, "nl").build(),
                Row.withSchema(VISITS).addValues("alice", 20, "nl").build(),
                Row.withSchema(VISITS).addValues("bob", 30, "de").build(),
                Row.withSchema(VISITS).addValues(null, 40, "fr").build(),
                Row.withSchema(VISITS).addValues("carol", null, null).build(),
                Row.withSchema(VISITS).addValues("dave", 60, "nl").build(),
                Row.withSchema(VISITS).addValues("bob", null, "nl").build())
            .withRowSchema(VISITS));
  }

  /** A joined pair as "user count/count2", with "-" for a missing right side. */
  static PCollection<String> pairs(PCollection<Row> joined) {
    return joined.apply(
        MapElements.into(TypeDescriptors.strings())
            .via(
                (Row pair) -> {
                  Row left = pair.getRow(Join.LHS_TAG);
                  Row right = pair.getRow(Join.RHS_TAG);
                  return left.getString("user")
                      + " "
                      + left.getInt32("count")
                      + "/"
                      + (right == null ? "-" : right.getInt32("count2"));
                }));
  }

  @Test
  void broadcastJoinMatchesKeysOfNullableAndNotNullSchemas() {
    Pipeline p = pipeline();
    PCollection<Row> joined =
        purchases(p)
            .apply(
                Join.<Row, Row>innerBroadcastJoin(visits(p))
                    .on(Join.FieldsEqual.left("user", "country").right("user2", "country2")));
    PAssert.that(pairs(joined))
        .containsInAnyOrder(
            "alice 1/10", "alice 1/20", "alice 2/10", "alice 2/20", "bob 3/30", "bob 5/null");
    PipelineAssertions.run(p);
  }

  @Test
  void leftOuterBroadcastJoinMatchesKeysOfNullableAndNotNullSchemas() {
    Pipeline p = pipeline();
    PCollection<Row> joined =
        purchases(p)
            .apply(
                Join.<Row, Row>leftOuterBroadcastJoin(visits(p))
                    .on(Join.FieldsEqual.left("user", "country").right("user2", "country2")));
    PAssert.that(pairs(joined))
        .containsInAnyOrder(
            "alice 1/10",
            "alice 1/20",
            "alice 2/10",
            "alice 2/20",
            "bob 3/30",
            "bob 5/null",
            "carol 4/-");
    PipelineAssertions.run(p);
  }

  @Test
  void sideInputMap() {
    Pipeline p = pipeline();
    PCollectionView<Map<String, Integer>> prices =
        p.apply("Prices", Create.of(KV.of("apple", 3), KV.of("pear", 5))).apply(View.asMap());
    PCollection<String> bills =
        p.apply("Orders", Create.of(KV.of("apple", 2), KV.of("pear", 1), KV.of("kiwi", 4)))
            .apply(ParDo.of(new BillFn(prices)).withSideInputs(prices));
    PAssert.that(bills).containsInAnyOrder("apple=6", "pear=5", "kiwi=n/a");
    PipelineAssertions.run(p);
  }

  /**
   * Reads positions 0..n-1 of each word, one per call. Every call asks for bundle finalization (its
   * callback leaves a marker file, shared by the node processes) and checkpoints; a call notes
   * whether the bundle that read the position before had been finalized when it ran.
   */
  @DoFn.BoundedPerElement
  static final class FinalizedPositionsFn extends DoFn<String, String> {
    private final String markers;
    private final long positions;

    FinalizedPositionsFn(String markers, long positions) {
      this.markers = markers;
      this.positions = positions;
    }

    @GetInitialRestriction
    public OffsetRange initialRestriction() {
      return new OffsetRange(0, positions);
    }

    @ProcessElement
    public ProcessContinuation process(
        @Element String word,
        RestrictionTracker<OffsetRange, Long> tracker,
        OutputReceiver<String> out,
        BundleFinalizer finalizer) {
      long position = tracker.currentRestriction().getFrom();
      if (!tracker.tryClaim(position)) {
        return ProcessContinuation.stop();
      }
      boolean previousFinalized = position == 0 || Files.exists(marker(word, position - 1));
      out.output(word + position + (previousFinalized ? "" : " read before finalization"));
      Path marker = marker(word, position);
      finalizer.afterBundleCommit(
          Instant.now().plus(Duration.standardMinutes(10)), () -> Files.createFile(marker));
      return ProcessContinuation.resume();
    }

    private Path marker(String word, long position) {
      return Path.of(markers, word + position);
    }
  }

  @Test
  void splittableDoFnResumesAfterItsBundleIsFinalized() throws IOException {
    Path markers = Files.createDirectories(temp.resolve("finalized"));
    Pipeline p = pipeline();
    PCollection<String> read =
        p.apply(Create.of("a", "b"))
            .apply(ParDo.of(new FinalizedPositionsFn(markers.toString(), 3)));
    PAssert.that(read).containsInAnyOrder("a0", "a1", "a2", "b0", "b1", "b2");
    PipelineAssertions.run(p);
    try (Stream<Path> files = Files.list(markers)) {
      assertThat(
          files.map(f -> f.getFileName().toString()).toList(),
          containsInAnyOrder("a0", "a1", "a2", "b0", "b1", "b2"));
    }
  }

  /** Fails the first time any task runs it (a marker file shared by the node processes). */
  static final class FailOnceFn extends DoFn<Integer, Integer> {
    private final String marker;
    private final Counter seen = Metrics.counter(FailOnceFn.class, "seen");

    FailOnceFn(String marker) {
      this.marker = marker;
    }

    @ProcessElement
    public void process(@Element Integer x, OutputReceiver<Integer> out) throws IOException {
      seen.inc();
      try {
        Files.createFile(Path.of(marker));
        throw new IllegalStateException("first attempt fails on purpose");
      } catch (java.nio.file.FileAlreadyExistsException again) {
        out.output(x * 10);
      }
    }
  }

  @Test
  void failedTaskIsRetried() {
    Pipeline p = pipeline();
    PCollection<Integer> out =
        p.apply(Create.of(1, 2, 3, 4, 5))
            .apply(ParDo.of(new FailOnceFn(temp.resolve("failed-once").toString())));
    PAssert.that(out).containsInAnyOrder(10, 20, 30, 40, 50);
    PipelineResult result = PipelineAssertions.run(p);
    // Committed metrics count each element once: the failed attempt wrote no manifest.
    long committed = 0;
    for (MetricResult<Long> c :
        result
            .metrics()
            .queryMetrics(
                MetricsFilter.builder()
                    .addNameFilter(MetricNameFilter.named(FailOnceFn.class, "seen"))
                    .build())
            .getCounters()) {
      committed += c.getCommitted();
    }
    assertThat(committed, is(5L));
  }

  static final class AlwaysFailsFn extends DoFn<Integer, Integer> {
    @ProcessElement
    public void process(@Element Integer x) {
      throw new IllegalArgumentException("cannot handle element " + x);
    }
  }

  @Test
  void taskThatAlwaysFailsFailsThePipelineWithTheUserException() {
    Pipeline p = pipeline("--maxTaskRetries=1");
    p.apply(Create.of(7)).apply("Explode", ParDo.of(new AlwaysFailsFn()));
    Pipeline.PipelineExecutionException e =
        assertThrows(Pipeline.PipelineExecutionException.class, () -> p.run().waitUntilFinish());
    assertThat(e.getCause(), instanceOf(IllegalArgumentException.class));
    assertThat(e.getCause().getMessage(), is("cannot handle element 7"));
    assertThat(e.getMessage(), containsString("Stage '"));
    assertThat(e.getMessage(), containsString("task 0 failed after 2 attempts"));
    assertThat(e.getMessage(), containsString("--- task log (tail) ---"));
    assertThat(
        e.getMessage(),
        containsString("java.lang.IllegalArgumentException: cannot handle element 7"));
  }

  /** Holds something that is not serializable, so it cannot travel to a task. */
  static final class NotSerializableFn extends DoFn<Integer, Integer> {
    @SuppressWarnings("unused")
    private final Object lock = new Object();

    @ProcessElement
    public void process(@Element Integer x, OutputReceiver<Integer> out) {
      out.output(x);
    }
  }

  @Test
  void nonSerializableDoFnIsAClearError() {
    Pipeline p = pipeline();
    Exception e =
        assertThrows(
            Exception.class,
            () -> {
              p.apply(Create.of(1)).apply("Holder", ParDo.of(new NotSerializableFn()));
              p.run().waitUntilFinish();
            });
    assertThat(e.getMessage(), containsString("NotSerializableFn"));
    assertThat(e.getMessage(), containsString("serializ"));
  }

  static List<String> readLines(Path file) {
    try {
      return Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}

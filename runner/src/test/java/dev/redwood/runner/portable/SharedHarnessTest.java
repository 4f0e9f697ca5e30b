package dev.redwood.runner.portable;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import dev.redwood.runner.PipelineAssertions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node JVM runs all of a job's tasks that it runs at once in one SDK harness: a local node
 * process with four slots runs a stage's four tasks side by side, and every bundle of the job
 * reports the same harness process (PROCESS environment, so each harness is a JVM of its own,
 * started by the node's boot), and nothing is left running after the job.
 */
class SharedHarnessTest {
  private static final int SLOTS = 4;

  @TempDir static Path temp;
  private static RedwoodJobServer server;
  private static String endpoint;
  private static Path userJar;

  @BeforeAll
  static void startServer() throws Exception {
    userJar =
        ProcessEnvironmentTest.userJar(
            temp.resolve("user-code.jar"), SharedHarnessTest.class, "shared harness");
    server =
        LocalJobServer.start(
            temp,
            "--localNodes=1",
            "--taskSlotsPerNode=" + SLOTS,
            "--shufflePartitions=" + SLOTS,
            "--inProcessNodes=false",
            "--nodeHeapMb=512",
            "--shuffleBufferMb=16",
            "--localWorkDir=" + temp.resolve("redwood"),
            "--quiet");
    endpoint = server.start();
  }

  @AfterAll
  static void stopServer() {
    server.stop();
  }

  @Test
  void concurrentTasksOfAJobShareTheNodesOneHarness() throws Exception {
    Path reports = Files.createDirectories(temp.resolve("reports"));
    Pipeline p =
        Pipeline.create(
            PipelineOptionsFactory.fromArgs(
                    "--runner=PortableRunner",
                    "--jobEndpoint=" + endpoint,
                    "--defaultEnvironmentType=PROCESS",
                    "--defaultEnvironmentConfig={\"command\":\"" + JavaSdkBoot.COMMAND_NAME + "\"}",
                    "--filesToStage=" + userJar)
                .create());
    List<KV<Integer, Integer>> input = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      input.add(KV.of(i, i));
    }
    PCollection<Integer> keys =
        p.apply(Create.of(input))
            .apply(GroupByKey.create())
            .apply(ParDo.of(new SlowReportFn(reports.toString())));
    List<Integer> expected = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      expected.add(i);
    }
    PAssert.that(keys).containsInAnyOrder(expected);

    PipelineAssertions.run(p);

    List<BundleReport> seen = reports(reports);
    // One bundle per task of the grouped stage at least (a partition without keys may run none).
    assertThat(seen.size(), greaterThanOrEqualTo(2));
    Map<Long, Set<Long>> harnessesByNode = new TreeMap<>();
    for (BundleReport report : seen) {
      harnessesByNode.computeIfAbsent(report.nodePid, n -> new TreeSet<>()).add(report.harnessPid);
    }
    // The job's only node ran every bundle, all in one harness.
    assertThat(harnessesByNode.keySet(), hasSize(1));
    assertThat(harnessesByNode.values().iterator().next(), hasSize(1));
    // And its tasks did run at once: some bundles overlapped in time on that harness.
    assertThat(overlapping(seen), is(true));
    ProcessEnvironmentTest.assertNoChildLeft();
  }

  private static boolean overlapping(List<BundleReport> reports) {
    for (BundleReport a : reports) {
      for (BundleReport b : reports) {
        if (a != b && a.startMillis < b.endMillis && b.startMillis < a.endMillis) {
          return true;
        }
      }
    }
    return false;
  }

  /** A bundle's harness process, that harness's node JVM and when the bundle ran. */
  private record BundleReport(long harnessPid, long nodePid, long startMillis, long endMillis) {}

  private static List<BundleReport> reports(Path dir) throws IOException {
    List<BundleReport> reports = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        String[] fields = Files.readString(f).split("\\|");
        reports.add(
            new BundleReport(
                Long.parseLong(fields[0]),
                Long.parseLong(fields[1]),
                Long.parseLong(fields[2]),
                Long.parseLong(fields[3])));
      }
    }
    assertThat(reports, not(empty()));
    return reports;
  }

  /**
   * Emits each key; holds every bundle for a second so that the stage's tasks overlap, then reports
   * "harness pid|node pid|start|end" (a harness is its boot's child, the node JVM's grandchild).
   */
  private static final class SlowReportFn extends DoFn<KV<Integer, Iterable<Integer>>, Integer> {
    private final String dir;
    private transient long start;

    SlowReportFn(String dir) {
      this.dir = dir;
    }

    @StartBundle
    public void startBundle() {
      start = System.currentTimeMillis();
    }

    @ProcessElement
    public void process(@Element KV<Integer, Iterable<Integer>> kv, OutputReceiver<Integer> out) {
      out.output(kv.getKey());
    }

    @FinishBundle
    public void finishBundle() throws IOException, InterruptedException {
      Thread.sleep(1_000);
      ProcessHandle self = ProcessHandle.current();
      long node = self.parent().flatMap(ProcessHandle::parent).map(ProcessHandle::pid).orElse(-1L);
      String report = self.pid() + "|" + node + "|" + start + "|" + System.currentTimeMillis();
      Files.writeString(Path.of(dir, UUID.randomUUID() + ".txt"), report);
    }
  }
}

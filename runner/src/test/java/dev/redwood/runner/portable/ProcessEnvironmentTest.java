package dev.redwood.runner.portable;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import dev.redwood.runner.ChildProcesses;
import dev.redwood.runner.PipelineAssertions;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.FlatMapElements;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Java pipelines through Beam's {@code PortableRunner} to Redwood's job server in PROCESS
 * environments: each worker node starts {@link JavaSdkBoot} through its launcher, which fetches the
 * job's staged jar and runs the SDK harness in a JVM of its own.
 */
class ProcessEnvironmentTest {
  private static final String PROBE = "redwood-process-probe.txt";

  @TempDir static Path temp;
  private static RedwoodJobServer server;
  private static String endpoint;
  private static Path userJar;
  private static String token;

  @BeforeAll
  static void startServer() throws Exception {
    token = UUID.randomUUID().toString();
    userJar = userJar(temp.resolve("user-code.jar"), ProcessEnvironmentTest.class, token);
    server = LocalJobServer.start(temp);
    endpoint = server.start();
  }

  @AfterAll
  static void stopServer() {
    server.stop();
  }

  /**
   * The user's code as a user ships it: a jar of {@code testClass} and its nested classes, plus a
   * resource found only there, so the harness can show that the staged jar reached it.
   */
  static Path userJar(Path jar, Class<?> testClass, String probe) throws IOException {
    Path classes = Path.of(testClass.getProtectionDomain().getCodeSource().getLocation().getPath());
    String prefix = testClass.getName().replace('.', '/');
    Path dir = classes.resolve(prefix).getParent();
    try (OutputStream file = Files.newOutputStream(jar);
        JarOutputStream out = new JarOutputStream(file);
        Stream<Path> listing = Files.list(dir)) {
      for (Path cls : (Iterable<Path>) listing::iterator) {
        String entry = classes.relativize(cls).toString().replace('\\', '/');
        if (entry.startsWith(prefix) && entry.endsWith(".class")) {
          out.putNextEntry(new JarEntry(entry));
          Files.copy(cls, out);
          out.closeEntry();
        }
      }
      out.putNextEntry(new JarEntry(PROBE));
      out.write(probe.getBytes(StandardCharsets.UTF_8));
      out.closeEntry();
    }
    return jar;
  }

  private static Pipeline processPipeline(String command) {
    return Pipeline.create(
        PipelineOptionsFactory.fromArgs(
                "--runner=PortableRunner",
                "--jobEndpoint=" + endpoint,
                "--defaultEnvironmentType=PROCESS",
                "--defaultEnvironmentConfig={\"command\":\"" + command + "\"}",
                "--filesToStage=" + userJar)
            .create());
  }

  /** Lines "pid|parent pid|HARNESS_ID|probe" the harnesses wrote into {@code dir}. */
  private static List<String[]> harnessReports(Path dir) throws IOException {
    List<String[]> reports = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        reports.add(Files.readString(f).split("\\|", -1));
      }
    }
    return reports;
  }

  /** Waits up to 30 s for the processes runs started (harnesses too) to end. */
  static void assertNoChildLeft() throws InterruptedException {
    long deadline = System.currentTimeMillis() + 30_000;
    while (!ChildProcesses.ofRuns().isEmpty() && System.currentTimeMillis() < deadline) {
      Thread.sleep(200);
    }
    assertThat(ChildProcesses.ofRuns(), is(empty()));
  }

  private static void assertRanInBootedHarnesses(Path reports) throws IOException {
    List<String[]> seen = harnessReports(reports);
    assertThat(seen, not(empty()));
    long self = ProcessHandle.current().pid();
    List<Long> pids = new ArrayList<>();
    for (String[] report : seen) {
      pids.add(Long.parseLong(report[0]));
      // A node JVM is this JVM's child; a harness is its boot's child, the node's grandchild.
      assertThat(Long.parseLong(report[1]), not(equalTo(self)));
      assertThat(Long.parseLong(report[1]), not(equalTo(-1L)));
      // Set by the boot for FnHarness; neither a node JVM nor an embedded harness has it.
      assertThat(report[2], not(equalTo("null")));
      assertThat(report[3], equalTo(token));
    }
    assertThat(pids, everyItem(not(equalTo(self))));
  }

  @Test
  void wordCountRunsInHarnessJvmsTheBootStarts() throws Exception {
    Path launcher = JavaSdkBoot.writeLauncher(temp.resolve("bin").resolve("java-sdk-boot"));
    Path reports = Files.createDirectories(temp.resolve("reports-wordcount"));
    Pipeline p = processPipeline(launcher.toString());
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      lines.add("the quick fox " + (i % 3 == 0 ? "jumps" : "sleeps"));
    }
    PCollection<KV<String, Long>> counts =
        p.apply("Lines", Create.of(lines))
            .apply(
                FlatMapElements.into(TypeDescriptors.strings())
                    .via((String line) -> List.of(line.split(" "))))
            .apply(ParDo.of(new ReportHarnessFn<String>(reports.toString())))
            .apply(Count.perElement());
    PAssert.that(counts)
        .containsInAnyOrder(
            KV.of("the", 60L),
            KV.of("quick", 60L),
            KV.of("fox", 60L),
            KV.of("jumps", 20L),
            KV.of("sleeps", 40L));

    PipelineAssertions.run(p);

    assertRanInBootedHarnesses(reports);
    assertNoChildLeft();
  }

  @Test
  void theBareCommandNameUsesEachNodesOwnLauncher() throws Exception {
    Path reports = Files.createDirectories(temp.resolve("reports-gbk"));
    Pipeline p = processPipeline(JavaSdkBoot.COMMAND_NAME);
    PCollection<Integer> sizes =
        p.apply("Groups", Create.of(KV.of(1, "a"), KV.of(1, "b"), KV.of(2, "c")))
            .apply(ParDo.of(new ReportHarnessFn<KV<Integer, String>>(reports.toString())))
            .apply(GroupByKey.create())
            .apply(
                MapElements.into(TypeDescriptors.integers())
                    .via(
                        (KV<Integer, Iterable<String>> kv) -> {
                          int n = 0;
                          for (String ignored : kv.getValue()) {
                            n++;
                          }
                          return kv.getKey() * 10 + n;
                        }));
    PAssert.that(sizes).containsInAnyOrder(12, 21);

    PipelineAssertions.run(p);

    assertRanInBootedHarnesses(reports);
    assertNoChildLeft();
  }

  @Test
  void aHarnessEndsWhenItsBootIsKilled() throws Exception {
    Path reports = Files.createDirectories(temp.resolve("reports-kill"));
    Pipeline p = processPipeline(JavaSdkBoot.COMMAND_NAME);
    p.apply(Create.of(1)).apply(ParDo.of(new ReportThenSleepFn(reports.toString())));
    PipelineResult result = p.run();
    long deadline = System.currentTimeMillis() + 90_000;
    while (harnessReports(reports).isEmpty() && System.currentTimeMillis() < deadline) {
      Thread.sleep(200);
    }
    assertRanInBootedHarnesses(reports);
    String[] report = harnessReports(reports).get(0);
    ProcessHandle harness = ProcessHandle.of(Long.parseLong(report[0])).orElseThrow();
    ProcessHandle boot = ProcessHandle.of(Long.parseLong(report[1])).orElseThrow();
    // SIGKILL: the boot's shutdown hook cannot run, so the harness must notice by itself.
    boot.destroyForcibly();
    harness.onExit().get(30, TimeUnit.SECONDS);
    assertThat(harness.isAlive(), is(false));

    // The task whose harness died fails the job, perhaps before the cancel reaches it.
    try {
      result.cancel();
    } catch (IOException | RuntimeException alreadyOver) {
      // nothing left to cancel
    }
    PipelineResult.State state;
    try {
      state = result.waitUntilFinish(org.joda.time.Duration.standardSeconds(60));
    } catch (RuntimeException failed) {
      state = PipelineResult.State.FAILED;
    }
    assertThat(state, is(not(PipelineResult.State.DONE)));
    assertNoChildLeft();
  }

  /** Passes elements on; once per bundle reports which JVM ran it ({@link #writeReport}). */
  private static final class ReportHarnessFn<T> extends DoFn<T, T> {
    private final String dir;

    ReportHarnessFn(String dir) {
      this.dir = dir;
    }

    @FinishBundle
    public void finishBundle() throws IOException {
      writeReport(dir);
    }

    @ProcessElement
    public void process(@Element T element, OutputReceiver<T> out) {
      out.output(element);
    }
  }

  /** Holds its task for two minutes, longer than any test waits, after reporting its JVM. */
  private static final class ReportThenSleepFn extends DoFn<Integer, Integer> {
    private final String dir;

    ReportThenSleepFn(String dir) {
      this.dir = dir;
    }

    @ProcessElement
    public void process(@Element Integer i) throws IOException, InterruptedException {
      writeReport(dir);
      Thread.sleep(120_000);
    }
  }

  /** Writes which JVM runs this (pid, parent's pid, harness id) and the probe resource it sees. */
  private static void writeReport(String dir) throws IOException {
    String probe;
    try (InputStream in =
        ProcessEnvironmentTest.class.getClassLoader().getResourceAsStream(PROBE)) {
      probe = in == null ? "no probe" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    ProcessHandle self = ProcessHandle.current();
    long parent = self.parent().map(ProcessHandle::pid).orElse(-1L);
    String report = self.pid() + "|" + parent + "|" + System.getenv("HARNESS_ID") + "|" + probe;
    Files.writeString(Path.of(dir, UUID.randomUUID() + ".txt"), report);
  }
}

package dev.redwood.runner.faults;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One driver JVM of a campaign run ({@link CampaignPipelines#main}): started with the test
 * classpath, its output appended to the run's log, and read as it comes for what the campaign needs
 * to know: when the job started, each stage's last progress line, the end-of-run summary.
 */
final class DriverProcess {
  /** JVM flags of drivers: what Beam and the Azure SDKs need on Java 17, and a quick start. */
  private static final List<String> JVM_FLAGS =
      List.of(
          "--add-opens=java.base/java.util=ALL-UNNAMED",
          "--add-opens=java.base/java.lang=ALL-UNNAMED",
          "--add-opens=java.base/java.nio=ALL-UNNAMED",
          "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
          "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
          "-XX:TieredStopAtLevel=1",
          "-XX:+UseSerialGC",
          "-Xmx768m");

  private static final Pattern STAGE =
      Pattern.compile(
          "^\\[redwood] stage (\\d+)/\\d+ .*: (\\d+)/(\\d+) tasks succeeded(?: \\((\\d+) reused\\))?,"
              + " (\\d+) running, (\\d+) failed, [0-9.]+s(?:, .*)?$");
  private static final Pattern DONE =
      Pattern.compile(
          "done: (\\d+) stages, (\\d+) tasks(?: \\((\\d+) reused from earlier sessions\\))?,"
              + " (\\d+) retries");

  /** The last progress counts of a stage. */
  record StageCounts(int succeeded, int tasks, int reused, int running, int failed) {}

  private final Process process;
  private final PrintWriter out;
  private final Thread reader;
  private final Map<Integer, StageCounts> stages = new TreeMap<>();
  private volatile long jobStartedNanos;
  private volatile int summaryTasks = -1;
  private volatile int summaryReused;

  private DriverProcess(Process process, Path log) throws IOException {
    this.process = process;
    this.out =
        new PrintWriter(
            Files.newBufferedWriter(
                log, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND),
            true);
    this.reader =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                  synchronized (out) {
                    out.println(line);
                  }
                  observe(line);
                }
              } catch (IOException e) {
                note("reading the driver's output failed: " + e);
              }
            },
            "campaign-driver-output");
    reader.setDaemon(true);
    reader.start();
  }

  /** Starts {@link CampaignPipelines#main} with {@code args}, logging to {@code log}. */
  static DriverProcess start(List<String> args, Path log) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(JVM_FLAGS);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(CampaignPipelines.class.getName());
    command.addAll(args);
    Files.writeString(
        log,
        "campaign: driver " + String.join(" ", args) + "\n",
        StandardCharsets.UTF_8,
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    return new DriverProcess(p, log);
  }

  private void observe(String line) {
    if (line.startsWith("[redwood] job ")) {
      jobStartedNanos = System.nanoTime();
    }
    Matcher m = STAGE.matcher(line);
    if (m.find()) {
      StageCounts counts =
          new StageCounts(
              Integer.parseInt(m.group(2)),
              Integer.parseInt(m.group(3)),
              m.group(4) == null ? 0 : Integer.parseInt(m.group(4)),
              Integer.parseInt(m.group(5)),
              Integer.parseInt(m.group(6)));
      synchronized (stages) {
        stages.put(Integer.parseInt(m.group(1)), counts);
      }
    }
    Matcher d = DONE.matcher(line);
    if (d.find()) {
      summaryReused = d.group(3) == null ? 0 : Integer.parseInt(d.group(3));
      summaryTasks = Integer.parseInt(d.group(2));
    }
  }

  /** Adds a line of the campaign's own to the run's log (what it injected, and when). */
  void note(String text) {
    synchronized (out) {
      out.println("campaign: " + text);
    }
  }

  Process process() {
    return process;
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** Nanos (System.nanoTime) when the driver said the job started; 0 before. */
  long jobStartedNanos() {
    return jobStartedNanos;
  }

  /** Waits up to {@code seconds} for the JVM to end and its output to be read; null on timeout. */
  Integer await(long seconds) throws InterruptedException {
    if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
      return null;
    }
    reader.join(10_000);
    return process.exitValue();
  }

  /** SIGKILL, as the kernel or a lost VM would end it: no hook runs. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
    reader.join(10_000);
  }

  /** Failed attempts over all stages, as the last progress lines say. */
  int failedAttempts() {
    synchronized (stages) {
      return stages.values().stream().mapToInt(StageCounts::failed).sum();
    }
  }

  /** Tasks running at the last progress line of each stage not yet done. */
  int runningAtLastLine() {
    synchronized (stages) {
      return stages.values().stream()
          .filter(c -> c.succeeded() < c.tasks())
          .mapToInt(StageCounts::running)
          .sum();
    }
  }

  /** Tasks of the run, from its summary line; -1 without one. */
  int summaryTasks() {
    return summaryTasks;
  }

  /** Tasks the summary says were reused from earlier sessions. */
  int summaryReused() {
    return summaryReused;
  }
}

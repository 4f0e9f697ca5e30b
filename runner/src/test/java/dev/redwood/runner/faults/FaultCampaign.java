/*
 * Run from the repository root (a command that prints figures, not a timed test):
 *
 *   mvn -B -q -Pfault-campaign -pl runner -am test-compile exec:exec@fault-campaign
 *   mvn -B -q -Pfault-campaign -pl runner -am test-compile exec:exec@fault-campaign \
 *       -Dcampaign.args="--runs=100 --azureRuns=6 --seed=18"
 */
package dev.redwood.runner.faults;

import com.fasterxml.jackson.databind.JsonNode;
import dev.redwood.runner.batch.azure.restdouble.RecordedRequest;
import dev.redwood.runner.batch.azure.restdouble.RequestFault;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A fault campaign: runs {@link CampaignPipelines} many times while injecting faults at random, and
 * checks each run's output against a fault-free run's and what each run left behind.
 *
 * <p>Local runs (node JVMs, {@code --inProcessNodes=false}) get one fault each, taking turns so
 * that each kind comes up equally often, and a second one a quarter of the time: a worker (node)
 * JVM killed, a task that fails once, or the driver JVM killed (SIGKILL) and the run resumed with
 * {@code --resume}. Emulated Azure runs (the Batch REST double and Azurite) get a request storm
 * (429s, 5xx answers, dropped connections or lost responses, in turn, on a random kind of request)
 * and a node fault (a node preempted or made unusable, in turn, while tasks run). When in a run
 * each fault lands is random, scaled to how long the fault-free run took.
 *
 * <p>Prints one line per run and a table: runs, faults injected by kind, runs whose output was
 * identical to the fault-free run's, tasks rerun per fault, and what was left behind: live
 * processes whose command line names the run's work directory (driver and node JVMs), task
 * processes on the emulated nodes, active Batch jobs, and objects under the store's {@code jobs/}
 * and {@code runs/} prefixes (job containers on Azure) after runs that finished. Exits 1 when a run
 * did not finish with identical output or anything was left behind.
 *
 * <p>Options: {@code --runs=100} local runs, {@code --azureRuns=4}, {@code --seed=} (default: the
 * clock; printed), {@code --pipelines=wordcount,sideinput}, {@code --workDir=} (default: a new
 * temporary directory), {@code --keep} (keep it), {@code --files=4 --linesPerFile=2000
 * --sleepMicros=300 --shufflePartitions=4 --splitSizeMb=0} (the input, how slow each line is,
 * reduce tasks per shuffle, split size with 0 for the runner's default of four splits per slot),
 * {@code --timeoutSeconds=300} per driver, {@code --minutes=0} (when more than 0: no local run
 * starts after this many minutes, and the table says how many ran).
 */
public final class FaultCampaign {

  /** The kinds of fault the campaign injects. */
  enum Fault {
    WORKER_KILLED("worker JVM killed"),
    TASK_FAILS_ONCE("task fails once"),
    DRIVER_KILLED("driver killed, resumed"),
    THROTTLED("429 storm"),
    SERVER_ERRORS("5xx storm"),
    CONNECTIONS_DROPPED("connections dropped"),
    RESPONSES_LOST("responses lost"),
    NODE_PREEMPTED("node preempted"),
    NODE_UNUSABLE("node unusable");

    final String label;

    Fault(String label) {
      this.label = label;
    }
  }

  static final List<Fault> LOCAL_FAULTS =
      List.of(Fault.WORKER_KILLED, Fault.TASK_FAILS_ONCE, Fault.DRIVER_KILLED);
  static final List<Fault> STORMS =
      List.of(
          Fault.THROTTLED, Fault.SERVER_ERRORS, Fault.CONNECTIONS_DROPPED, Fault.RESPONSES_LOST);
  static final List<Fault> NODE_FAULTS = List.of(Fault.NODE_PREEMPTED, Fault.NODE_UNUSABLE);

  /** Kinds of Batch request a storm may hit (null: any request). */
  private static final List<String> STORM_PATHS =
      Arrays.asList(
          null,
          "^/pools",
          "^/jobs$",
          "^/jobs/[^/]+/addtaskcollection",
          "^/jobs/[^/]+/tasks",
          "^/jobs/[^/]+/terminate");

  /** The campaign's settings. */
  record Settings(
      int runs,
      int azureRuns,
      long seed,
      List<String> pipelines,
      Path workDir,
      boolean keep,
      int files,
      int linesPerFile,
      long sleepMicros,
      int shufflePartitions,
      long splitSizeMb,
      long timeoutSeconds,
      double minutes) {

    static Settings parse(String... args) throws IOException {
      Map<String, String> opts = new LinkedHashMap<>();
      for (String arg : args) {
        if (!arg.startsWith("--")) {
          throw new IllegalArgumentException("expected --name=value, got " + arg);
        }
        int eq = arg.indexOf('=');
        opts.put(
            eq < 0 ? arg.substring(2) : arg.substring(2, eq),
            eq < 0 ? "true" : arg.substring(eq + 1));
      }
      Settings s =
          new Settings(
              Integer.parseInt(opts.getOrDefault("runs", "100")),
              Integer.parseInt(opts.getOrDefault("azureRuns", "4")),
              opts.containsKey("seed")
                  ? Long.parseLong(opts.get("seed"))
                  : System.currentTimeMillis() % 100_000,
              List.of(
                  opts.getOrDefault("pipelines", String.join(",", CampaignPipelines.NAMES))
                      .split(",")),
              opts.containsKey("workDir")
                  ? Path.of(opts.get("workDir")).toAbsolutePath()
                  : Files.createTempDirectory("fault-campaign-"),
              Boolean.parseBoolean(opts.getOrDefault("keep", "false")),
              Integer.parseInt(opts.getOrDefault("files", "4")),
              Integer.parseInt(opts.getOrDefault("linesPerFile", "2000")),
              Long.parseLong(opts.getOrDefault("sleepMicros", "300")),
              Integer.parseInt(opts.getOrDefault("shufflePartitions", "4")),
              Long.parseLong(opts.getOrDefault("splitSizeMb", "0")),
              Long.parseLong(opts.getOrDefault("timeoutSeconds", "300")),
              Double.parseDouble(opts.getOrDefault("minutes", "0")));
      Set<String> known =
          Set.of(
              "runs",
              "azureRuns",
              "seed",
              "pipelines",
              "workDir",
              "keep",
              "files",
              "linesPerFile",
              "sleepMicros",
              "shufflePartitions",
              "splitSizeMb",
              "timeoutSeconds",
              "minutes");
      for (String name : opts.keySet()) {
        if (!known.contains(name)) {
          throw new IllegalArgumentException("unknown option --" + name);
        }
      }
      for (String p : s.pipelines) {
        CampaignPipelines.failingSteps(p); // refuses unknown names
      }
      return s;
    }
  }

  /** How a run's output compares with the fault-free run's. */
  enum Verdict {
    IDENTICAL,
    SAME_LINES_OTHER_ORDER,
    DIFFERENT,
    NO_OUTPUT
  }

  /** What one run did and left. */
  record CampaignRun(
      int index,
      String backend,
      String pipeline,
      List<Fault> planned,
      List<Fault> landed,
      String detail,
      boolean done,
      Verdict verdict,
      int tasks,
      int rerun,
      List<String> leftovers,
      double seconds,
      Path log) {

    boolean ok() {
      return done && verdict == Verdict.IDENTICAL && leftovers.isEmpty();
    }
  }

  /** The campaign's outcome. */
  record Report(Settings settings, List<CampaignRun> runs) {
    boolean passed() {
      return runs.stream().allMatch(CampaignRun::ok);
    }

    long identical() {
      return runs.stream().filter(r -> r.done && r.verdict == Verdict.IDENTICAL).count();
    }

    List<String> leftovers() {
      return runs.stream()
          .flatMap(r -> r.leftovers.stream().map(l -> "run " + r.index + ": " + l))
          .toList();
    }

    Map<Fault, Integer> landed() {
      Map<Fault, Integer> counts = new EnumMap<>(Fault.class);
      for (CampaignRun r : runs) {
        r.landed.forEach(f -> counts.merge(f, 1, Integer::sum));
      }
      return counts;
    }
  }

  private final Settings settings;
  private final PrintStream out;
  private final Random random;
  private final Path localWork;
  private final Path azureWork;
  private final String inputGlob;
  private final Map<String, byte[]> reference = new LinkedHashMap<>();
  private final Map<String, Long> referenceNanos = new LinkedHashMap<>();
  private CampaignAzure azure;

  private FaultCampaign(Settings settings, PrintStream out) {
    this.settings = settings;
    this.out = out;
    this.random = new Random(settings.seed);
    this.localWork = settings.workDir.resolve("local-redwood");
    this.azureWork = settings.workDir.resolve("azure-redwood");
    this.inputGlob = settings.workDir.resolve("input").resolve("part-*.txt").toString();
  }

  public static void main(String[] args) throws Exception {
    Report report = run(Settings.parse(args), System.out);
    System.exit(report.passed() ? 0 : 1);
  }

  /** Runs the campaign {@code settings} describe, printing to {@code out}. */
  static Report run(Settings settings, PrintStream out) throws Exception {
    FaultCampaign campaign = new FaultCampaign(settings, out);
    try {
      return campaign.runAll();
    } finally {
      if (campaign.azure != null) {
        campaign.azure.close();
      }
      if (!settings.keep) {
        deleteTree(settings.workDir);
      }
    }
  }

  private Report runAll() throws Exception {
    long started = System.nanoTime();
    out.printf(
        Locale.ROOT,
        "Fault campaign: seed %d, %d local runs, %d emulated-Azure runs, pipelines %s, work dir %s%n",
        settings.seed,
        settings.runs,
        settings.azureRuns,
        settings.pipelines,
        settings.workDir);
    writeInput();
    for (String pipeline : settings.pipelines) {
      referenceRun(pipeline);
    }
    List<CampaignRun> results = new ArrayList<>();
    List<Fault> turns = new ArrayList<>();
    int localRuns = settings.runs;
    for (int i = 1; i <= settings.runs; i++) {
      if (settings.minutes > 0 && System.nanoTime() - started > settings.minutes * 60e9) {
        localRuns = i - 1;
        out.printf(
            Locale.ROOT,
            "time budget of %.0f minutes used: %d of %d local runs ran%n",
            settings.minutes,
            localRuns,
            settings.runs);
        break;
      }
      if (turns.isEmpty()) {
        turns.addAll(LOCAL_FAULTS);
        Collections.shuffle(turns, random);
      }
      List<Fault> faults = new ArrayList<>(List.of(turns.remove(0)));
      if (random.nextInt(4) == 0) {
        List<Fault> others = new ArrayList<>(LOCAL_FAULTS);
        others.removeAll(faults);
        faults.add(others.get(random.nextInt(others.size())));
      }
      String pipeline = settings.pipelines.get(random.nextInt(settings.pipelines.size()));
      results.add(report(localRun(i, pipeline, faults)));
    }
    if (settings.azureRuns > 0) {
      azure = new CampaignAzure(settings.workDir.resolve("azure"));
    }
    for (int i = 1; i <= settings.azureRuns; i++) {
      List<Fault> faults =
          List.of(
              STORMS.get((i - 1) % STORMS.size()), NODE_FAULTS.get((i - 1) % NODE_FAULTS.size()));
      String pipeline = settings.pipelines.get(random.nextInt(settings.pipelines.size()));
      results.add(report(azureRun(localRuns + i, pipeline, faults)));
    }
    Report report = new Report(settings, results);
    printTable(report, (System.nanoTime() - started) / 1e9);
    return report;
  }

  // ------------------------------------------------------------------ input and outputs

  /** Text files of words drawn from a small vocabulary, the same for every seed. */
  private void writeInput() throws IOException {
    Path dir = Files.createDirectories(settings.workDir.resolve("input"));
    Random text = new Random(18);
    String[] syllables = {"ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "ze", "pa", "do", "gu"};
    for (int f = 0; f < settings.files; f++) {
      StringBuilder sb = new StringBuilder();
      for (int l = 0; l < settings.linesPerFile; l++) {
        int words = 3 + text.nextInt(10);
        for (int w = 0; w < words; w++) {
          // Skewed: low syllable indexes are common, so some words are frequent and some rare.
          int a = Math.min(text.nextInt(12), text.nextInt(12));
          int b = text.nextInt(12);
          sb.append(w == 0 ? "" : " ").append(syllables[a]).append(syllables[b]);
          if (text.nextInt(5) == 0) {
            sb.append(syllables[text.nextInt(12)]);
          }
        }
        sb.append('\n');
      }
      Files.writeString(
          dir.resolve(String.format(Locale.ROOT, "part-%02d.txt", f)), sb, StandardCharsets.UTF_8);
    }
  }

  /**
   * The output of a run as the campaign compares it: the bytes of the one file, or, for a sink that
   * shards at random, the lines of all its shards sorted. Null when there is none.
   */
  private static byte[] snapshot(String pipeline, Path output) throws IOException {
    if (!Files.isDirectory(output)) {
      return null;
    }
    if (!CampaignPipelines.shardedAtRandom(pipeline)) {
      Path file = output.resolve("counts");
      return Files.exists(file) ? Files.readAllBytes(file) : null;
    }
    List<String> lines = new ArrayList<>();
    int shards = 0;
    try (Stream<Path> files = Files.list(output)) {
      for (Path f : files.filter(f -> f.getFileName().toString().startsWith("summary-")).toList()) {
        lines.addAll(Files.readAllLines(f, StandardCharsets.UTF_8));
        shards++;
      }
    }
    if (shards == 0) {
      return null;
    }
    Collections.sort(lines);
    return (shards + " shards\n" + String.join("\n", lines)).getBytes(StandardCharsets.UTF_8);
  }

  private Verdict compare(String pipeline, Path output) throws IOException {
    byte[] got = snapshot(pipeline, output);
    if (got == null) {
      return Verdict.NO_OUTPUT;
    }
    byte[] want = reference.get(pipeline);
    if (Arrays.equals(got, want)) {
      return Verdict.IDENTICAL;
    }
    List<String> a = new ArrayList<>(new String(got, StandardCharsets.UTF_8).lines().toList());
    List<String> b = new ArrayList<>(new String(want, StandardCharsets.UTF_8).lines().toList());
    Collections.sort(a);
    Collections.sort(b);
    return a.equals(b) ? Verdict.SAME_LINES_OTHER_ORDER : Verdict.DIFFERENT;
  }

  // ------------------------------------------------------------------ runs

  private List<String> localOptions(String jobName) {
    return List.of(
        "--runner=AzureBatchRunner",
        "--inProcessNodes=false",
        "--localNodes=2",
        "--taskSlotsPerNode=2",
        "--nodeHeapMb=384",
        "--workerJvmFlags=-XX:TieredStopAtLevel=1,-XX:+UseSerialGC",
        "--localWorkDir=" + localWork,
        "--jobName=" + jobName);
  }

  private List<String> driverArgs(
      String pipeline, Path runDir, String failStep, List<String> options) {
    options = new ArrayList<>(options);
    options.add("--shufflePartitions=" + settings.shufflePartitions);
    if (settings.splitSizeMb > 0) {
      options.add("--splitSizeMb=" + settings.splitSizeMb);
    }
    List<String> args = new ArrayList<>();
    args.add(pipeline);
    args.add(inputGlob);
    args.add(runDir.resolve("out").toString());
    args.add(runDir.resolve("markers").toString());
    args.add(failStep);
    args.add(Long.toString(settings.sleepMicros));
    args.addAll(options);
    return args;
  }

  private void referenceRun(String pipeline) throws Exception {
    Path runDir = Files.createDirectories(settings.workDir.resolve("runs/reference-" + pipeline));
    Files.createDirectories(runDir.resolve("markers"));
    long start = System.nanoTime();
    DriverProcess driver =
        DriverProcess.start(
            driverArgs(pipeline, runDir, "-", localOptions("fc-ref-" + pipeline)),
            runDir.resolve("driver.log"));
    Integer exit = driver.await(settings.timeoutSeconds);
    if (exit == null || exit != 0) {
      driver.kill();
      throw new IllegalStateException(
          "The fault-free run of "
              + pipeline
              + " did not finish (exit "
              + exit
              + "); see "
              + runDir.resolve("driver.log"));
    }
    byte[] snapshot = snapshot(pipeline, runDir.resolve("out"));
    if (snapshot == null || snapshot.length < 100) {
      throw new IllegalStateException("The fault-free run of " + pipeline + " wrote no output");
    }
    reference.put(pipeline, snapshot);
    long jobNanos = System.nanoTime() - Math.max(start, driver.jobStartedNanos());
    referenceNanos.put(pipeline, jobNanos);
    out.printf(
        Locale.ROOT,
        "reference %-9s: %d tasks, %.1f s (job %.1f s), %d output bytes%s%n",
        pipeline,
        driver.summaryTasks(),
        (System.nanoTime() - start) / 1e9,
        jobNanos / 1e9,
        snapshot.length,
        CampaignPipelines.shardedAtRandom(pipeline)
            ? " (lines of its 3 shards, sorted: the sink shards at random)"
            : " (one file, compared byte for byte)");
  }

  /** A point in the run's job, as a random fraction of how long the fault-free job took. */
  private long delayNanos(String pipeline, double from, double to) {
    return (long) (referenceNanos.get(pipeline) * (from + (to - from) * random.nextDouble()));
  }

  private CampaignRun localRun(int index, String pipeline, List<Fault> faults) throws Exception {
    Path runDir =
        Files.createDirectories(
            settings.workDir.resolve(String.format(Locale.ROOT, "runs/%03d-%s", index, pipeline)));
    Files.createDirectories(runDir.resolve("markers"));
    Path log = runDir.resolve("driver.log");
    List<String> steps = CampaignPipelines.failingSteps(pipeline);
    String failStep =
        faults.contains(Fault.TASK_FAILS_ONCE) ? steps.get(random.nextInt(steps.size())) : "-";
    List<String> args =
        driverArgs(
            pipeline, runDir, failStep, localOptions(String.format(Locale.ROOT, "fc-%03d", index)));
    // When each timed fault lands, after the job starts.
    Map<Fault, Long> timed = new EnumMap<>(Fault.class);
    if (faults.contains(Fault.WORKER_KILLED)) {
      timed.put(Fault.WORKER_KILLED, delayNanos(pipeline, 0.1, 0.7));
    }
    if (faults.contains(Fault.DRIVER_KILLED)) {
      timed.put(Fault.DRIVER_KILLED, delayNanos(pipeline, 0.15, 0.85));
    }

    long start = System.nanoTime();
    List<Fault> landed = new ArrayList<>();
    List<String> detail = new ArrayList<>();
    List<String> leftovers = new ArrayList<>();
    int rerun = 0;
    if (!failStep.equals("-")) {
      detail.add("fails once in " + failStep);
    }
    DriverProcess driver = DriverProcess.start(args, log);
    // The faults in the order they land; one that comes after the driver is killed lands in the
    // resumed run instead, at the same point after its job started.
    List<Map.Entry<Fault, Long>> order = new ArrayList<>(timed.entrySet());
    order.sort(Map.Entry.comparingByValue());
    for (Map.Entry<Fault, Long> e : order) {
      if (!awaitJobStart(driver)) {
        break;
      }
      long at = driver.jobStartedNanos() + e.getValue();
      while (driver.isAlive() && System.nanoTime() < at) {
        Thread.sleep(20);
      }
      if (!driver.isAlive()) {
        break;
      }
      String when = String.format(Locale.ROOT, "@%.1fs", e.getValue() / 1e9);
      if (e.getKey() == Fault.WORKER_KILLED) {
        List<ProcessHandle> nodes =
            driver
                .process()
                .descendants()
                .filter(p -> commandLine(p).contains("LocalNodeMain"))
                .filter(ProcessHandle::isAlive)
                .toList();
        ProcessHandle node = nodes.isEmpty() ? null : nodes.get(random.nextInt(nodes.size()));
        if (node != null && node.destroyForcibly()) {
          landed.add(Fault.WORKER_KILLED);
          detail.add("worker JVM killed " + when);
          driver.note("killed node JVM " + node.pid() + " " + when + " after the job started");
        }
      } else {
        List<ProcessHandle> nodes = driver.process().descendants().toList();
        driver.note("killing the driver " + when + " after the job started, then resuming");
        driver.kill();
        landed.add(Fault.DRIVER_KILLED);
        detail.add("driver killed " + when);
        rerun += driver.failedAttempts() + driver.runningAtLastLine();
        // Node JVMs end when their driver's pipe closes.
        leftovers.addAll(outlived(nodes, "node JVM outlived its killed driver"));
        List<String> resumed = new ArrayList<>(args);
        resumed.add("--resume");
        driver = DriverProcess.start(resumed, log);
      }
    }
    Integer exit;
    exit = driver.await(settings.timeoutSeconds);
    if (exit == null) {
      detail.add("HUNG: no end within " + settings.timeoutSeconds + " s");
      driver.process().descendants().forEach(ProcessHandle::destroyForcibly);
      driver.kill();
    }
    if (faults.contains(Fault.TASK_FAILS_ONCE)
        && Files.exists(runDir.resolve("markers").resolve("failed-" + failStep))) {
      landed.add(Fault.TASK_FAILS_ONCE);
    }
    rerun += driver.failedAttempts();
    boolean done = exit != null && exit == 0;
    leftovers.addAll(strays(localWork));
    if (done) {
      leftovers.addAll(storeObjectsLeft());
    }
    deleteTree(localWork.resolve("store/jobs"));
    deleteTree(localWork.resolve("store/runs"));
    Verdict verdict = done ? compare(pipeline, runDir.resolve("out")) : Verdict.NO_OUTPUT;
    if (!faults.stream().allMatch(landed::contains)) {
      detail.add("planned but did not land: " + labels(without(faults, landed)));
    }
    return new CampaignRun(
        index,
        "local",
        pipeline,
        faults,
        landed,
        String.join(", ", detail),
        done,
        verdict,
        driver.summaryTasks(),
        rerun,
        leftovers,
        (System.nanoTime() - start) / 1e9,
        log);
  }

  private CampaignRun azureRun(int index, String pipeline, List<Fault> faults) throws Exception {
    Path runDir =
        Files.createDirectories(
            settings.workDir.resolve(
                String.format(Locale.ROOT, "runs/%03d-azure-%s", index, pipeline)));
    Files.createDirectories(runDir.resolve("markers"));
    Path log = runDir.resolve("driver.log");
    List<String> options = new ArrayList<>(azure.options(index, runDir, azureWork));
    options.add(String.format(Locale.ROOT, "--jobName=fc-%03d", index));
    List<String> args = driverArgs(pipeline, runDir, "-", options);
    String pool = CampaignAzure.poolId(index);

    List<String> detail = new ArrayList<>();
    List<Fault> landed = new ArrayList<>();
    List<String> leftovers = new ArrayList<>();
    // The storm is armed before the run: it hits the first matching requests.
    Fault storm = faults.get(0);
    String path = STORM_PATHS.get(random.nextInt(STORM_PATHS.size()));
    int count = 2 + random.nextInt(storm == Fault.RESPONSES_LOST ? 2 : 6);
    String method = storm == Fault.RESPONSES_LOST ? "POST" : null;
    if (storm == Fault.RESPONSES_LOST && (path == null || path.contains("/tasks"))) {
      path = "^/jobs/[^/]+/addtaskcollection";
    }
    RequestFault armed =
        switch (storm) {
          case THROTTLED -> azure.batch.throttle(method, path, count, 1);
          case SERVER_ERRORS ->
              azure.batch.failRequests(method, path, count, random.nextBoolean() ? 500 : 503);
          case CONNECTIONS_DROPPED -> azure.batch.dropConnections(method, path, count);
          case RESPONSES_LOST -> azure.batch.loseResponses(method, path, count);
          default -> throw new IllegalArgumentException(storm.name());
        };
    azure.batch.clearRequests();
    long executionsBefore = azure.batch.taskExecutionsStarted();
    long start = System.nanoTime();
    DriverProcess driver = DriverProcess.start(args, log);
    driver.note(
        "armed "
            + storm.label
            + " for "
            + count
            + " "
            + (method == null ? "" : method + " ")
            + (path == null ? "requests" : path + " requests"));

    Fault nodeFault = faults.get(1);
    long delay = delayNanos(pipeline, 0.0, 0.3);
    long deadline = System.nanoTime() + settings.timeoutSeconds * 1_000_000_000L;
    // Wait until the pool's nodes run task processes, then a random while.
    while (driver.isAlive()
        && System.nanoTime() < deadline
        && (azure.batch.liveProcesses().isEmpty() || driver.jobStartedNanos() == 0)) {
      Thread.sleep(50);
    }
    long busySince = System.nanoTime();
    while (driver.isAlive() && System.nanoTime() < busySince + delay) {
      Thread.sleep(20);
    }
    // Then a node that runs tasks (not one still preparing the job or idle).
    List<String> nodes = new ArrayList<>();
    while (driver.isAlive() && nodes.isEmpty() && System.nanoTime() < deadline) {
      azure
          .batch
          .nodeStates(pool)
          .forEach(
              (id, state) -> {
                if (state.equals("running")) {
                  nodes.add(id);
                }
              });
      if (nodes.isEmpty()) {
        Thread.sleep(50);
      }
    }
    if (driver.isAlive()) {
      if (!nodes.isEmpty()) {
        String node = nodes.get(random.nextInt(nodes.size()));
        boolean hit =
            nodeFault == Fault.NODE_PREEMPTED
                ? azure.batch.preemptNode(pool, node)
                : azure.batch.makeNodeUnusable(pool, node);
        if (hit) {
          driver.note(nodeFault.label + ": " + node);
          landed.add(nodeFault);
          detail.add(
              String.format(
                  Locale.ROOT,
                  "%s %s @%.1fs",
                  nodeFault.label,
                  node,
                  (System.nanoTime() - start) / 1e9));
        }
      }
    }
    Integer exit = driver.await(Math.max(1, (deadline - System.nanoTime()) / 1_000_000_000L));
    if (exit == null) {
      detail.add("HUNG: no end within " + settings.timeoutSeconds + " s");
      driver.process().descendants().forEach(ProcessHandle::destroyForcibly);
      driver.kill();
    }
    int hits = count - armed.remaining();
    // A storm that is not used up must not spill into the next run.
    armed.cancel();
    if (hits > 0) {
      landed.add(0, storm);
      detail.add(
          0,
          String.format(
              Locale.ROOT,
              "%s: %d %s%s requests",
              storm.label,
              hits,
              method == null ? "" : method + " ",
              path == null ? "any" : path.substring(1)));
    }
    boolean done = exit != null && exit == 0;
    Set<String> tasks = new HashSet<>();
    for (RecordedRequest r : azure.batch.requests()) {
      if (r.method().equals("POST") && r.path().endsWith("/addtaskcollection")) {
        for (JsonNode t : r.bodyJson().path("value")) {
          tasks.add(t.path("id").asText());
        }
      }
    }
    long executions = azure.batch.taskExecutionsStarted() - executionsBefore;
    int planTasks = driver.summaryTasks();
    int rerun = planTasks < 0 ? 0 : (int) Math.max(0, executions - planTasks);

    long waitUntil = System.nanoTime() + 15_000_000_000L;
    while (!azure.batch.liveProcesses().isEmpty() && System.nanoTime() < waitUntil) {
      Thread.sleep(200);
    }
    azure.batch.liveProcesses().forEach(p -> leftovers.add("task process " + p.pid()));
    azure.activeJobs().forEach(j -> leftovers.add("active Batch job " + j));
    leftovers.addAll(strays(azureWork));
    if (done) {
      leftovers.addAll(azure.objectsLeft());
    }
    azure.deleteObjectsLeft();
    Verdict verdict = done ? compare(pipeline, runDir.resolve("out")) : Verdict.NO_OUTPUT;
    if (!faults.stream().allMatch(landed::contains)) {
      detail.add("planned but did not land: " + labels(without(faults, landed)));
    }
    detail.add(tasks.size() + " task ids added, " + executions + " executions");
    return new CampaignRun(
        index,
        "azure",
        pipeline,
        faults,
        landed,
        String.join(", ", detail),
        done,
        verdict,
        planTasks,
        rerun,
        leftovers,
        (System.nanoTime() - start) / 1e9,
        log);
  }

  /** Waits until the driver says its job started; false when it ended or timed out first. */
  private boolean awaitJobStart(DriverProcess driver) throws InterruptedException {
    long deadline = System.nanoTime() + settings.timeoutSeconds * 1_000_000_000L;
    while (driver.jobStartedNanos() == 0 && driver.isAlive() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    return driver.jobStartedNanos() != 0 && driver.isAlive();
  }

  /** Those of {@code processes} still alive after up to 20 s; they are killed. */
  private static List<String> outlived(List<ProcessHandle> processes, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (processes.stream().anyMatch(ProcessHandle::isAlive) && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    List<String> left = new ArrayList<>();
    for (ProcessHandle p : processes) {
      if (p.isAlive()) {
        left.add(what + " (pid " + p.pid() + ")");
        p.destroyForcibly();
      }
    }
    return left;
  }

  /**
   * Processes other than this JVM and its ancestors whose command line names {@code dir}, after
   * giving them up to 15 s to end; they are killed.
   */
  private static List<String> strays(Path dir) throws InterruptedException {
    String marker = dir.toString();
    Set<Long> mine = new HashSet<>();
    for (ProcessHandle p = ProcessHandle.current(); p != null; p = p.parent().orElse(null)) {
      mine.add(p.pid());
    }
    long deadline = System.nanoTime() + 15_000_000_000L;
    List<ProcessHandle> found;
    do {
      found =
          ProcessHandle.allProcesses()
              .filter(ProcessHandle::isAlive)
              .filter(p -> !mine.contains(p.pid()))
              .filter(p -> commandLine(p).contains(marker))
              .toList();
      if (!found.isEmpty()) {
        Thread.sleep(200);
      }
    } while (!found.isEmpty() && System.nanoTime() < deadline);
    List<String> left = new ArrayList<>();
    for (ProcessHandle p : found) {
      if (p.isAlive()) {
        String cmd = commandLine(p);
        left.add(
            "process "
                + p.pid()
                + (cmd.contains("LocalNodeMain") ? " (node JVM)" : "")
                + (cmd.contains(CampaignPipelines.class.getName()) ? " (driver JVM)" : ""));
        p.destroyForcibly();
      }
    }
    return left;
  }

  /**
   * The process's command line. {@code ProcessHandle.Info} may leave it out (it does for the node
   * JVMs, whose class path is long), so on Linux it is read from /proc.
   */
  static String commandLine(ProcessHandle p) {
    Path proc = Path.of("/proc", Long.toString(p.pid()), "cmdline");
    try {
      byte[] raw = Files.readAllBytes(proc);
      if (raw.length > 0) {
        return new String(raw, StandardCharsets.UTF_8).replace('\0', ' ');
      }
    } catch (IOException e) {
      // Gone, or not Linux: fall back.
    }
    return p.info().commandLine().orElse("");
  }

  /** Files under the local store's jobs/ and runs/ prefixes. */
  private List<String> storeObjectsLeft() throws IOException {
    List<String> left = new ArrayList<>();
    for (String prefix : List.of("jobs", "runs")) {
      Path dir = localWork.resolve("store").resolve(prefix);
      if (Files.isDirectory(dir)) {
        try (Stream<Path> walk = Files.walk(dir)) {
          walk.filter(Files::isRegularFile)
              .forEach(f -> left.add("object " + localWork.resolve("store").relativize(f)));
        }
      }
    }
    return left;
  }

  // ------------------------------------------------------------------ reporting

  private CampaignRun report(CampaignRun r) {
    out.printf(
        Locale.ROOT,
        "run %3d %-5s %-9s %-38s %-22s %3d tasks, %2d rerun, %5.1f s%s%s%n",
        r.index,
        r.backend,
        r.pipeline,
        "[" + labels(r.planned) + "]",
        !r.done ? "FAILED" : r.verdict.name().toLowerCase(Locale.ROOT),
        r.tasks,
        r.rerun,
        r.seconds,
        r.detail.isEmpty() ? "" : " | " + r.detail,
        r.leftovers.isEmpty() ? "" : " | LEFT: " + r.leftovers);
    if (!r.ok()) {
      out.println("    log: " + r.log);
    }
    return r;
  }

  private void printTable(Report report, double seconds) {
    List<CampaignRun> runs = report.runs;
    long local = runs.stream().filter(r -> r.backend.equals("local")).count();
    long azureRuns = runs.size() - local;
    out.println();
    out.printf(
        Locale.ROOT,
        "Fault campaign, seed %d: %d runs (%d local with node JVMs, %d on emulated Azure), %.0f s%n",
        settings.seed,
        runs.size(),
        local,
        azureRuns,
        seconds);
    out.printf(
        Locale.ROOT,
        "%-24s %8s %10s %12s %12s%n",
        "fault",
        "injected",
        "identical",
        "tasks rerun",
        "rerun/fault");
    Map<Fault, Integer> landed = report.landed();
    for (Fault f : Fault.values()) {
      if (!landed.containsKey(f)) {
        continue;
      }
      // A run's reruns count for each fault that landed in it (a quarter of the local runs and
      // every Azure run have two).
      List<CampaignRun> with = runs.stream().filter(r -> r.landed.contains(f)).toList();
      long identical = with.stream().filter(r -> r.done && r.verdict == Verdict.IDENTICAL).count();
      int rerun = with.stream().mapToInt(CampaignRun::rerun).sum();
      out.printf(
          Locale.ROOT,
          "%-24s %8d %10s %12d %12.2f%n",
          f.label,
          landed.get(f),
          identical + "/" + with.size(),
          rerun,
          rerun / (double) with.size());
    }
    long noFault = runs.stream().filter(r -> r.landed.isEmpty()).count();
    long twoFaults = runs.stream().filter(r -> r.landed.size() > 1).count();
    out.printf(
        Locale.ROOT,
        "runs with two faults: %d; runs where no planned fault landed (it ended first): %d%n",
        twoFaults,
        noFault);
    out.printf(
        Locale.ROOT,
        "identical output: %d of %d (wordcount: one file, byte for byte; sideinput: its shards'"
            + " lines sorted, as its sink shards at random)%n",
        report.identical(),
        runs.size());
    long failed = runs.stream().filter(r -> !r.done).count();
    long differ = runs.stream().filter(r -> r.done && r.verdict != Verdict.IDENTICAL).count();
    out.printf(
        Locale.ROOT, "runs that failed: %d; runs whose output differed: %d%n", failed, differ);
    List<String> left = report.leftovers();
    out.println(
        "left behind: "
            + (left.isEmpty()
                ? "nothing (no process naming the work dir, no task process, no active Batch job,"
                    + " no object under jobs/ or runs/)"
                : left.size() + " items"));
    left.forEach(l -> out.println("  " + l));
    out.println(report.passed() ? "PASSED" : "FAILED");
  }

  private static String labels(List<Fault> faults) {
    return faults.stream().map(f -> f.label).collect(Collectors.joining(" + "));
  }

  private static List<Fault> without(List<Fault> all, List<Fault> some) {
    List<Fault> rest = new ArrayList<>(all);
    rest.removeAll(some);
    return rest;
  }

  static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

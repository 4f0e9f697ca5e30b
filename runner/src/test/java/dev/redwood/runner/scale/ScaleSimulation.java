package dev.redwood.runner.scale;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.redwood.runner.azure.Azurite;
import dev.redwood.runner.batch.azure.restdouble.AccountLimits;
import dev.redwood.runner.batch.azure.restdouble.BatchRestDouble;
import dev.redwood.runner.batch.azure.restdouble.RecordedRequest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The seed's bake at scale on emulated Azure: 10 pools in 3 Batch accounts (3 regions) whose nodes
 * come up at different times, with Spot nodes preempted at a steady rate, and one task per probe.
 * The driver (a JVM of its own: {@link ScaleSimDriver}), planner, dispatch, polling and commit
 * protocol are Redwood's; the Batch accounts are {@link BatchRestDouble}s on a scaled clock whose
 * nodes run task mains in threads, and storage is Azurite. Only a probe's simulation is a sleep.
 *
 * <p>Prints, per bake size: makespan against the ideal (total task time over the task slots
 * available as the pools came up), Batch requests by kind and per task, the driver's heap peak and
 * CPU time, and how long a finished task took to show up in an answer to the driver's polls.
 *
 * <p>Durations: the acoustic example's measured CPU time per probe ({@code probe-times.tsv}, from
 * its benchmark), resampled and scaled so the mean is the seed's 850 s per probe.
 *
 * <p>Arguments: {@code --tasks=1000,14197,50000}, {@code --timeScale=0.02} (real seconds per
 * service second), {@code --spotEvictionsPerHour=0.05}, {@code --driverHeap=2g} (the driver JVM's
 * {@code -Xmx}), {@code --out=DIR}.
 */
public final class ScaleSimulation {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The seed's per-probe time (a fine 3D probe on an 8-core VM: 800 to 900 s). */
  static final double SEED_PROBE_SECONDS = 850;

  private static final String VM_SIZE = "Standard_F16s_v2";
  private static final int SLOTS_PER_NODE = 16;

  /** Account (its region), allocation delay in service minutes, and its pools. */
  private record Account(String region, int allocationMinutes, List<PoolSize> pools) {}

  private record PoolSize(String id, int dedicated, int spot) {}

  private static final List<Account> ACCOUNTS =
      List.of(
          new Account(
              "eastus",
              3,
              List.of(
                  new PoolSize("bake-eus-1", 4, 2),
                  new PoolSize("bake-eus-2", 3, 3),
                  new PoolSize("bake-eus-3", 5, 0),
                  new PoolSize("bake-eus-4", 2, 4))),
          new Account(
              "westeurope",
              7,
              List.of(
                  new PoolSize("bake-weu-1", 4, 2),
                  new PoolSize("bake-weu-2", 3, 3),
                  new PoolSize("bake-weu-3", 6, 0))),
          new Account(
              "southeastasia",
              12,
              List.of(
                  new PoolSize("bake-sea-1", 2, 2),
                  new PoolSize("bake-sea-2", 4, 0),
                  new PoolSize("bake-sea-3", 3, 3))));

  /** Path segments that name an operation rather than an entity. */
  private static final Set<String> OPERATIONS =
      Set.of(
          "jobs",
          "pools",
          "tasks",
          "nodes",
          "files",
          "addtaskcollection",
          "terminate",
          "taskcounts",
          "jobpreparationandreleasetaskstatus",
          "resize",
          "stopresize",
          "evaluateautoscale",
          "enableautoscale",
          "disableautoscale",
          "lifetimejobstats",
          "lifetimepoolstats",
          "poolusagemetrics",
          "nodecounts",
          "supportedimages");

  private ScaleSimulation() {}

  public static void main(String[] args) throws Exception {
    List<Integer> sizes = List.of(1000, 14197, 50000);
    double timeScale = 0.02;
    double evictionsPerHour = 0.05;
    String driverHeap = "2g";
    Path out = Path.of("target", "scale-sim").toAbsolutePath();
    for (String arg : args) {
      if (arg.startsWith("--tasks=")) {
        sizes = Arrays.stream(arg.substring(8).split(",")).map(Integer::valueOf).toList();
      } else if (arg.startsWith("--timeScale=")) {
        timeScale = Double.parseDouble(arg.substring(12));
      } else if (arg.startsWith("--spotEvictionsPerHour=")) {
        evictionsPerHour = Double.parseDouble(arg.substring(23));
      } else if (arg.startsWith("--driverHeap=")) {
        driverHeap = arg.substring(13);
      } else if (arg.startsWith("--out=")) {
        out = Path.of(arg.substring(6)).toAbsolutePath();
      } else {
        throw new IllegalArgumentException("unknown argument " + arg);
      }
    }
    double[] measured = measuredProbeSeconds();
    double mean = Arrays.stream(measured).average().orElseThrow();
    System.out.printf(
        Locale.ROOT,
        "Probe durations: %d measured probes of the acoustic example (mean %.3f s CPU), scaled"
            + " x%.0f to a mean of %.0f s (the seed's); clock: %.4f real s per service s;"
            + " Spot evictions %.0f%% per node-hour%n",
        measured.length,
        mean,
        SEED_PROBE_SECONDS / mean,
        SEED_PROBE_SECONDS,
        timeScale,
        100 * evictionsPerHour);
    List<String> rows = new ArrayList<>();
    for (int tasks : sizes) {
      double[] probes = new double[tasks];
      Random random = new Random(20261208L + tasks);
      for (int i = 0; i < tasks; i++) {
        probes[i] = measured[random.nextInt(measured.length)] * SEED_PROBE_SECONDS / mean;
      }
      rows.add(run(probes, timeScale, evictionsPerHour, driverHeap, out.resolve("tasks-" + tasks)));
      System.out.println();
      System.out.println(HEADER);
      rows.forEach(System.out::println);
    }
  }

  private static final String HEADER =
      "| tasks | makespan | ideal | makespan / ideal | Batch requests | requests per task"
          + " | driver heap peak | driver CPU | task end to driver seeing it (median / p95 / max)"
          + " | Spot preemptions |\n|---|---|---|---|---|---|---|---|---|---|";

  /** The acoustic benchmark's measured CPU seconds per probe. */
  static double[] measuredProbeSeconds() throws IOException {
    try (InputStream in = ScaleSimulation.class.getResourceAsStream("probe-times.tsv")) {
      if (in == null) {
        throw new IOException("probe-times.tsv is not on the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8)
          .lines()
          .filter(l -> !l.isBlank() && !l.startsWith("#"))
          .mapToDouble(l -> Double.parseDouble(l.split("\t")[1]))
          .toArray();
    }
  }

  private static String run(
      double[] probes, double timeScale, double evictionsPerHour, String driverHeap, Path dir)
      throws Exception {
    Files.createDirectories(dir);
    Map<String, BatchRestDouble> accounts = new LinkedHashMap<>();
    Map<String, String> keys = new LinkedHashMap<>();
    List<Map<String, Object>> pools = new ArrayList<>();
    for (Account a : ACCOUNTS) {
      String key = BatchRestDouble.newKey();
      BatchRestDouble batch = new BatchRestDouble(a.region(), key).runTaskMainsInThreads().start();
      batch.limits(
          AccountLimits.defaults()
              .withTimeScale(timeScale)
              .withPoolAllocationMode(AccountLimits.PoolAllocationMode.USER_SUBSCRIPTION)
              .withPoolAllocationDelay(Duration.ofMinutes(a.allocationMinutes()))
              .withNodeBootDelay(Duration.ofMinutes(4))
              .withPreemptionRecoveryDelay(Duration.ofMinutes(10)));
      accounts.put(a.region(), batch);
      keys.put(a.region(), key);
      for (PoolSize p : a.pools()) {
        Map<String, Object> pool = new LinkedHashMap<>();
        pool.put("id", p.id());
        pool.put("account", a.region());
        pool.put("vmSize", VM_SIZE);
        pool.put("dedicatedNodes", p.dedicated());
        pool.put("spotNodes", p.spot());
        pool.put("taskSlotsPerNode", SLOTS_PER_NODE);
        pools.add(pool);
      }
    }
    ScheduledExecutorService clock = Executors.newScheduledThreadPool(2);
    try {
      Path parameters = dir.resolve("parameters.json");
      Files.writeString(
          parameters,
          JSON.writeValueAsString(
              Map.of(
                  "jobId",
                  "scalesim",
                  "blobContainer",
                  "rwscale-" + UUID.randomUUID().toString().substring(0, 8),
                  "pools",
                  pools)));
      List<Map<String, Object>> accountEntries = new ArrayList<>();
      accounts.forEach(
          (region, batch) ->
              accountEntries.add(
                  Map.of(
                      "name",
                      region,
                      "region",
                      region,
                      "url",
                      batch.url(),
                      "batchAccountKey",
                      keys.get(region))));
      Path credentials = dir.resolve("credentials.json");
      Files.writeString(
          credentials,
          JSON.writeValueAsString(
              Map.of(
                  "accounts",
                  accountEntries,
                  "storage",
                  Map.of("connectionString", Azurite.connectionString()))));
      Files.setPosixFilePermissions(credentials, PosixFilePermissions.fromString("rw-------"));
      Path probeFile = dir.resolve("probe-seconds.txt");
      StringBuilder lines = new StringBuilder();
      for (double s : probes) {
        lines.append(s).append('\n');
      }
      Files.writeString(probeFile, lines);

      SlotSampler slots = new SlotSampler(accounts, pools, SLOTS_PER_NODE);
      clock.scheduleAtFixedRate(slots::sample, 0, 100, TimeUnit.MILLISECONDS);
      AtomicInteger preemptions = new AtomicInteger();
      long minute = Math.max(1, Math.round(60_000 * timeScale));
      Random chaos = new Random(7);
      double perMinute = evictionsPerHour / 60;
      clock.scheduleAtFixedRate(
          () -> {
            for (Map<String, Object> pool : pools) {
              BatchRestDouble batch = accounts.get((String) pool.get("account"));
              String poolId = (String) pool.get("id");
              batch
                  .nodeStates(poolId)
                  .forEach(
                      (node, state) -> {
                        boolean spot = node.endsWith("_p");
                        boolean up = state.equals("idle") || state.equals("running");
                        if (spot && up && chaos.nextDouble() < perMinute) {
                          if (batch.preemptNode(poolId, node)) {
                            preemptions.incrementAndGet();
                          }
                        }
                      });
            }
          },
          minute,
          minute,
          TimeUnit.MILLISECONDS);

      int pollMs = (int) Math.max(50, Math.round(5000 * timeScale));
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.addAll(
          List.of(
              "--add-opens=java.base/java.util=ALL-UNNAMED",
              "--add-opens=java.base/java.lang=ALL-UNNAMED",
              "--add-opens=java.base/java.nio=ALL-UNNAMED",
              "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
              "-Xmx" + driverHeap,
              "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
              "-cp",
              System.getProperty("java.class.path"),
              ScaleSimDriver.class.getName(),
              "--probeSeconds=" + probeFile,
              "--timeScale=" + timeScale,
              "--runner=AzureBatchRunner",
              "--backend=AZURE",
              "--parametersFile=" + parameters,
              "--credentialsFile=" + credentials,
              "--localWorkDir=" + dir.resolve("redwood"),
              "--taskPollIntervalMs=" + pollMs,
              // One reduce task for the probe count: the bake's tasks are its probes.
              "--shufflePartitions=1",
              "--deletePools=false"));
      Path log = dir.resolve("driver.log");
      System.out.printf(
          Locale.ROOT,
          "%n%d probes: driver log %s, poll every %d ms%n",
          probes.length,
          log,
          pollMs);
      Process driver =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      if (!driver.waitFor(6, TimeUnit.HOURS)) {
        driver.destroyForcibly();
        throw new IllegalStateException("the driver did not finish within 6 hours: see " + log);
      }
      clock.shutdownNow();
      String result =
          Files.readAllLines(log).stream()
              .filter(l -> l.startsWith(ScaleSimDriver.RESULT))
              .findFirst()
              .orElseThrow(
                  () -> new IllegalStateException("the driver printed no result: see " + log));
      Map<String, String> r = new TreeMap<>();
      for (String field : result.substring(ScaleSimDriver.RESULT.length()).trim().split(" ")) {
        String[] kv = field.split("=", 2);
        r.put(kv[0], kv[1]);
      }
      if (!r.get("state").equals("DONE")) {
        throw new IllegalStateException("the run ended " + r.get("state") + ": see " + log);
      }
      return SimulationFigures.of(
              probes.length,
              Long.parseLong(r.get("started")),
              Long.parseLong(r.get("ended")),
              Long.parseLong(r.get("heapPeakBytes")),
              Long.parseLong(r.get("cpuNanos")),
              accounts.values(),
              slots,
              preemptions.get())
          .row();
    } finally {
      clock.shutdownNow();
      accounts.values().forEach(BatchRestDouble::close);
    }
  }

  /** A request's kind: its method and path with entity ids left out. */
  static String kind(RecordedRequest request) {
    StringBuilder path = new StringBuilder();
    for (String segment : request.path().split("/")) {
      if (!segment.isEmpty()) {
        path.append('/').append(OPERATIONS.contains(segment) ? segment : "{}");
      }
    }
    return request.method() + " " + path;
  }
}

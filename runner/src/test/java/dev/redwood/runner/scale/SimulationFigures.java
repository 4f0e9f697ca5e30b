package dev.redwood.runner.scale;

import dev.redwood.runner.batch.azure.restdouble.BatchRestDouble;
import dev.redwood.runner.batch.azure.restdouble.RecordedRequest;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** The figures of one simulated bake, from the driver's own line and the accounts' records. */
record SimulationFigures(
    int tasks,
    long makespanMillis,
    long idealMillis,
    long peakSlots,
    Map<String, Integer> requestsByKind,
    long heapPeakBytes,
    long cpuNanos,
    long[] reportDelaysMillis,
    int preemptions) {

  static SimulationFigures of(
      int tasks,
      long started,
      long ended,
      long heapPeakBytes,
      long cpuNanos,
      Collection<BatchRestDouble> accounts,
      SlotSampler slots,
      int preemptions) {
    double work = 0;
    List<Long> delays = new ArrayList<>();
    Map<String, Integer> kinds = new TreeMap<>();
    for (BatchRestDouble batch : accounts) {
      for (BatchRestDouble.TaskTiming t : batch.taskTimings()) {
        if (!"completed".equals(t.state()) || t.startTime() == null || t.endTime() == null) {
          continue;
        }
        work += t.endTime().toEpochMilli() - t.startTime().toEpochMilli();
        if (t.firstReported() != null) {
          delays.add(t.firstReported().toEpochMilli() - t.endTime().toEpochMilli());
        }
      }
      for (RecordedRequest r : batch.requests()) {
        kinds.merge(ScaleSimulation.kind(r), 1, Integer::sum);
      }
    }
    long[] sorted = delays.stream().mapToLong(Long::longValue).sorted().toArray();
    return new SimulationFigures(
        tasks,
        ended - started,
        slots.idealMillis(started, work),
        slots.peakSlots(),
        kinds,
        heapPeakBytes,
        cpuNanos,
        sorted,
        preemptions);
  }

  int requests() {
    return requestsByKind.values().stream().mapToInt(Integer::intValue).sum();
  }

  private long delay(double quantile) {
    if (reportDelaysMillis.length == 0) {
      return -1;
    }
    int i =
        (int)
            Math.min(
                reportDelaysMillis.length - 1, Math.floor(quantile * reportDelaysMillis.length));
    return reportDelaysMillis[i];
  }

  /** The table row, then the requests by kind, most frequent first. */
  String row() {
    StringBuilder kinds = new StringBuilder();
    requestsByKind.entrySet().stream()
        .sorted(Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder()))
        .limit(5)
        .forEach(
            e ->
                kinds
                    .append(kinds.length() == 0 ? "" : ", ")
                    .append(e.getKey())
                    .append(' ')
                    .append(e.getValue()));
    return String.format(
        Locale.ROOT,
        "| %,d | %.1f s | %.1f s | %.3f | %,d (%s) | %.2f | %d MB | %.1f s | %d / %d / %d ms | %d |",
        tasks,
        makespanMillis / 1000.0,
        idealMillis / 1000.0,
        (double) makespanMillis / idealMillis,
        requests(),
        kinds,
        (double) requests() / tasks,
        heapPeakBytes >> 20,
        cpuNanos / 1e9,
        delay(0.5),
        delay(0.95),
        reportDelaysMillis.length == 0 ? -1 : reportDelaysMillis[reportDelaysMillis.length - 1],
        preemptions);
  }
}

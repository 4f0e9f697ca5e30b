package dev.redwood.runner.scale;

import dev.redwood.runner.batch.azure.restdouble.BatchRestDouble;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The task slots the emulated pools offer over time: nodes that are idle or running, times their
 * slots, sampled on a timer. What the ideal makespan is computed against, so that pools coming up
 * late or losing Spot nodes do not count against the driver.
 */
final class SlotSampler {
  private final Map<String, BatchRestDouble> accounts;
  private final List<Map<String, Object>> pools;
  private final int slotsPerNode;
  private final List<long[]> samples = new ArrayList<>();

  SlotSampler(
      Map<String, BatchRestDouble> accounts, List<Map<String, Object>> pools, int slotsPerNode) {
    this.accounts = accounts;
    this.pools = pools;
    this.slotsPerNode = slotsPerNode;
  }

  void sample() {
    long slots = 0;
    for (Map<String, Object> pool : pools) {
      BatchRestDouble batch = accounts.get((String) pool.get("account"));
      for (String state : batch.nodeStates((String) pool.get("id")).values()) {
        if (state.equals("idle") || state.equals("running")) {
          slots += slotsPerNode;
        }
      }
    }
    synchronized (samples) {
      samples.add(new long[] {System.currentTimeMillis(), slots});
    }
  }

  /**
   * How long, from {@code start} (epoch ms), the sampled slots take to offer {@code work} slot-ms:
   * the makespan of a perfect scheduler with no overhead. After the last sample its slots go on.
   */
  long idealMillis(long start, double work) {
    List<long[]> copy;
    synchronized (samples) {
      copy = new ArrayList<>(samples);
    }
    double done = 0;
    long lastTime = start;
    long lastSlots = 0;
    for (long[] s : copy) {
      if (s[0] <= start) {
        lastSlots = s[1];
        continue;
      }
      double offered = (double) lastSlots * (s[0] - lastTime);
      if (done + offered >= work && lastSlots > 0) {
        return lastTime - start + Math.round((work - done) / lastSlots);
      }
      done += offered;
      lastTime = s[0];
      lastSlots = s[1];
    }
    if (lastSlots == 0) {
      throw new IllegalStateException("no task slots were ever sampled");
    }
    return lastTime - start + Math.round((work - done) / lastSlots);
  }

  /** The most slots sampled at once. */
  long peakSlots() {
    synchronized (samples) {
      return samples.stream().mapToLong(s -> s[1]).max().orElse(0);
    }
  }
}

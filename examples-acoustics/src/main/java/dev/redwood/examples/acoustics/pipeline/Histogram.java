package dev.redwood.examples.acoustics.pipeline;

import java.io.Serializable;

/**
 * A fixed-bin histogram with running moments, mergeable, so scene-wide distributions can be
 * combined from per-probe parts in any order. Values below or above the bins are counted in the
 * first or last bin; min and max stay exact.
 */
public final class Histogram
    implements Serializable, dev.redwood.examples.acoustics.pictures.HistogramChart.Data {
  private static final long serialVersionUID = 1L;

  private final String name;
  private final String unit;
  private final double low;
  private final double width;
  private final long[] counts;
  private long count;
  private double sum;
  private double sumOfSquares;
  private double min = Double.POSITIVE_INFINITY;
  private double max = Double.NEGATIVE_INFINITY;

  public Histogram(String name, String unit, double low, double high, int bins) {
    if (!(high > low) || bins < 1) {
      throw new IllegalArgumentException("bad histogram range for " + name);
    }
    this.name = name;
    this.unit = unit;
    this.low = low;
    this.width = (high - low) / bins;
    this.counts = new long[bins];
  }

  public String name() {
    return name;
  }

  public String unit() {
    return unit;
  }

  @Override
  public String title() {
    return name + " (" + unit + ")";
  }

  /** Adds a value; NaN is ignored (a parameter not measured at that cell). */
  public void add(double value) {
    if (Double.isNaN(value)) {
      return;
    }
    int bin = (int) Math.floor((value - low) / width);
    counts[Math.max(0, Math.min(counts.length - 1, bin))]++;
    count++;
    sum += value;
    sumOfSquares += value * value;
    min = Math.min(min, value);
    max = Math.max(max, value);
  }

  /** Adds another histogram of the same bins into this one. */
  public void merge(Histogram other) {
    if (other.counts.length != counts.length || other.low != low || other.width != width) {
      throw new IllegalArgumentException("histograms of " + name + " have different bins");
    }
    for (int i = 0; i < counts.length; i++) {
      counts[i] += other.counts[i];
    }
    count += other.count;
    sum += other.sum;
    sumOfSquares += other.sumOfSquares;
    min = Math.min(min, other.min);
    max = Math.max(max, other.max);
  }

  public long count() {
    return count;
  }

  public double mean() {
    return count == 0 ? Double.NaN : sum / count;
  }

  public double standardDeviation() {
    if (count < 2) {
      return Double.NaN;
    }
    double mean = mean();
    return Math.sqrt(Math.max(0, sumOfSquares / count - mean * mean));
  }

  public double min() {
    return count == 0 ? Double.NaN : min;
  }

  public double max() {
    return count == 0 ? Double.NaN : max;
  }

  /** The q-quantile (0..1), interpolated within its bin and clamped to [min, max]. */
  @Override
  public double quantile(double q) {
    if (count == 0) {
      return Double.NaN;
    }
    double target = q * count;
    long seen = 0;
    for (int i = 0; i < counts.length; i++) {
      if (seen + counts[i] >= target && counts[i] > 0) {
        double within = (target - seen) / counts[i];
        double value = low + (i + within) * width;
        return Math.max(min, Math.min(max, value));
      }
      seen += counts[i];
    }
    return max;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Histogram h
        && name.equals(h.name)
        && low == h.low
        && width == h.width
        && java.util.Arrays.equals(counts, h.counts)
        && count == h.count
        && sum == h.sum
        && sumOfSquares == h.sumOfSquares;
  }

  @Override
  public int hashCode() {
    return name.hashCode() * 31 + java.util.Arrays.hashCode(counts);
  }

  @Override
  public int bins() {
    return counts.length;
  }

  @Override
  public long binCount(int bin) {
    return counts[bin];
  }

  @Override
  public double binLow(int bin) {
    return low + bin * width;
  }

  @Override
  public double binHigh(int bin) {
    return low + (bin + 1) * width;
  }
}

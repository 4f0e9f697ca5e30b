package dev.redwood.examples.acoustics.pipeline;

import dev.redwood.examples.acoustics.parameters.CellParameters;
import dev.redwood.examples.acoustics.parameters.ProbeField;
import java.io.Serializable;
import java.util.List;
import java.util.Locale;

/**
 * Scene-wide distributions of the baked parameters over every (probe, cell) pair, plus totals of
 * the bake: how many probes, cells reached, encoded bytes and simulation time. One instance per
 * probe, merged by {@link SceneStatisticsFn}.
 */
public final class SceneStatistics implements Serializable {
  private static final long serialVersionUID = 1L;

  private final Histogram onset = new Histogram("onset delay", "ms", 0, 300, 150);
  private final Histogram direct = new Histogram("direct loudness", "dB", -80, 20, 100);
  private final Histogram reflections = new Histogram("reflections loudness", "dB", -80, 20, 100);
  private final Histogram edt = new Histogram("early decay time", "s", 0, 3, 150);
  private final Histogram t30 = new Histogram("reverberation time T30/T20", "s", 0, 3, 150);
  private long probes;
  private long cells;
  private long encodedBytes;
  private double simulationSeconds;

  /** The statistics of one baked probe. */
  public static SceneStatistics ofProbe(
      ProbeField field, int encodedBytes, double simulationSeconds) {
    SceneStatistics s = new SceneStatistics();
    s.probes = 1;
    s.encodedBytes = encodedBytes;
    s.simulationSeconds = simulationSeconds;
    for (int cell = 0; cell < field.grid().cellCount(); cell++) {
      CellParameters p = field.get(cell);
      if (p != null) {
        s.cells++;
        s.onset.add(p.onsetDelay() * 1e3);
        s.direct.add(p.directLoudness());
        s.reflections.add(p.reflectionsLoudness());
        s.edt.add(p.earlyDecayTime());
        s.t30.add(p.reverberationTime());
      }
    }
    return s;
  }

  public void merge(SceneStatistics other) {
    onset.merge(other.onset);
    direct.merge(other.direct);
    reflections.merge(other.reflections);
    edt.merge(other.edt);
    t30.merge(other.t30);
    probes += other.probes;
    cells += other.cells;
    encodedBytes += other.encodedBytes;
    simulationSeconds += other.simulationSeconds;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SceneStatistics s
        && histograms().equals(s.histograms())
        && probes == s.probes
        && cells == s.cells
        && encodedBytes == s.encodedBytes
        && simulationSeconds == s.simulationSeconds;
  }

  @Override
  public int hashCode() {
    return histograms().hashCode();
  }

  public List<Histogram> histograms() {
    return List.of(onset, direct, reflections, edt, t30);
  }

  public Histogram directLoudness() {
    return direct;
  }

  public Histogram reflectionsLoudness() {
    return reflections;
  }

  public Histogram reverberationTime() {
    return t30;
  }

  public long probes() {
    return probes;
  }

  public long cells() {
    return cells;
  }

  public long encodedBytes() {
    return encodedBytes;
  }

  public double simulationSeconds() {
    return simulationSeconds;
  }

  /** A plain-text summary: totals, then one line per parameter. */
  public String summary() {
    StringBuilder out = new StringBuilder();
    out.append(
        String.format(
            Locale.ROOT,
            "%d probes, %d (probe, cell) pairs reached, %d encoded bytes (%.1f per pair), %.1f s of simulation (%.2f s per probe)%n",
            probes,
            cells,
            encodedBytes,
            cells == 0 ? 0.0 : (double) encodedBytes / cells,
            simulationSeconds,
            probes == 0 ? 0.0 : simulationSeconds / probes));
    out.append(
        String.format(
            Locale.ROOT,
            "%-26s %5s %10s %9s %9s %9s %9s %9s %9s%n",
            "parameter",
            "unit",
            "count",
            "mean",
            "min",
            "p10",
            "median",
            "p90",
            "max"));
    for (Histogram h : histograms()) {
      out.append(
          String.format(
              Locale.ROOT,
              "%-26s %5s %10d %9.3f %9.3f %9.3f %9.3f %9.3f %9.3f%n",
              h.name(),
              h.unit(),
              h.count(),
              h.mean(),
              h.min(),
              h.quantile(0.1),
              h.quantile(0.5),
              h.quantile(0.9),
              h.max()));
    }
    return out.toString();
  }

  /** Every histogram's bins as CSV: parameter, unit, bin low, bin high, count. */
  public String csv() {
    StringBuilder out = new StringBuilder("parameter,unit,low,high,count\n");
    for (Histogram h : histograms()) {
      for (int b = 0; b < h.bins(); b++) {
        out.append(
            String.format(
                Locale.ROOT,
                "%s,%s,%.4f,%.4f,%d%n",
                h.name(),
                h.unit(),
                h.binLow(b),
                h.binHigh(b),
                h.binCount(b)));
      }
    }
    return out.toString();
  }
}

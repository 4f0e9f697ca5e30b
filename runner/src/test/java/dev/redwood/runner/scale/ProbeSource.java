package dev.redwood.runner.scale;

import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.DoubleCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.io.BoundedSource;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.values.KV;

/**
 * The probes of a simulated bake, (probe id, service seconds its simulation takes), read from a
 * source that splits into one source per probe whatever size the runner asks for: one probe is one
 * Batch task, as in the seed's bake.
 */
final class ProbeSource extends BoundedSource<KV<Integer, Double>> {
  /** The durations of this source's probes, whose ids start at {@code firstId}. */
  private final double[] seconds;

  private final int firstId;

  ProbeSource(double[] seconds) {
    this(seconds, 0);
  }

  private ProbeSource(double[] seconds, int firstId) {
    this.seconds = seconds;
    this.firstId = firstId;
  }

  @Override
  public List<ProbeSource> split(long desiredBundleSizeBytes, PipelineOptions options) {
    List<ProbeSource> probes = new ArrayList<>(seconds.length);
    for (int i = 0; i < seconds.length; i++) {
      // Each split holds only its own probe, so a task's spec does not carry the whole bake.
      probes.add(new ProbeSource(new double[] {seconds[i]}, firstId + i));
    }
    return probes;
  }

  @Override
  public long getEstimatedSizeBytes(PipelineOptions options) {
    return 12L * seconds.length;
  }

  @Override
  public Coder<KV<Integer, Double>> getOutputCoder() {
    return KvCoder.of(VarIntCoder.of(), DoubleCoder.of());
  }

  @Override
  public BoundedReader<KV<Integer, Double>> createReader(PipelineOptions options) {
    ProbeSource source = this;
    return new BoundedReader<>() {
      private int next = -1;

      @Override
      public boolean start() {
        next = 0;
        return next < seconds.length;
      }

      @Override
      public boolean advance() {
        next++;
        return next < seconds.length;
      }

      @Override
      public KV<Integer, Double> getCurrent() {
        if (next < 0 || next >= seconds.length) {
          throw new NoSuchElementException();
        }
        return KV.of(firstId + next, seconds[next]);
      }

      @Override
      public void close() {}

      @Override
      public BoundedSource<KV<Integer, Double>> getCurrentSource() {
        return source;
      }
    };
  }
}

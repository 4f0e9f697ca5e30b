package dev.redwood.examples.rtm.pipeline;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.io.BoundedSource;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * A bounded source of shots (any serializable description: a geometry, a SEG-Y path) that splits
 * into one split per shot, whatever bundle size the runner asks for. A shot is minutes of CPU and a
 * few bytes of description, so size-based splitting would put many shots in one task; one shot per
 * split makes each shot its own Batch task, the way AzureClusterlessHPC ran one task per shot, and
 * lets the scheduler balance shots over nodes.
 */
public final class ShotSource<T> extends BoundedSource<T> {
  private static final long serialVersionUID = 1L;

  /** Nominal size of one shot for the runner's split planning. */
  private static final long BYTES_PER_SHOT = 1 << 20;

  private final ArrayList<T> shots;
  private final Coder<T> coder;

  private ShotSource(List<T> shots, Coder<T> coder) {
    this.shots = new ArrayList<>(shots);
    this.coder = coder;
  }

  public static <T> ShotSource<T> of(List<T> shots, Coder<T> coder) {
    if (shots.isEmpty()) {
      throw new IllegalArgumentException("no shots to process");
    }
    return new ShotSource<>(shots, coder);
  }

  @Override
  public List<? extends BoundedSource<T>> split(
      long desiredBundleSizeBytes, PipelineOptions options) {
    if (shots.size() == 1) {
      return List.of(this);
    }
    List<ShotSource<T>> splits = new ArrayList<>(shots.size());
    for (T shot : shots) {
      splits.add(new ShotSource<>(List.of(shot), coder));
    }
    return splits;
  }

  @Override
  public long getEstimatedSizeBytes(PipelineOptions options) {
    return BYTES_PER_SHOT * shots.size();
  }

  @Override
  public Coder<T> getOutputCoder() {
    return coder;
  }

  @Override
  public BoundedReader<T> createReader(PipelineOptions options) {
    return new Reader<>(this);
  }

  private static final class Reader<T> extends BoundedReader<T> {
    private final ShotSource<T> source;
    private int index = -1;

    Reader(ShotSource<T> source) {
      this.source = source;
    }

    @Override
    public boolean start() {
      return advance();
    }

    @Override
    public boolean advance() {
      index++;
      return index < source.shots.size();
    }

    @Override
    public T getCurrent() {
      if (index < 0 || index >= source.shots.size()) {
        throw new NoSuchElementException();
      }
      return source.shots.get(index);
    }

    @Override
    public void close() throws IOException {}

    @Override
    public BoundedSource<T> getCurrentSource() {
      return source;
    }
  }
}

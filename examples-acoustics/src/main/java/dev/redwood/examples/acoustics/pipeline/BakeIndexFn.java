package dev.redwood.examples.acoustics.pipeline;

import dev.redwood.examples.acoustics.encoding.BakeIndex;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.transforms.Combine;

/**
 * Combines the probes' index entries (position, encoded size, CRC) into the bake's index. The index
 * fixes every probe's offset in the file before any probe data is written.
 */
public final class BakeIndexFn
    extends Combine.CombineFn<BakeIndex.Entry, BakeIndexFn.Entries, BakeIndex> {

  /** The accumulator: entries gathered so far. */
  public static final class Entries implements Serializable {
    private static final long serialVersionUID = 1L;
    final List<BakeIndex.Entry> entries = new ArrayList<>();

    @Override
    public boolean equals(Object o) {
      return o instanceof Entries other && entries.equals(other.entries);
    }

    @Override
    public int hashCode() {
      return entries.hashCode();
    }
  }

  @Override
  public Entries createAccumulator() {
    return new Entries();
  }

  @Override
  public Entries addInput(Entries accumulator, BakeIndex.Entry input) {
    accumulator.entries.add(input);
    return accumulator;
  }

  @Override
  public Entries mergeAccumulators(Iterable<Entries> accumulators) {
    Entries merged = new Entries();
    for (Entries a : accumulators) {
      merged.entries.addAll(a.entries);
    }
    return merged;
  }

  @Override
  public BakeIndex extractOutput(Entries accumulator) {
    return new BakeIndex(accumulator.entries);
  }

  @Override
  public Coder<Entries> getAccumulatorCoder(CoderRegistry registry, Coder<BakeIndex.Entry> input) {
    return SerializableCoder.of(Entries.class);
  }

  @Override
  public Coder<BakeIndex> getDefaultOutputCoder(
      CoderRegistry registry, Coder<BakeIndex.Entry> input) {
    return SerializableCoder.of(BakeIndex.class);
  }
}

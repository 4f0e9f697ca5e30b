package dev.redwood.examples.acoustics.pipeline;

import dev.redwood.examples.acoustics.encoding.BakeFile;
import dev.redwood.examples.acoustics.encoding.BakeIndex;
import dev.redwood.examples.acoustics.scene.Probe;
import java.io.Serializable;

/**
 * One probe after baking: its encoded parameter fields, which go into the bake file, and its
 * statistics, which go into the scene's.
 */
public record BakedProbe(Probe probe, byte[] encoded, SceneStatistics statistics)
    implements Serializable {

  // Records compare arrays by identity; runners that check elements for mutation compare values.
  @Override
  public boolean equals(Object o) {
    return o instanceof BakedProbe other
        && probe.equals(other.probe)
        && java.util.Arrays.equals(encoded, other.encoded)
        && statistics.equals(other.statistics);
  }

  @Override
  public int hashCode() {
    return probe.hashCode() * 31 + java.util.Arrays.hashCode(encoded);
  }

  /** This probe's line of the bake index. */
  public BakeIndex.Entry indexEntry() {
    return new BakeIndex.Entry(
        probe.id(), probe.x(), probe.y(), encoded.length, BakeFile.crc(encoded));
  }
}

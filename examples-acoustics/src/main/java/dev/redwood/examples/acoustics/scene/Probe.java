package dev.redwood.examples.acoustics.scene;

import java.io.Serializable;

/** A listener location of the bake: one independent simulation, with the probe as the source. */
public record Probe(int id, double x, double y) implements Serializable {
  @Override
  public String toString() {
    return String.format("probe %d at (%.2f, %.2f) m", id, x, y);
  }
}

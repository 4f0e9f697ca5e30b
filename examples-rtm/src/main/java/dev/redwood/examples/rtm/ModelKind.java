package dev.redwood.examples.rtm;

/** Which velocity model the examples run on ({@code --model}). */
public enum ModelKind {
  /** Generated: water over faulted, folded sediments with a salt body. */
  MARMOUSI_LIKE,
  /** Generated: water over five flat sediment layers. */
  LAYERED,
  /** Generated: 1.5 km/s over 2.5 km/s, interface at 60% of the depth. */
  TWO_LAYER,
  /** Loaded from a float32 grid ({@code --modelFile}). */
  FILE
}

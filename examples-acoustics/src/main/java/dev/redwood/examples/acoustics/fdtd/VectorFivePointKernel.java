package dev.redwood.examples.acoustics.fdtd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The stencil update with the JDK Vector API, as many cells per instruction as the CPU's widest
 * vectors hold. Only loaded when the JVM has the {@code jdk.incubator.vector} module (see {@link
 * FivePointKernel#best()}). Same operations in the same order as the plain loop, so the same
 * results.
 */
final class VectorFivePointKernel implements FivePointKernel {
  private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

  @Override
  public void update(
      float[] a, float[] b, float[] c, float[] cur, float[] next, int from, int to, int nx) {
    int i = from;
    int upper = from + SPECIES.loopBound(to - from);
    for (; i < upper; i += SPECIES.length()) {
      FloatVector neighbours =
          FloatVector.fromArray(SPECIES, cur, i - 1)
              .add(FloatVector.fromArray(SPECIES, cur, i + 1))
              .add(FloatVector.fromArray(SPECIES, cur, i - nx))
              .add(FloatVector.fromArray(SPECIES, cur, i + nx));
      FloatVector.fromArray(SPECIES, a, i)
          .mul(FloatVector.fromArray(SPECIES, cur, i))
          .add(FloatVector.fromArray(SPECIES, c, i).mul(neighbours))
          .sub(FloatVector.fromArray(SPECIES, b, i).mul(FloatVector.fromArray(SPECIES, next, i)))
          .intoArray(next, i);
    }
    for (; i < to; i++) {
      next[i] =
          a[i] * cur[i]
              + c[i] * (cur[i - 1] + cur[i + 1] + cur[i - nx] + cur[i + nx])
              - b[i] * next[i];
    }
  }

  @Override
  public String name() {
    return "Vector API, " + SPECIES.length() + " floats per vector";
  }
}

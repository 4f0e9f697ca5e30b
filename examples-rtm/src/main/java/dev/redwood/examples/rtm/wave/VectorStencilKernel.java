package dev.redwood.examples.rtm.wave;

import static dev.redwood.examples.rtm.wave.StencilWeights.RADIUS;
import static dev.redwood.examples.rtm.wave.StencilWeights.W0;
import static dev.redwood.examples.rtm.wave.StencilWeights.W1;
import static dev.redwood.examples.rtm.wave.StencilWeights.W2;
import static dev.redwood.examples.rtm.wave.StencilWeights.W3;
import static dev.redwood.examples.rtm.wave.StencilWeights.W4;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The stencil with the JDK Vector API: each segment of cells is swept in SIMD registers along depth
 * (the contiguous axis), the vertical neighbours being unaligned loads of the same column and the
 * horizontal ones loads of the neighbouring columns. The undamped and damped cells of a segment
 * share one loop, each vector choosing its form with a branch that changes once per segment: a
 * loop's fixed cost weighs more here than in C, and two loops per segment measured 9-12% slower on
 * 300^2 and 500^2 grids. The last vector of a segment that does not fill a register is computed
 * whole and blended with what {@code next} already holds past the segment, so its end costs one
 * vector step, not up to seven scalar ones (3-6% on 300^2 and 500^2); only where that vector would
 * read past the array, at the grid's far edge, does the scalar arithmetic of {@link
 * ScalarStencilKernel} finish the segment.
 *
 * <p>Loaded only when the JVM has {@code jdk.incubator.vector} ({@link StencilKernels} checks), so
 * nothing else in the module depends on the incubator module being present.
 */
public final class VectorStencilKernel extends ColumnSweepKernel {

  /**
   * 256-bit registers (8 floats) even where 512-bit ones exist: most of the stencil's loads are
   * unaligned (the vertical neighbours are shifted by one to four floats, and Java does not align
   * arrays to 64 bytes), and a 64-byte load nearly always straddles two cache lines. On this
   * machine's AVX-512 cores, which split 512-bit work in two anyway, 8 lanes measured up to 20%
   * faster than 16.
   */
  private static final VectorSpecies<Float> SPECIES =
      FloatVector.SPECIES_PREFERRED.vectorBitSize() > 256
          ? FloatVector.SPECIES_256
          : FloatVector.SPECIES_PREFERRED;

  private static final int LANES = SPECIES.length();
  private static final float[] LANE_INDEX = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};

  // The loop body is written out in full, with no helper methods returning vectors: the Vector
  // API is fast only when everything is inlined into one compiled loop, and a helper that the JIT
  // declines to inline (its inlining budget runs out when step() pulls these methods in) makes
  // every vector a heap object, which is tens of times slower.
  //
  // The weights are broadcast into locals before the loop, not kept in static final vectors: C2
  // (JDK 17) reads a static vector constant from its boxed payload at every use inside the loop,
  // seven more loads per eight cells beside the stencil's twenty, where locals are broadcast once
  // into registers. That alone measured 10-20% faster on 600^2 and 1000^2 grids.

  @Override
  void update(
      float[] current,
      float[] previous,
      float[] next,
      WaveCoefficients k,
      int from,
      int split,
      int to,
      int n) {
    float[] a = k.a();
    float[] b = k.b();
    float[] c = k.c();
    FloatVector ring1 = FloatVector.broadcast(SPECIES, W1);
    FloatVector ring2 = FloatVector.broadcast(SPECIES, W2);
    FloatVector ring3 = FloatVector.broadcast(SPECIES, W3);
    FloatVector ring4 = FloatVector.broadcast(SPECIES, W4);
    FloatVector centre = FloatVector.broadcast(SPECIES, 2 * W0);
    FloatVector tiny = FloatVector.broadcast(SPECIES, FLUSH_BELOW);
    FloatVector zero = FloatVector.zero(SPECIES);
    FloatVector lane = FloatVector.fromArray(SPECIES, LANE_INDEX, 0);
    // Vectors starting before this lie wholly in the undamped cells; the one across the split
    // takes the damped form, which is exact for its undamped lanes too.
    int undampedBefore = split - LANES + 1;
    int i = from;
    for (int end = vectorEnd(current, to, n); i < end; i += LANES) {
      FloatVector u = FloatVector.fromArray(SPECIES, current, i);
      FloatVector lap = u.mul(centre);
      lap =
          FloatVector.fromArray(SPECIES, current, i - 1)
              .add(FloatVector.fromArray(SPECIES, current, i + 1))
              .add(FloatVector.fromArray(SPECIES, current, i - n))
              .add(FloatVector.fromArray(SPECIES, current, i + n))
              .fma(ring1, lap);
      lap =
          FloatVector.fromArray(SPECIES, current, i - 2)
              .add(FloatVector.fromArray(SPECIES, current, i + 2))
              .add(FloatVector.fromArray(SPECIES, current, i - 2 * n))
              .add(FloatVector.fromArray(SPECIES, current, i + 2 * n))
              .fma(ring2, lap);
      lap =
          FloatVector.fromArray(SPECIES, current, i - 3)
              .add(FloatVector.fromArray(SPECIES, current, i + 3))
              .add(FloatVector.fromArray(SPECIES, current, i - 3 * n))
              .add(FloatVector.fromArray(SPECIES, current, i + 3 * n))
              .fma(ring3, lap);
      lap =
          FloatVector.fromArray(SPECIES, current, i - 4)
              .add(FloatVector.fromArray(SPECIES, current, i + 4))
              .add(FloatVector.fromArray(SPECIES, current, i - 4 * n))
              .add(FloatVector.fromArray(SPECIES, current, i + 4 * n))
              .fma(ring4, lap);
      FloatVector p = FloatVector.fromArray(SPECIES, previous, i);
      FloatVector rest;
      if (i < undampedBefore) {
        rest = u.add(u).sub(p);
      } else {
        rest =
            FloatVector.fromArray(SPECIES, a, i)
                .mul(u)
                .sub(FloatVector.fromArray(SPECIES, b, i).mul(p));
      }
      FloatVector update = FloatVector.fromArray(SPECIES, c, i).fma(lap, rest);
      update = update.blend(zero, update.abs().compare(VectorOperators.LT, tiny));
      if (i > to - LANES) {
        update =
            FloatVector.fromArray(SPECIES, next, i)
                .blend(update, lane.compare(VectorOperators.LT, (float) (to - i)));
      }
      update.intoArray(next, i);
    }
    for (; i < to; i++) {
      next[i] =
          ScalarStencilKernel.flush(
              a[i] * current[i]
                  - b[i] * previous[i]
                  + c[i] * ScalarStencilKernel.laplacian(current, i, n));
    }
  }

  /**
   * Where vector steps over a segment ending at {@code to} must stop: at {@code to} when a last,
   * partial vector there stays inside the array (its farthest read is the neighbour {@link
   * StencilWeights#RADIUS} columns on), else after the last full vector.
   */
  private static int vectorEnd(float[] current, int to, int n) {
    return to - 1 + RADIUS * n + LANES <= current.length ? to : to - LANES + 1;
  }

  @Override
  public String name() {
    return "Java Vector API (" + LANES + " lanes)";
  }
}

package dev.redwood.examples.acoustics.fdtd;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The inner loop of the simulation, p+ = a p + c (sum of the four neighbours) - b p-, over a range
 * of cells: nearly all of a probe's time is spent here. Two implementations compute the same floats
 * (same operations in the same order, no fused multiply-add), so a bake does not depend on which
 * one a worker used:
 *
 * <ul>
 *   <li>{@code VectorFivePointKernel}: the JDK Vector API, several times faster where the JVM was
 *       started with {@code --add-modules=jdk.incubator.vector} (on Redwood, pass {@code
 *       --workerJvmFlags=--add-modules=jdk.incubator.vector});
 *   <li>{@link PlainFivePointKernel}: plain loops, everywhere else.
 * </ul>
 */
public interface FivePointKernel {
  String VECTOR_MODULE = "jdk.incubator.vector";

  /** One time step over cells [from, to): next holds p- on entry and p+ on return. */
  void update(float[] a, float[] b, float[] c, float[] cur, float[] next, int from, int to, int nx);

  String name();

  /** The fastest kernel this JVM can run. */
  static FivePointKernel best() {
    return Holder.BEST;
  }

  /** Picks the kernel once per JVM. */
  final class Holder {
    private static final Logger LOG = LoggerFactory.getLogger(FivePointKernel.class);
    static final FivePointKernel BEST = pick();

    private Holder() {}

    private static FivePointKernel pick() {
      if (ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent()) {
        try {
          // Loaded by name: linking it without the module would fail.
          FivePointKernel vector =
              (FivePointKernel)
                  Class.forName("dev.redwood.examples.acoustics.fdtd.VectorFivePointKernel")
                      .getDeclaredConstructor()
                      .newInstance();
          LOG.debug("Simulation kernel: {}", vector.name());
          return vector;
        } catch (ReflectiveOperationException | LinkageError e) {
          LOG.warn(
              "The Vector API module is present but its kernel failed to load; using plain loops",
              e);
        }
      } else {
        LOG.info(
            "Simulation kernel: plain loops (start the JVM with --add-modules={} for the faster"
                + " Vector API kernel)",
            VECTOR_MODULE);
      }
      return new PlainFivePointKernel();
    }
  }
}

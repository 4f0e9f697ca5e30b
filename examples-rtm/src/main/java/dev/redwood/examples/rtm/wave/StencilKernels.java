package dev.redwood.examples.rtm.wave;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Picks the stencil kernel for this JVM: the Vector API kernel when {@code jdk.incubator.vector} is
 * in the boot layer (the JVM was started with {@code --add-modules=jdk.incubator.vector}), plain
 * loops otherwise. The vector class is loaded by name so that a JVM without the module never links
 * against it.
 */
public final class StencilKernels {
  private static final Logger LOG = LoggerFactory.getLogger(StencilKernels.class);
  private static final String VECTOR_MODULE = "jdk.incubator.vector";
  private static final StencilKernel BEST = choose();

  private StencilKernels() {}

  /** The fastest kernel this JVM can run. */
  public static StencilKernel best() {
    return BEST;
  }

  /** Whether the JVM was started with the Vector API module. */
  public static boolean vectorApiAvailable() {
    return ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent();
  }

  private static StencilKernel choose() {
    if (!vectorApiAvailable()) {
      LOG.warn(
          "{} is not in this JVM (start it with --add-modules={}); the stencil runs in plain"
              + " Java loops, several times slower",
          VECTOR_MODULE,
          VECTOR_MODULE);
      return new ScalarStencilKernel();
    }
    try {
      StencilKernel kernel =
          (StencilKernel)
              Class.forName(StencilKernels.class.getPackageName() + ".VectorStencilKernel")
                  .getDeclaredConstructor()
                  .newInstance();
      LOG.debug("stencil kernel: {}", kernel.name());
      return kernel;
    } catch (ReflectiveOperationException | LinkageError e) {
      LOG.warn(
          "the Vector API kernel could not be loaded ({}); using plain Java loops", e.toString());
      return new ScalarStencilKernel();
    }
  }
}

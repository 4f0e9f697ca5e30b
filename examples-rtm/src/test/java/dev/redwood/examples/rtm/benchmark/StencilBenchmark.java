package dev.redwood.examples.rtm.benchmark;

import dev.redwood.examples.rtm.wave.PaddedGrid;
import dev.redwood.examples.rtm.wave.ScalarStencilKernel;
import dev.redwood.examples.rtm.wave.StencilKernel;
import dev.redwood.examples.rtm.wave.StencilKernels;
import dev.redwood.examples.rtm.wave.WaveCoefficients;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Grid-point updates per second of the stencil kernel on one core, beside a C reference kernel
 * (src/test/c/stencil8.c, the same update on the same arrays) that this program compiles with
 * {@code gcc -O3 -march=native} and runs; prints the ratio and checks that both produced the same
 * wavefield; both one step per sweep of the grid and two ({@link StencilKernel#stepTwice}, which
 * modelling uses). Then, unless {@code --skipExample}, runs the default RTM example and prints
 * shots per minute.
 *
 * <pre>mvn -B -q -Prtm-benchmark -pl examples-rtm -am test-compile exec:exec@rtm-benchmark</pre>
 */
public final class StencilBenchmark {

  /**
   * Kernels are timed by the CPU time of their thread (the C side likewise), so that other work
   * sharing the machine's two cores does not count against either.
   */
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  /** Alternating C / Java rounds per grid size; each side keeps its best. */
  private static final int ROUNDS = 4;

  private StencilBenchmark() {}

  public static void main(String[] args) throws Exception {
    boolean skipExample = false;
    List<String> exampleArgs = new ArrayList<>();
    int[] sizes = {1000, 2000, 4000};
    for (String arg : args) {
      if (arg.equals("--skipExample")) {
        skipExample = true;
      } else if (arg.startsWith("--sizes=")) {
        String[] parts = arg.substring("--sizes=".length()).split(",");
        sizes = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
          sizes[i] = Integer.parseInt(parts[i].trim());
        }
      } else {
        exampleArgs.add(arg);
      }
    }
    Path work = Path.of("target", "benchmark");
    Files.createDirectories(work);
    Path binary = compileReference(work);

    StencilKernel best = StencilKernels.best();
    System.out.printf(
        "Stencil kernel, 2D 8th order float32 leapfrog, one core, grid-point updates per CPU"
            + " second of the thread (best of %d alternating runs each)%n",
        ROUNDS);
    System.out.printf(
        "%-10s %-28s %11s %10s %10s %8s%n",
        "grid", "kernel", "steps/sweep", "Gpts/s", "C Gpts/s", "Java/C");
    for (int size : sizes) {
      Case c = Case.of(size);
      // Even, so that both schedules take the same steps.
      int steps = 2 * (int) Math.max(10, Math.min(500, 1.5e9 / c.updatesPerStep()));
      Path input = work.resolve("stencil-" + size + ".in");
      Path output = work.resolve("stencil-" + size + ".out");
      c.write(input);
      for (int perSweep = 1; perSweep <= 2; perSweep++) {
        // Rounds alternate C and Java so both see the same machine load (the cores are shared);
        // each keeps its best round.
        double cRate = 0;
        Timing javaRun = null;
        // One untimed Java run first: within its first second or so the JIT compiles the kernel,
        // drops that code and compiles it again (seen with -XX:+PrintAssembly).
        c.run(best, steps, perSweep);
        for (int round = 0; round < ROUNDS; round++) {
          cRate = Math.max(cRate, runReference(binary, input, output, steps, perSweep));
          Timing t = c.run(best, steps, perSweep);
          if (javaRun == null || t.rate > javaRun.rate) {
            javaRun = t;
          }
        }
        float[] cField = readField(output, c.grid.size());
        // Every run computes the same field; the work array holds the last one.
        double maxDiff = maxRelativeDifference(javaRun.field, cField);
        System.out.printf(
            "%-10s %-28s %11d %10.3f %10.3f %8.2f   (fields agree to %.1e)%n",
            size + "^2",
            best.name(),
            perSweep,
            javaRun.rate / 1e9,
            cRate / 1e9,
            javaRun.rate / cRate,
            maxDiff);
        if (maxDiff > 1e-3) {
          throw new IllegalStateException(
              "Java and C wavefields differ by " + maxDiff + ": not the same stencil");
        }
        if (perSweep == 1 && size == sizes[0] && !(best instanceof ScalarStencilKernel)) {
          int few = 2 * Math.max(10, steps / 10);
          c.run(new ScalarStencilKernel(), few, 1); // JIT warm-up
          Timing scalar = c.run(new ScalarStencilKernel(), few, 1);
          System.out.printf(
              "%-10s %-28s %11d %10.3f %10.3f %8.2f%n",
              size + "^2",
              "scalar Java (fallback)",
              1,
              scalar.rate / 1e9,
              cRate / 1e9,
              scalar.rate / cRate);
        }
      }
      Files.deleteIfExists(input);
      Files.deleteIfExists(output);
    }
    if (!skipExample) {
      ShotsPerMinute.run(exampleArgs);
    }
  }

  private static Path compileReference(Path work) throws IOException, InterruptedException {
    Path source = Path.of("src", "test", "c", "stencil8.c");
    Path binary = work.resolve("stencil8").toAbsolutePath();
    Process gcc =
        new ProcessBuilder(
                "gcc", "-O3", "-march=native", "-o", binary.toString(), source.toString(), "-lm")
            .inheritIO()
            .start();
    if (gcc.waitFor() != 0) {
      throw new IllegalStateException("gcc failed to compile " + source);
    }
    return binary;
  }

  private static double runReference(Path binary, Path input, Path output, int steps, int perSweep)
      throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(
                binary.toString(),
                input.toString(),
                output.toString(),
                "" + steps,
                "1",
                "" + perSweep)
            .redirectErrorStream(true)
            .start();
    String text = new String(p.getInputStream().readAllBytes()).trim();
    if (p.waitFor() != 0) {
      throw new IllegalStateException("C reference failed: " + text);
    }
    double seconds = 0;
    long updates = 0;
    for (String field : text.split("\\s+")) {
      if (field.startsWith("seconds=")) {
        seconds = Double.parseDouble(field.substring(8));
      } else if (field.startsWith("updates=")) {
        updates = Long.parseLong(field.substring(8));
      }
    }
    return updates / seconds;
  }

  private static float[] readField(Path path, int count) throws IOException {
    ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(path)).order(ByteOrder.nativeOrder());
    float[] field = new float[count];
    bytes.asFloatBuffer().get(field);
    return field;
  }

  private static double maxRelativeDifference(float[] x, float[] y) {
    double scale = 0;
    double diff = 0;
    for (int i = 0; i < x.length; i++) {
      scale = Math.max(scale, Math.abs(x[i]));
      diff = Math.max(diff, Math.abs(x[i] - y[i]));
    }
    return diff / scale;
  }

  private record Timing(double rate, float[] field) {}

  /**
   * One benchmark grid: a velocity increasing with depth (1.5 to 4.5 km/s) with a 40-cell sponge,
   * dt at 90% of the CFL limit, and a Gaussian pulse in the middle to propagate. Each run copies
   * the starting fields into the two work arrays, allocated once per grid as the C side allocates
   * its own once, so that no round shares the machine with the collector's work on fresh 16-64 MB
   * arrays.
   */
  private record Case(
      PaddedGrid grid,
      WaveCoefficients coefficients,
      float[] u0,
      float[] p0,
      float[] uWork,
      float[] pWork) {

    static Case of(int size) {
      int sponge = 40;
      int n = size - 2 * (sponge + 4);
      PaddedGrid grid = new PaddedGrid(n, n, sponge);
      double h = 10;
      float[] velocity = new float[grid.physicalSize()];
      for (int ix = 0; ix < n; ix++) {
        for (int iz = 0; iz < n; iz++) {
          velocity[ix * n + iz] = 1500f + 3000f * iz / (n - 1);
        }
      }
      float[] m = grid.extend(velocity);
      float[] eta = new float[grid.size()];
      for (int x = 0; x < grid.nxPadded(); x++) {
        for (int z = 0; z < grid.nzPadded(); z++) {
          int i = grid.index(z, x);
          m[i] = 1f / (m[i] * m[i]);
          double d = grid.spongeDepth(z, x) / sponge;
          eta[i] = (float) (60.0 * d * d / (4500.0 * 4500.0));
        }
      }
      double dt = 0.9 * 0.5546 * h / 4500.0;
      WaveCoefficients k = WaveCoefficients.of(grid, m, eta, dt, h);
      float[] u0 = new float[grid.size()];
      float[] p0 = new float[grid.size()];
      int cz = grid.nzPadded() / 2;
      int cx = grid.nxPadded() / 2;
      for (int x = cx - 20; x <= cx + 20; x++) {
        for (int z = cz - 20; z <= cz + 20; z++) {
          double r2 = (x - cx) * (x - cx) + (z - cz) * (z - cz);
          u0[grid.index(z, x)] = (float) Math.exp(-r2 / 25.0);
          p0[grid.index(z, x)] = u0[grid.index(z, x)];
        }
      }
      return new Case(grid, k, u0, p0, new float[grid.size()], new float[grid.size()]);
    }

    long updatesPerStep() {
      return (long) (grid.nzPadded() - 8) * (grid.nxPadded() - 8);
    }

    /**
     * {@code steps} steps, one or two per sweep of the grid ({@link StencilKernel#step} or {@link
     * StencilKernel#stepTwice}); the field it returns is one of the work arrays, valid until the
     * next run.
     */
    Timing run(StencilKernel kernel, int steps, int perSweep) {
      float[] u = uWork;
      float[] p = pWork;
      System.arraycopy(u0, 0, u, 0, u.length);
      System.arraycopy(p0, 0, p, 0, p.length);
      long t0 = THREADS.getCurrentThreadCpuTime();
      if (perSweep == 2) {
        for (int s = 0; s < steps; s += 2) {
          kernel.stepTwice(u, p, coefficients, x -> {});
        }
      } else {
        for (int s = 0; s < steps; s++) {
          kernel.step(u, p, p, coefficients);
          float[] t = u;
          u = p;
          p = t;
        }
      }
      double seconds = (THREADS.getCurrentThreadCpuTime() - t0) / 1e9;
      return new Timing(updatesPerStep() * steps / seconds, u);
    }

    void write(Path path) throws IOException {
      try (OutputStream file = Files.newOutputStream(path);
          DataOutputStream out = new DataOutputStream(new BufferedOutputStream(file, 1 << 20))) {
        ByteBuffer header = ByteBuffer.allocate(24).order(ByteOrder.nativeOrder());
        header.putInt(grid.nzPadded()).putInt(grid.nxPadded());
        int o = grid.offset();
        if (coefficients.interiorUndamped()) {
          header.putInt(o).putInt(o + grid.nz()).putInt(o).putInt(o + grid.nx());
        } else {
          header.putInt(0).putInt(0).putInt(0).putInt(0);
        }
        out.write(header.array());
        for (float[] a :
            new float[][] {coefficients.a(), coefficients.b(), coefficients.c(), u0, p0}) {
          ByteBuffer bytes = ByteBuffer.allocate(a.length * 4).order(ByteOrder.nativeOrder());
          bytes.asFloatBuffer().put(a);
          out.write(bytes.array());
        }
      }
    }
  }
}

package dev.redwood.examples.acoustics.fdtd;

/** The stencil update as a plain loop; HotSpot's C2 vectorises it a little on its own. */
public final class PlainFivePointKernel implements FivePointKernel {
  @Override
  public void update(
      float[] a, float[] b, float[] c, float[] cur, float[] next, int from, int to, int nx) {
    for (int i = from; i < to; i++) {
      next[i] =
          a[i] * cur[i]
              + c[i] * (cur[i - 1] + cur[i + 1] + cur[i - nx] + cur[i + nx])
              - b[i] * next[i];
    }
  }

  @Override
  public String name() {
    return "plain loops";
  }
}

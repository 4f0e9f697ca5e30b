package dev.redwood.examples.rtm.model;

/**
 * Flat layers: a velocity per layer and the depths (metres) where each next layer starts. The
 * simplest model that produces reflections, and the one whose reflector depths are known exactly
 * (the two-layer test images its interface).
 */
public final class LayeredModel {

  private LayeredModel() {}

  /**
   * {@code velocities[0]} above {@code interfaces[0]}, {@code velocities[k]} from {@code
   * interfaces[k-1]} on; a cell belongs to the layer its centre depth iz * spacing falls in.
   */
  public static VelocityModel create(
      int nz, int nx, double spacing, double[] interfaces, float[] velocities) {
    if (velocities.length != interfaces.length + 1) {
      throw new IllegalArgumentException(
          velocities.length + " layer velocities need " + (velocities.length - 1) + " interfaces");
    }
    for (int k = 1; k < interfaces.length; k++) {
      if (interfaces[k] <= interfaces[k - 1]) {
        throw new IllegalArgumentException("interface depths must increase");
      }
    }
    float[] v = new float[nz * nx];
    for (int iz = 0; iz < nz; iz++) {
      double z = iz * spacing;
      int layer = 0;
      while (layer < interfaces.length && z >= interfaces[layer]) {
        layer++;
      }
      for (int ix = 0; ix < nx; ix++) {
        v[ix * nz + iz] = velocities[layer];
      }
    }
    return new VelocityModel(nz, nx, spacing, v);
  }

  /** Two half-spaces: {@code top} m/s above {@code depth} metres, {@code bottom} below. */
  public static VelocityModel twoLayers(
      int nz, int nx, double spacing, double depth, float top, float bottom) {
    return create(nz, nx, spacing, new double[] {depth}, new float[] {top, bottom});
  }

  /**
   * A water layer over five sediment layers of increasing velocity (1.5 to 3.5 km/s), interfaces at
   * fixed fractions of the depth.
   */
  public static VelocityModel sedimentary(int nz, int nx, double spacing) {
    double depth = (nz - 1) * spacing;
    double[] fractions = {0.15, 0.3, 0.45, 0.62, 0.8};
    double[] interfaces = new double[fractions.length];
    for (int k = 0; k < fractions.length; k++) {
      interfaces[k] = fractions[k] * depth;
    }
    return create(
        nz, nx, spacing, interfaces, new float[] {1500f, 1800f, 2100f, 2500f, 3000f, 3500f});
  }
}

package dev.redwood.examples.rtm.model;

import java.util.Random;

/**
 * A synthetic model in the spirit of Marmousi (a deep-water sedimentary basin, faulted and folded,
 * with a salt body): no Marmousi file ships with any package on this machine, so the example builds
 * its own, deterministically from a seed, at any size.
 *
 * <p>Construction, from the top: a water layer (1500 m/s) over a gently undulating seafloor; below
 * it sediments whose velocity follows a compaction trend (1.65 to about 4.2 km/s at the base) with
 * thin faster and slower beds; the beds are folded into an anticline and tilted, then offset by
 * three normal faults dipping at 60 degrees; finally a salt body (4.5 km/s) with an irregular
 * outline is intruded. Each cell's velocity comes from its "stratigraphic depth": its depth undone
 * of folding and fault throw, looked up in the bed table.
 */
public final class MarmousiLikeModel {

  public static final float WATER = 1500f;
  public static final float SALT = 4500f;

  private MarmousiLikeModel() {}

  public static VelocityModel create(int nz, int nx, double spacing, long seed) {
    Random random = new Random(seed);
    double depth = (nz - 1) * spacing;
    double width = Math.max(1, nx - 1) * spacing;

    // Bed table over stratigraphic depth 0..1.6 depth (folding and throw shift it): beds of
    // random thickness with a compaction trend plus a random contrast each.
    int beds = 60;
    double[] bedTop = new double[beds + 1];
    float[] bedVelocity = new float[beds];
    double mean = 1.6 / beds;
    for (int b = 0; b < beds; b++) {
      bedTop[b + 1] = bedTop[b] + mean * (0.5 + random.nextDouble());
      double zeta = Math.min(1, (bedTop[b] + bedTop[b + 1]) / 2 / 1.1);
      double trend = 1650 + 2550 * Math.pow(zeta, 0.85);
      double contrast = (random.nextDouble() - 0.5) * 500 * (0.4 + zeta);
      bedVelocity[b] = (float) Math.max(1600, Math.min(4400, trend + contrast));
    }

    // Normal faults: x where the fault meets the seafloor (fraction of width), throw (fraction
    // of depth); dip 60 degrees towards +x, hanging wall on the +x side moved down.
    double[] faultX = {0.28, 0.42, 0.56};
    double[] faultThrow = {0.05, 0.07, 0.04};
    double dip = Math.toRadians(60);

    float[] v = new float[nz * nx];
    for (int ix = 0; ix < nx; ix++) {
      double x = ix * spacing;
      double u = x / width;
      double seafloor = depth * (0.1 + 0.025 * Math.sin(2 * Math.PI * 1.3 * u + 0.4) + 0.03 * u);
      for (int iz = 0; iz < nz; iz++) {
        double z = iz * spacing;
        int i = ix * nz + iz;
        if (z < seafloor) {
          v[i] = WATER;
          continue;
        }
        double below = (z - seafloor) / depth;
        // Anticline centred at 0.35 width growing with burial, and a regional tilt.
        double fold =
            0.12 * Math.exp(-Math.pow((u - 0.35) / 0.13, 2)) * Math.min(1, below * 1.5)
                - 0.08 * u * below;
        double zeta = below + fold;
        for (int f = 0; f < faultX.length; f++) {
          double faultAtDepth = faultX[f] * width + (z - seafloor) / Math.tan(dip);
          if (x > faultAtDepth) {
            zeta -= faultThrow[f] * Math.min(1, below * 4);
          }
        }
        v[i] = bedVelocity(bedTop, bedVelocity, Math.max(0, zeta));
      }
    }

    // Salt body: a lobed ellipse right of the faults.
    double cx = 0.74 * width;
    double cz = 0.55 * depth;
    double ax = 0.11 * width;
    double az = 0.16 * depth;
    double phase = random.nextDouble() * Math.PI;
    for (int ix = 0; ix < nx; ix++) {
      for (int iz = 0; iz < nz; iz++) {
        double dx = (ix * spacing - cx) / ax;
        double dz = (iz * spacing - cz) / az;
        double r = Math.hypot(dx, dz);
        double theta = Math.atan2(dz, dx);
        double outline = 1 + 0.18 * Math.sin(3 * theta + phase) + 0.08 * Math.cos(5 * theta);
        if (r < outline) {
          v[ix * nz + iz] = SALT;
        }
      }
    }
    return new VelocityModel(nz, nx, spacing, v);
  }

  private static float bedVelocity(double[] bedTop, float[] bedVelocity, double zeta) {
    for (int b = 0; b < bedVelocity.length; b++) {
      if (zeta < bedTop[b + 1]) {
        return bedVelocity[b];
      }
    }
    return bedVelocity[bedVelocity.length - 1];
  }
}

package dev.redwood.examples.rtm.imaging;

/**
 * The Laplacian filter of RTM images. Cross-correlating source and receiver wavefields also images
 * where they travel together (along the direct and diving waves, and above strong reflectors),
 * leaving smooth, strong, low-wavenumber backscatter; the Laplacian weights the image by the square
 * of its wavenumber, which suppresses that and sharpens the reflectors. For a band-limited
 * reflector image it also flips the sign (Laplacian ~ -k^2), so velocity increases, which migrate
 * negative in squared slowness, come out positive.
 */
public final class LaplacianFilter {

  private LaplacianFilter() {}

  /**
   * The five-point Laplacian (times h^2) of a depth-fastest {@code nz} x {@code nx} image, with the
   * edge cells repeated outwards.
   */
  public static float[] apply(float[] image, int nz, int nx) {
    float[] out = new float[image.length];
    for (int ix = 0; ix < nx; ix++) {
      int left = Math.max(0, ix - 1) * nz;
      int right = Math.min(nx - 1, ix + 1) * nz;
      int column = ix * nz;
      for (int iz = 0; iz < nz; iz++) {
        int up = Math.max(0, iz - 1);
        int down = Math.min(nz - 1, iz + 1);
        out[column + iz] =
            image[column + up]
                + image[column + down]
                + image[left + iz]
                + image[right + iz]
                - 4 * image[column + iz];
      }
    }
    return out;
  }
}

package dev.redwood.examples.rtm.imaging;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

import dev.redwood.examples.rtm.model.GaussianSmoothing;
import dev.redwood.examples.rtm.model.LayeredModel;
import dev.redwood.examples.rtm.model.VelocityModel;
import dev.redwood.examples.rtm.survey.Acquisition;
import dev.redwood.examples.rtm.survey.ShotGeometry;
import dev.redwood.examples.rtm.survey.ShotModelling;
import dev.redwood.examples.rtm.survey.ShotRecord;
import dev.redwood.examples.rtm.wave.Medium;
import dev.redwood.examples.rtm.wave.TimeAxis;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The field's standard RTM check: a two-layer model (101 x 101 cells at 10 m, 1.5 over 2.5 km/s),
 * 21 shots into 101 receivers for 1 s at 10 Hz, migrated in the smoothed model, must image its
 * interface within 2 cells of the true depth.
 *
 * <p>Migration images the squared-slowness perturbation, and against a smooth background a sharp
 * interface is a perturbation of one sign above it and the other below, so the image of an
 * interface is an odd wavelet in depth whose zero crossing sits on the interface. Its envelope (the
 * magnitude of the analytic signal along depth) peaks there, whatever the wavelet's phase: that
 * peak is the imaged depth.
 */
class TwoLayerImagingTest {

  private static final int N = 101;
  private static final double H = 10;
  private static final int INTERFACE_ROW = 60;
  private static final VelocityModel TRUTH =
      LayeredModel.twoLayers(N, N, H, INTERFACE_ROW * H, 1500f, 2500f);

  /** The example's way: the true model smoothed with a 40 m Gaussian. */
  @Test
  void interfaceIsImagedAtItsDepthInTheSmoothedModel() {
    assertImagedWithin(GaussianSmoothing.smooth(TRUTH, 40), 2.0);
  }

  /**
   * With the exact overburden velocity (1.5 km/s everywhere) the kinematics are exact and the
   * interface images within a cell.
   */
  @Test
  void interfaceIsImagedWithinACellInTheOverburdenVelocity() {
    assertImagedWithin(LayeredModel.twoLayers(N, N, H, 1e9, 1500f, 1500f), 1.0);
  }

  private static void assertImagedWithin(VelocityModel background, double cells) {
    int n = N;
    double h = H;
    int interfaceRow = INTERFACE_ROW;
    VelocityModel truth = TRUTH;
    TimeAxis time = TimeAxis.forModel(truth.max(), h, 1.0, 0.9);
    Medium trueMedium = Medium.of(truth, 40, time);
    Medium backgroundMedium = Medium.of(background, 40, time);
    List<ShotGeometry> shots = new Acquisition(21, 20, 20, h).shotsOver(truth);

    float[] stack = new float[n * n];
    for (ShotGeometry shot : shots) {
      ShotRecord observed = ShotModelling.record(trueMedium, shot, 10);
      float[] image = ShotMigration.image(backgroundMedium, observed, 10, true);
      for (int i = 0; i < stack.length; i++) {
        stack[i] += image[i];
      }
    }
    float[] filtered = LaplacianFilter.apply(stack, n, n);

    // Depth profile over the central half, where the shots cover the interface well; rows near
    // the surface (source and receiver artefacts) and the bottom edge are left out.
    int top = 15;
    int bottom = n - 5;
    double[] profile = new double[bottom - top];
    for (int ix = n / 4; ix < 3 * n / 4; ix++) {
      for (int iz = top; iz < bottom; iz++) {
        profile[iz - top] += filtered[ix * n + iz];
      }
    }
    double[] envelope = envelope(profile);
    int peak = 0;
    for (int k = 0; k < envelope.length; k++) {
      if (envelope[k] > envelope[peak]) {
        peak = k;
      }
    }
    double elsewhere = 0;
    for (int k = 0; k < envelope.length; k++) {
      if (Math.abs(k - peak) > 8) {
        elsewhere = Math.max(elsewhere, envelope[k]);
      }
    }
    int imagedRow = peak + top;
    System.out.printf(
        "interface between rows %d and %d, imaged at row %d; envelope there %.3e, elsewhere at"
            + " most %.3e%n",
        interfaceRow - 1, interfaceRow, imagedRow, envelope[peak], elsewhere);
    // The interface lies between rows 59 and 60 (cells are 2.5 km/s from 600 m on).
    assertThat(Math.abs(imagedRow - (interfaceRow - 0.5)), lessThanOrEqualTo(cells));
    assertThat(envelope[peak], greaterThan(2 * elsewhere));
  }

  /** |analytic signal| of a real sequence, by discrete Fourier transform (short sequences). */
  static double[] envelope(double[] x) {
    int n = x.length;
    double[] re = new double[n];
    double[] im = new double[n];
    for (int k = 0; k < n; k++) {
      for (int j = 0; j < n; j++) {
        double a = -2 * Math.PI * k * j / n;
        re[k] += x[j] * Math.cos(a);
        im[k] += x[j] * Math.sin(a);
      }
    }
    // Keep DC (and Nyquist), double positive frequencies, drop negative ones.
    for (int k = 1; k < n; k++) {
      double factor = k < (n + 1) / 2 ? 2 : (n % 2 == 0 && k == n / 2 ? 1 : 0);
      re[k] *= factor;
      im[k] *= factor;
    }
    double[] env = new double[n];
    for (int j = 0; j < n; j++) {
      double sr = 0;
      double si = 0;
      for (int k = 0; k < n; k++) {
        double a = 2 * Math.PI * k * j / n;
        sr += re[k] * Math.cos(a) - im[k] * Math.sin(a);
        si += re[k] * Math.sin(a) + im[k] * Math.cos(a);
      }
      env[j] = Math.hypot(sr, si) / n;
    }
    return env;
  }
}

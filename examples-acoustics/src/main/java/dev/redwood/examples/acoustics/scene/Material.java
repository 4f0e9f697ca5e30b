package dev.redwood.examples.acoustics.scene;

import java.io.Serializable;

/**
 * A wall material: the symbol that stands for it in a text floor plan, the colour that stands for
 * it in an image floor plan, and how much sound energy it absorbs.
 *
 * <p>The absorption coefficient is the fraction of energy a plane wave loses when it hits the wall
 * head-on (normal incidence). The simulation needs the wall's normalised admittance instead (how
 * easily the wall surface moves under pressure, relative to air); {@link #admittance()} converts,
 * assuming a locally reacting surface, which is the model the simulation's boundary update uses.
 */
public record Material(char symbol, String name, double absorption, int rgb)
    implements Serializable {

  public Material {
    if (!(absorption >= 0 && absorption <= 1)) {
      throw new IllegalArgumentException(
          "absorption of material '" + name + "' must be between 0 and 1, got " + absorption);
    }
    if (Character.isWhitespace(symbol)) {
      throw new IllegalArgumentException("material '" + name + "' needs a visible symbol");
    }
  }

  /**
   * Normalised admittance beta = rho c / Z of a locally reacting wall with this normal-incidence
   * absorption: the pressure reflection factor at normal incidence is R = (1 - beta) / (1 + beta)
   * and absorption = 1 - R^2, so beta = (1 - sqrt(1 - absorption)) / (1 + sqrt(1 - absorption)).
   */
  public double admittance() {
    double r = Math.sqrt(1 - absorption);
    return (1 - r) / (1 + r);
  }

  /**
   * Absorption averaged over a diffuse 2D sound field: waves hit the wall from every angle theta
   * with weight cos(theta), and a locally reacting wall absorbs 1 - |R(theta)|^2 with R(theta) =
   * (cos theta - beta) / (cos theta + beta). This is the coefficient that belongs in a Sabine-type
   * estimate of the decay time.
   */
  public double diffuseAbsorption() {
    return diffuseAbsorption(admittance());
  }

  /** The 2D diffuse-field absorption of a locally reacting wall of normalised admittance beta. */
  public static double diffuseAbsorption(double beta) {
    // Midpoint rule on theta in [0, pi/2]; the integrand is smooth, 2000 points is plenty.
    int n = 2000;
    double sum = 0;
    for (int k = 0; k < n; k++) {
      double theta = (k + 0.5) * (Math.PI / 2) / n;
      double cos = Math.cos(theta);
      double alpha = 4 * beta * cos / ((cos + beta) * (cos + beta));
      sum += alpha * cos;
    }
    return sum * (Math.PI / 2) / n;
  }
}

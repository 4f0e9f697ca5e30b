package dev.redwood.examples.rtm.survey;

import dev.redwood.examples.rtm.model.VelocityModel;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * A 2D marine-style survey layout: shots evenly spaced along a line at a fixed depth, each recorded
 * by the same receivers spread across the whole model (a fixed spread) at a fixed depth.
 */
public final class Acquisition implements Serializable {
  private static final long serialVersionUID = 1L;

  private final int shots;
  private final double sourceDepth;
  private final double receiverDepth;
  private final double receiverSpacing;

  public Acquisition(int shots, double sourceDepth, double receiverDepth, double receiverSpacing) {
    if (shots < 1) {
      throw new IllegalArgumentException("a survey needs at least one shot, got " + shots);
    }
    if (!(receiverSpacing > 0)) {
      throw new IllegalArgumentException(
          "receiver spacing must be positive, got " + receiverSpacing);
    }
    this.shots = shots;
    this.sourceDepth = sourceDepth;
    this.receiverDepth = receiverDepth;
    this.receiverSpacing = receiverSpacing;
  }

  /**
   * The shots over a model: sources from 1/(2 shots) to 1 - 1/(2 shots) of its width (the middle of
   * equal stretches), receivers every {@code receiverSpacing} metres from edge to edge. Positions
   * are rounded to centimetres, the precision SEG-Y headers keep them at, so a record read back
   * carries exactly the geometry it was modelled with.
   */
  public List<ShotGeometry> shotsOver(VelocityModel model) {
    double width = model.width();
    checkDepth("source", sourceDepth, model);
    checkDepth("receiver", receiverDepth, model);
    int receivers = (int) Math.floor(width / receiverSpacing + 1e-9) + 1;
    double[] rx = new double[receivers];
    double[] rz = new double[receivers];
    for (int r = 0; r < receivers; r++) {
      rx[r] = centimetres(r * receiverSpacing);
      rz[r] = centimetres(receiverDepth);
    }
    List<ShotGeometry> result = new ArrayList<>(shots);
    for (int s = 0; s < shots; s++) {
      double x = centimetres(width * (s + 0.5) / shots);
      result.add(new ShotGeometry(s, x, centimetres(sourceDepth), rx, rz));
    }
    return result;
  }

  static double centimetres(double metres) {
    return Math.round(metres * 100) / 100.0;
  }

  private static void checkDepth(String what, double depth, VelocityModel model) {
    if (depth < 0 || depth > model.depth()) {
      throw new IllegalArgumentException(
          String.format(
              "%s depth %.1f m lies outside the model (0 to %.1f m)", what, depth, model.depth()));
    }
  }

  public int shots() {
    return shots;
  }
}

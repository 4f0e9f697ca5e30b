package dev.redwood.examples.rtm.survey;

import java.io.Serializable;
import java.util.Arrays;

/**
 * Where one shot was fired and recorded: the source position and the receiver positions, in metres
 * from the first cell of the model (x across, z down), with the shot's number in the survey.
 */
public final class ShotGeometry implements Serializable {
  private static final long serialVersionUID = 1L;

  private final int shot;
  private final double sourceX;
  private final double sourceZ;
  private final double[] receiverX;
  private final double[] receiverZ;

  public ShotGeometry(
      int shot, double sourceX, double sourceZ, double[] receiverX, double[] receiverZ) {
    if (receiverX.length != receiverZ.length || receiverX.length == 0) {
      throw new IllegalArgumentException("a shot needs receivers, each with an x and a z");
    }
    this.shot = shot;
    this.sourceX = sourceX;
    this.sourceZ = sourceZ;
    this.receiverX = receiverX.clone();
    this.receiverZ = receiverZ.clone();
  }

  /** The shot's number in the survey, from 0. */
  public int shot() {
    return shot;
  }

  public double sourceX() {
    return sourceX;
  }

  public double sourceZ() {
    return sourceZ;
  }

  public int receivers() {
    return receiverX.length;
  }

  public double[] receiverX() {
    return receiverX.clone();
  }

  public double[] receiverZ() {
    return receiverZ.clone();
  }

  public double receiverX(int r) {
    return receiverX[r];
  }

  public double receiverZ(int r) {
    return receiverZ[r];
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ShotGeometry g
        && g.shot == shot
        && g.sourceX == sourceX
        && g.sourceZ == sourceZ
        && Arrays.equals(g.receiverX, receiverX)
        && Arrays.equals(g.receiverZ, receiverZ);
  }

  @Override
  public int hashCode() {
    return shot * 31 + Double.hashCode(sourceX) + Arrays.hashCode(receiverX);
  }

  @Override
  public String toString() {
    return String.format(
        "shot %d at x %.0f m, z %.0f m, %d receivers", shot, sourceX, sourceZ, receivers());
  }
}

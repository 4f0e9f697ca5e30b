package dev.redwood.examples.rtm.survey;

import dev.redwood.examples.rtm.wave.GridPoints;
import dev.redwood.examples.rtm.wave.Medium;
import dev.redwood.examples.rtm.wave.Propagator;
import dev.redwood.examples.rtm.wave.RickerWavelet;

/**
 * Forward modelling of one shot: fires a Ricker source at the shot's position and records the
 * pressure at its receivers for the medium's time axis. This is how the example acquires its
 * synthetic survey (in the true model) and how migration predicts the direct wave (in the smooth
 * one).
 */
public final class ShotModelling {

  private ShotModelling() {}

  public static ShotRecord record(Medium medium, ShotGeometry shot, double peakFrequency) {
    Propagator propagator = new Propagator(medium);
    GridPoints source = medium.points(new double[] {shot.sourceX()}, new double[] {shot.sourceZ()});
    GridPoints receivers = medium.points(shot.receiverX(), shot.receiverZ());
    float[] samples =
        propagator.forward(
            source, RickerWavelet.sampled(medium.time(), peakFrequency), receivers, null);
    return new ShotRecord(shot, medium.time(), samples);
  }
}

package dev.redwood.examples.acoustics.encoding;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.redwood.examples.acoustics.BakeSettings;
import dev.redwood.examples.acoustics.ProbeBaker;
import dev.redwood.examples.acoustics.fdtd.ReciprocityTestPlans;
import dev.redwood.examples.acoustics.parameters.CellParameters;
import dev.redwood.examples.acoustics.parameters.ProbeField;
import dev.redwood.examples.acoustics.scene.Probe;
import dev.redwood.examples.acoustics.scene.ReceiverGrid;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Encode/decode round trips lose no more than half a quantisation step. */
class ProbeEncoderTest {
  private static final double EPS = 1e-9;

  @Test
  void randomFieldRoundTripsWithinHalfAStep() {
    ReceiverGrid grid = new ReceiverGrid(37, 23, 0.5);
    ProbeField field = new ProbeField(grid);
    Random random = new Random(42);
    for (int cell = 0; cell < grid.cellCount(); cell++) {
      if (random.nextInt(7) == 0) {
        continue; // unreached
      }
      double angle = random.nextDouble() * 2 * Math.PI - Math.PI;
      boolean noDirection = random.nextInt(20) == 0;
      field.set(
          cell,
          new CellParameters(
              random.nextDouble() * 0.2,
              -80 + random.nextDouble() * 90,
              -80 + random.nextDouble() * 90,
              random.nextInt(10) == 0 ? Double.NaN : 0.005 + random.nextDouble() * 3,
              random.nextInt(5) == 0 ? Double.NaN : 0.01 + random.nextDouble() * 4,
              noDirection ? 0 : Math.cos(angle),
              noDirection ? 0 : Math.sin(angle)));
    }
    assertRoundTrip(field);
  }

  @Test
  void bakedFieldRoundTripsWithinHalfAStepAndCompresses() {
    BakeSettings settings = BakeSettings.of(ReciprocityTestPlans.ROOM, 500, 0.3, 0.25);
    ProbeField field = new ProbeBaker(settings).bake(new Probe(0, 0.9, 0.7)).field();
    byte[] encoded = assertRoundTrip(field);
    // Seven 4-byte floats per cell uncompressed; smooth fields code to a fraction of that.
    assertThat(encoded.length, lessThan(field.reachedCells() * 7 * 4 / 4));
  }

  @Test
  void corruptDataIsRejected() {
    ReceiverGrid grid = new ReceiverGrid(4, 3, 1);
    ProbeField field = new ProbeField(grid);
    field.set(5, new CellParameters(0.01, -3, -6, 0.2, 0.4, 1, 0));
    byte[] encoded = ProbeEncoder.encode(field);
    IllegalArgumentException wrongGrid =
        assertThrows(
            IllegalArgumentException.class,
            () -> ProbeEncoder.decode(encoded, new ReceiverGrid(5, 3, 1)));
    assertThat(wrongGrid.getMessage(), containsString("cells"));
    byte[] truncated = java.util.Arrays.copyOf(encoded, encoded.length / 2);
    assertThrows(IllegalArgumentException.class, () -> ProbeEncoder.decode(truncated, grid));
  }

  private static byte[] assertRoundTrip(ProbeField field) {
    byte[] encoded = ProbeEncoder.encode(field);
    ProbeField decoded = ProbeEncoder.decode(encoded, field.grid());
    for (int cell = 0; cell < field.grid().cellCount(); cell++) {
      CellParameters a = field.get(cell);
      CellParameters b = decoded.get(cell);
      if (a == null) {
        assertThat("cell " + cell, b, is(nullValue()));
        continue;
      }
      assertThat("cell " + cell, b, is(notNullValue()));
      assertThat(
          Math.abs(a.onsetDelay() - b.onsetDelay()),
          lessThanOrEqualTo(Quantizer.DELAY_STEP / 2 + EPS));
      assertThat(
          Math.abs(a.directLoudness() - b.directLoudness()),
          lessThanOrEqualTo(Quantizer.LOUDNESS_STEP / 2 + EPS));
      assertThat(
          Math.abs(a.reflectionsLoudness() - b.reflectionsLoudness()),
          lessThanOrEqualTo(Quantizer.LOUDNESS_STEP / 2 + EPS));
      assertDecay(a.earlyDecayTime(), b.earlyDecayTime());
      assertDecay(a.reverberationTime(), b.reverberationTime());
      if (a.arrivalX() == 0 && a.arrivalY() == 0) {
        assertThat(b.arrivalX() == 0 && b.arrivalY() == 0, is(true));
      } else {
        double error =
            Math.abs(Math.IEEEremainder(a.arrivalAngle() - b.arrivalAngle(), 2 * Math.PI));
        assertThat(error, lessThanOrEqualTo(Math.PI / Quantizer.DIRECTIONS + EPS));
      }
    }
    return encoded;
  }

  private static void assertDecay(double original, double decoded) {
    if (Double.isNaN(original)) {
      assertThat(Double.isNaN(decoded), is(true));
      return;
    }
    double logError = Math.abs(Math.log(decoded / original));
    assertThat(logError, lessThanOrEqualTo(Math.log(Quantizer.DECAY_RATIO) / 2 + EPS));
  }
}

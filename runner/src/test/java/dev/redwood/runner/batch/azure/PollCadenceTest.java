package dev.redwood.runner.batch.azure;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class PollCadenceTest {
  @Test
  void growsByAQuarterWhileNothingChangesUpToTheMaximum() {
    PollCadence cadence = new PollCadence(Duration.ofSeconds(4));
    cadence.polled(false);
    assertThat(cadence.interval(), is(Duration.ofSeconds(5)));
    for (int i = 0; i < 30; i++) {
      cadence.polled(false);
    }
    assertThat(cadence.interval(), is(PollCadence.MAX));
  }

  @Test
  void aChangeBringsTheBaseIntervalBack() {
    PollCadence cadence = new PollCadence(Duration.ofMillis(100));
    for (int i = 0; i < 10; i++) {
      cadence.polled(false);
    }
    assertThat(cadence.interval(), greaterThan(Duration.ofMillis(900)));
    cadence.polled(true);
    assertThat(cadence.interval(), is(Duration.ofMillis(100)));
  }

  @Test
  void aBaseAboveTheMaximumStaysTheBase() {
    PollCadence cadence = new PollCadence(Duration.ofMinutes(2));
    cadence.polled(false);
    assertThat(cadence.interval(), is(Duration.ofMinutes(2)));
  }
}

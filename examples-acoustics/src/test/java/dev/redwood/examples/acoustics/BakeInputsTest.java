package dev.redwood.examples.acoustics;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;

/** Bad options fail before anything runs, naming the option. */
class BakeInputsTest {

  private static BakeInputs inputs(String... args) {
    return BakeInputs.from(PipelineOptionsFactory.fromArgs(args).as(AcousticsOptions.class));
  }

  private static String error(String... args) {
    return assertThrows(IllegalArgumentException.class, () -> inputs(args)).getMessage();
  }

  @Test
  void badOptionsAreNamed() {
    assertThat(
        error("--frequency=-5"), containsString("Invalid --frequency=-5.0: must be between"));
    assertThat(error("--duration=0"), containsString("Invalid --duration=0.0"));
    assertThat(error("--probeSpacing=0.1"), containsString("Invalid --probeSpacing=0.1"));
    assertThat(
        error("--sceneFile=no/such/plan.txt"),
        containsString("Invalid --sceneFile=no/such/plan.txt: no such file"));
    assertThat(error("--buildingWidth=5"), containsString("Invalid --buildingWidth=5.0"));
    assertThat(
        error("--drawProbes=9999"),
        containsString("Invalid --drawProbes=[9999]: probe 9999 is not baked"));
    assertThat(
        error("--cellSpacing=0.06"),
        containsString("Invalid --cellSpacing=0.06: must be at least the simulation grid spacing"));
    assertThat(error("--maxProbes=-1"), containsString("Invalid --maxProbes=-1"));
    assertThat(error("--storeyHeight=0.5"), containsString("Invalid --storeyHeight=0.5"));
  }

  @Test
  void defaultsAndOverrides() {
    BakeInputs defaults = inputs();
    assertThat(defaults.drawProbes(), hasSize(3));
    assertThat(defaults.plan().storeyHeight() > 0, is(true));
    BakeInputs some =
        inputs(
            "--maxProbes=5",
            "--storeyHeight=0",
            "--sceneFile=scenes/two-rooms.txt",
            "--probeSpacing=1");
    assertThat(some.probes(), hasSize(5));
    assertThat(some.plan().storeyHeight(), is(0.0));
    assertThat(some.plan().name(), is("two rooms"));
  }
}

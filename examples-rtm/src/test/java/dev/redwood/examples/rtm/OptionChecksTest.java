package dev.redwood.examples.rtm;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad option values fail before any pipeline runs, with a message naming the option. */
class OptionChecksTest {

  @TempDir Path dir;

  private String fails(String... args) {
    String[] all = new String[args.length + 2];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "--outputDirectory=" + dir;
    all[args.length + 1] = "--runner=DirectRunner";
    RtmOptions options = PipelineOptionsFactory.fromArgs(all).withValidation().as(RtmOptions.class);
    return assertThrows(IllegalArgumentException.class, () -> ReverseTimeMigration.run(options))
        .getMessage();
  }

  @Test
  void badValuesNameTheirOption() {
    assertThat(fails("--shots=0"), containsString("--shots must be at least 1"));
    assertThat(fails("--frequency=-3"), containsString("--frequency must be a positive number"));
    assertThat(fails("--recordingTime=0"), containsString("--recordingTime"));
    assertThat(fails("--gridSpacing=0"), containsString("--gridSpacing"));
    assertThat(fails("--modelNz=3"), containsString("--modelNz must be at least"));
    assertThat(fails("--sourceDepth=5000"), containsString("--sourceDepth must lie in the model"));
    assertThat(fails("--receiverSpacing=-1"), containsString("--receiverSpacing"));
    assertThat(fails("--courantFraction=1.5"), containsString("--courantFraction"));
    assertThat(fails("--clipPercentile=0"), containsString("--clipPercentile"));
    assertThat(fails("--spongeCells=-2"), containsString("--spongeCells"));
  }

  @Test
  void frequencyTooHighForTheGridSaysWhatWouldDo() {
    String message = fails("--frequency=30");
    assertThat(message, containsString("--frequency=30.0 Hz is too high"));
    assertThat(message, containsString("at most 10.0 Hz"));
  }

  @Test
  void modelFileProblemsAreExplained() {
    assertThat(fails("--model=FILE"), containsString("--model=FILE needs --modelFile"));
    assertThat(
        fails("--modelFile=x.bin"), containsString("--modelFile is read only with --model=FILE"));
    assertThat(
        fails("--model=FILE", "--modelFile=" + dir.resolve("missing.bin")),
        containsString("--modelFile="));
  }

  @Test
  void unknownEnumValueIsRejectedByBeam() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                PipelineOptionsFactory.fromArgs("--model=MARMOUSI2")
                    .withValidation()
                    .as(RtmOptions.class));
    assertThat(e.getMessage(), containsString("MARMOUSI2"));
  }

  @Test
  void fwiChecksItsBounds() {
    FwiOptions options =
        PipelineOptionsFactory.fromArgs(
                "--minVelocity=2000", "--outputDirectory=" + dir, "--runner=DirectRunner")
            .withValidation()
            .as(FwiOptions.class);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> FullWaveformInversion.run(options));
    assertThat(e.getMessage(), containsString("--minVelocity and --maxVelocity"));
  }
}

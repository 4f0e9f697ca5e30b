package dev.redwood.runner.storage;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.anEmptyMap;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;

class AzfsContainersTest {
  public interface PathOptions extends PipelineOptions {
    @Description("input")
    String getInput();

    void setInput(String input);

    @Description("outputs")
    java.util.List<String> getOutputs();

    void setOutputs(java.util.List<String> outputs);
  }

  @Test
  void containersOfTheAccountAreFoundInStringAndListOptions() {
    PipelineOptionsFactory.register(PathOptions.class);
    PipelineOptions options =
        PipelineOptionsFactory.fromArgs(
                "--input=azfs://acct/models/marmousi.bin",
                "--outputs=azfs://acct/results/a/,azfs://acct/results/b,/tmp/local")
            .create();
    assertThat(
        AzfsContainers.namedIn(options, "acct"),
        is(Map.of("models", "input", "results", "outputs")));
  }

  @Test
  void noAzfsPathNoContainers() {
    PipelineOptionsFactory.register(PathOptions.class);
    PipelineOptions options = PipelineOptionsFactory.fromArgs("--input=target/rtm").create();
    assertThat(AzfsContainers.namedIn(options, "acct"), is(anEmptyMap()));
  }

  @Test
  void anotherAccountIsRefusedNamingTheOption() {
    PipelineOptionsFactory.register(PathOptions.class);
    PipelineOptions options =
        PipelineOptionsFactory.fromArgs("--input=azfs://elsewhere/models/x.bin").create();
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> AzfsContainers.namedIn(options, "acct"));
    assertThat(e.getMessage(), containsString("--input"));
    assertThat(e.getMessage(), containsString("azfs://elsewhere/models"));
    assertThat(e.getMessage(), containsString("'acct'"));
  }
}

package dev.redwood.examples.acoustics.pipeline;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;

import dev.redwood.examples.acoustics.AcousticBake;
import dev.redwood.examples.acoustics.AcousticsOptions;
import dev.redwood.examples.acoustics.BakeInputs;
import dev.redwood.examples.acoustics.ProbeBaker;
import dev.redwood.examples.acoustics.encoding.BakeReader;
import dev.redwood.examples.acoustics.encoding.ProbeEncoder;
import dev.redwood.examples.acoustics.parameters.CellParameters;
import dev.redwood.examples.acoustics.parameters.ProbeField;
import dev.redwood.examples.acoustics.scene.Probe;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole bake on Redwood's test runner (in-process nodes; every task still reads its spec and
 * inputs from the blob store): the bake file's answers equal a probe baked directly.
 */
class BakePipelineTest {
  @TempDir Path temp;

  @Test
  void bakeOnRedwoodAnswersLikeADirectlyBakedProbe() throws Exception {
    Path out = temp.resolve("bake");
    AcousticsOptions options =
        PipelineOptionsFactory.fromArgs(
                "--runner=TestAzureBatchRunner",
                "--localWorkDir=" + temp.resolve("redwood"),
                "--sceneFile=scenes/two-rooms.txt",
                "--probeSpacing=1.5",
                "--frequency=250",
                "--duration=0.3",
                "--cellSpacing=0.5",
                "--output=" + out)
            .as(AcousticsOptions.class);
    BakeInputs inputs = BakeInputs.from(options);
    assertThat(inputs.probes().size(), greaterThan(4));

    assertThat(AcousticBake.run(options, inputs), is(PipelineResult.State.DONE));

    try (BakeReader reader = new BakeReader(out.resolve(WriteBakeFn.FILE_NAME))) {
      assertThat(reader.probes(), equalTo(inputs.probes()));
      assertThat(reader.plan(), equalTo(inputs.plan()));
      Probe probe = inputs.probes().get(inputs.probes().size() / 2);
      // Baked here, outside Beam, then through the same quantisation.
      ProbeField direct =
          ProbeEncoder.decode(
              ProbeEncoder.encode(new ProbeBaker(inputs.settings()).bake(probe).field()),
              inputs.settings().cells());
      int reached = 0;
      for (int j = 0; j < reader.cells().rows(); j++) {
        for (int i = 0; i < reader.cells().columns(); i++) {
          CellParameters fromBake = reader.parameters(probe.id(), i, j);
          assertThat("cell (" + i + ", " + j + ")", fromBake, equalTo(direct.get(i, j)));
          reached += fromBake == null ? 0 : 1;
        }
      }
      assertThat(reached, greaterThan(50));
      // A query by position lands on the same cell.
      CellParameters atProbe = reader.parametersAt(probe.id(), probe.x(), probe.y());
      assertThat(
          atProbe,
          equalTo(direct.get(reader.cells().columnAt(probe.x()), reader.cells().rowAt(probe.y()))));
    }
    String statistics = Files.readString(out.resolve(WriteStatisticsFn.SUMMARY));
    assertThat(statistics, containsString(inputs.probes().size() + " probes"));
    assertThat(Files.exists(out.resolve(WriteStatisticsFn.HISTOGRAMS)), is(true));
    assertThat(Files.size(out.resolve(WriteStatisticsFn.CHART)), greaterThan(1000L));
    for (int id : inputs.drawProbes()) {
      for (String map : new String[] {"loudness", "decay", "arrival"}) {
        Path png = out.resolve(String.format("probe-%04d-%s.png", id, map));
        assertThat(png + " written", Files.size(png), greaterThan(1000L));
      }
    }
    assertThat(Files.exists(out.resolve("scene.png")), is(true));
  }
}

package dev.redwood.examples.acoustics.pipeline;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.is;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.BlobItem;
import dev.redwood.examples.acoustics.AcousticBake;
import dev.redwood.examples.acoustics.AcousticsOptions;
import dev.redwood.examples.acoustics.BakeInputs;
import dev.redwood.runner.azure.Azurite;
import dev.redwood.runner.azure.EmulatedAzure;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bake as the README runs it across Batch pools, on an emulated Azure (a Batch REST double
 * whose tasks are processes here, and Azurite): the bake, statistics and pictures land in an {@code
 * azfs://} output directory, and the bake file is byte for byte the local backend's.
 */
class BakeOnAzureTest {
  @TempDir Path temp;

  private static final List<String> SCENE =
      List.of(
          "--sceneFile=scenes/two-rooms.txt",
          "--probeSpacing=1.5",
          "--frequency=250",
          "--duration=0.3",
          "--cellSpacing=0.5");

  @Test
  void bakesOnAzureIntoAnAzfsDirectoryLikeOnTheLocalBackend() throws Exception {
    PipelineOptionsFactory.register(AcousticsOptions.class);
    String container = EmulatedAzure.newContainer("bake");
    try (EmulatedAzure azure = EmulatedAzure.start(temp, 2)) {
      List<String> args = new ArrayList<>(azure.exampleArgs());
      args.addAll(SCENE);
      args.add("--output=azfs://" + Azurite.ACCOUNT + "/" + container + "/bake");
      AcousticsOptions options = options(args);
      assertThat(
          AcousticBake.run(options, BakeInputs.from(options)), is(PipelineResult.State.DONE));
    }

    Path localOut = temp.resolve("local-bake");
    List<String> local = new ArrayList<>(SCENE);
    local.add("--runner=TestAzureBatchRunner");
    local.add("--localWorkDir=" + temp.resolve("local-redwood"));
    local.add("--output=" + localOut);
    AcousticsOptions localOptions = options(local);
    assertThat(
        AcousticBake.run(localOptions, BakeInputs.from(localOptions)),
        is(PipelineResult.State.DONE));

    BlobContainerClient blobs = EmulatedAzure.storage().getBlobContainerClient(container);
    Set<String> written = new HashSet<>();
    for (BlobItem b : blobs.listBlobs()) {
      written.add(b.getName());
    }
    assertThat(
        written,
        hasItems(
            "bake/" + WriteBakeFn.FILE_NAME,
            "bake/" + WriteStatisticsFn.SUMMARY,
            "bake/" + WriteStatisticsFn.CHART,
            "bake/scene.png"));
    assertThat(written.stream().filter(n -> n.endsWith("-loudness.png")).count(), greaterThan(0L));
    byte[] bake = blobs.getBlobClient("bake/" + WriteBakeFn.FILE_NAME).downloadContent().toBytes();
    assertThat(bake, equalTo(Files.readAllBytes(localOut.resolve(WriteBakeFn.FILE_NAME))));
    String summary =
        blobs.getBlobClient("bake/" + WriteStatisticsFn.SUMMARY).downloadContent().toString();
    assertThat(summary, containsString("probes"));
    // The statistics table below the first line (which reports simulation time) is the same.
    String localSummary =
        Files.readString(localOut.resolve(WriteStatisticsFn.SUMMARY), StandardCharsets.UTF_8);
    assertThat(
        summary.substring(summary.indexOf('\n')),
        equalTo(localSummary.substring(localSummary.indexOf('\n'))));
    blobs.delete();
  }

  private static AcousticsOptions options(List<String> args) {
    return PipelineOptionsFactory.fromArgs(args.toArray(new String[0]))
        .withValidation()
        .as(AcousticsOptions.class);
  }
}

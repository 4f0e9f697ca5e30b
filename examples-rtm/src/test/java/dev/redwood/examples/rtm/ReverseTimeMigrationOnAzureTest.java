package dev.redwood.examples.rtm;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.lessThan;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.BlobItem;
import dev.redwood.examples.rtm.pipeline.WriteImageFn;
import dev.redwood.runner.azure.Azurite;
import dev.redwood.runner.azure.EmulatedAzure;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The RTM example as the README runs it on Azure, on an emulated Azure (a Batch REST double whose
 * tasks are processes here, and Azurite): shot records, stack, image and pictures go to an {@code
 * azfs://} output directory that tasks reach through the runner's grant, and the image equals the
 * local backend's.
 */
class ReverseTimeMigrationOnAzureTest {
  @TempDir Path temp;

  private static final List<String> SURVEY =
      List.of(
          "--modelNz=40",
          "--modelNx=90",
          "--gridSpacing=20",
          "--shots=3",
          "--frequency=10",
          "--recordingTime=1.0",
          "--smoothing=80");

  @Test
  void migratesOnAzureIntoAnAzfsDirectoryLikeOnTheLocalBackend() throws Exception {
    String container = EmulatedAzure.newContainer("rtm");
    ReverseTimeMigration.MigrationResult onAzure;
    try (EmulatedAzure azure = EmulatedAzure.start(temp, 2)) {
      List<String> args = new ArrayList<>(azure.exampleArgs());
      args.addAll(SURVEY);
      args.add("--outputDirectory=azfs://" + Azurite.ACCOUNT + "/" + container + "/rtm");
      onAzure = ReverseTimeMigration.run(options(args));
    }

    List<String> local = new ArrayList<>(SURVEY);
    local.add("--runner=TestAzureBatchRunner");
    local.add("--localWorkDir=" + temp.resolve("local-redwood"));
    local.add("--outputDirectory=" + temp.resolve("local-out"));
    ReverseTimeMigration.MigrationResult onLocal = ReverseTimeMigration.run(options(local));

    assertThat(onAzure.records().size(), equalTo(3));
    // Same shots, same stack up to summation order and kernel (nodes may lack the Vector API).
    assertThat(relativeDifference(onAzure.stack(), onLocal.stack()), lessThan(1e-5));

    BlobContainerClient blobs = EmulatedAzure.storage().getBlobContainerClient(container);
    Map<String, Long> written = new HashMap<>();
    for (BlobItem b : blobs.listBlobs()) {
      written.put(b.getName(), b.getProperties().getContentLength());
    }
    assertThat(
        written.keySet(),
        hasItems("rtm/model.bin", "rtm/image.png", "rtm/model.png", "rtm/shot-record.png"));
    assertThat(
        written.keySet().stream().filter(n -> n.startsWith("rtm/shots/")).count(), equalTo(3L));
    assertThat(written.get("rtm/image.png"), greaterThan(1000L));
    assertThat(written.get("rtm/" + WriteImageFn.STACK), equalTo(4L * 40 * 90));
    blobs.delete();
  }

  private static double relativeDifference(float[] a, float[] b) {
    assertThat(a.length, equalTo(b.length));
    double difference = 0;
    double norm = 0;
    for (int i = 0; i < a.length; i++) {
      difference += (a[i] - b[i]) * (double) (a[i] - b[i]);
      norm += b[i] * (double) b[i];
    }
    assertThat(norm, greaterThan(0.0));
    return Math.sqrt(difference / norm);
  }

  private static RtmOptions options(List<String> args) {
    return PipelineOptionsFactory.fromArgs(args.toArray(new String[0]))
        .withValidation()
        .as(RtmOptions.class);
  }
}

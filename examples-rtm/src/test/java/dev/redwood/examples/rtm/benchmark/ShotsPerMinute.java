package dev.redwood.examples.rtm.benchmark;

import dev.redwood.examples.rtm.ReverseTimeMigration;
import dev.redwood.examples.rtm.RtmOptions;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * Shots per minute of the default RTM example on Redwood's local backend: the acquisition pipeline
 * (one forward run per shot) and the migration pipeline (forward, checkpoint replay and adjoint per
 * shot), wall time of each pipeline including node start-up.
 */
final class ShotsPerMinute {

  private ShotsPerMinute() {}

  static void run(List<String> args) throws Exception {
    List<String> all = new ArrayList<>();
    all.add("--runner=AzureBatchRunner");
    all.add("--workerJvmFlags=--add-modules=jdk.incubator.vector");
    all.add("--outputDirectory=target/benchmark/rtm");
    all.add("--quiet");
    all.addAll(args);
    RtmOptions options =
        PipelineOptionsFactory.fromArgs(all.toArray(new String[0]))
            .withValidation()
            .as(RtmOptions.class);
    ReverseTimeMigration.MigrationResult r = ReverseTimeMigration.run(options);
    int shots = r.records().size();
    System.out.printf(
        "%nDefault RTM example (%s, %d shots%s) on the local backend:%n",
        r.truth(), shots, args.isEmpty() ? "" : ", " + String.join(" ", args));
    System.out.printf(
        "  acquisition pipeline: %6.1f s  %6.1f shots per minute%n",
        r.acquisitionSeconds(), shots / (r.acquisitionSeconds() / 60));
    System.out.printf(
        "  migration pipeline:   %6.1f s  %6.1f shots per minute (%.2f s of task compute per"
            + " shot)%n",
        r.migrationSeconds(), r.shotsPerMinute(), r.meanShotMigrationMillis() / 1000);
  }
}

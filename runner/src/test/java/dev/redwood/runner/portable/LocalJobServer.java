package dev.redwood.runner.portable;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.FlatMapElements;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Redwood job servers in the test JVM, the Java pipelines tests submit to them, and the Java SDK
 * word count their outputs are compared with.
 */
public final class LocalJobServer {
  private LocalJobServer() {}

  /**
   * Starts a job server on free loopback ports with {@code redwoodOptions}; by default its jobs run
   * on the local backend with two worker node processes.
   */
  public static RedwoodJobServer start(Path temp, String... redwoodOptions) throws IOException {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--job-port=0",
                "--artifact-port=0",
                "--expansion-port=-1",
                "--artifacts-dir=" + temp.resolve("artifacts")));
    if (redwoodOptions.length == 0) {
      args.addAll(
          List.of(
              "--localNodes=2",
              "--inProcessNodes=false",
              "--nodeHeapMb=512",
              "--shuffleBufferMb=16",
              "--localWorkDir=" + temp.resolve("redwood"),
              "--quiet"));
    } else {
      args.addAll(List.of(redwoodOptions));
    }
    return RedwoodJobServer.fromParams(args.toArray(String[]::new));
  }

  /**
   * A pipeline Beam's Java {@code PortableRunner} submits to {@code endpoint} with EMBEDDED
   * harnesses: the user classes come with the server's classpath, and the client stages one small
   * file as its artifact (staging the test classpath would take longer than the tests).
   */
  public static Pipeline embeddedPipeline(String endpoint, Path temp) throws IOException {
    Path marker = temp.resolve("client-artifact.txt");
    Files.writeString(marker, "an artifact the client stages\n");
    return Pipeline.create(
        PipelineOptionsFactory.fromArgs(
                "--runner=PortableRunner",
                "--jobEndpoint=" + endpoint,
                "--defaultEnvironmentType=EMBEDDED",
                "--filesToStage=" + marker)
            .create());
  }

  /** A pipeline on Redwood's local backend through the Java SDK, to compare portable runs with. */
  public static Pipeline javaSdkPipeline(Path temp) {
    return Pipeline.create(
        PipelineOptionsFactory.fromArgs(
                "--runner=AzureBatchRunner",
                "--localNodes=2",
                "--inProcessNodes=false",
                "--nodeHeapMb=512",
                "--localWorkDir=" + temp.resolve("redwood-java"),
                "--quiet")
            .create());
  }

  /**
   * Applies a word count to {@code p}: lower-cased words (split on anything but a-z, empty ones
   * dropped), counted and written to {@code output} as "word: count" lines. The TypeScript client's
   * word count follows the same rule.
   */
  public static void wordCount(Pipeline p, Path input, Path output) {
    p.apply(TextIO.read().from(input.toString()))
        .apply(
            FlatMapElements.into(TypeDescriptors.strings())
                .via(
                    (String line) ->
                        Arrays.stream(line.toLowerCase(Locale.ROOT).split("[^a-z]+"))
                            .filter(w -> !w.isEmpty())
                            .toList()))
        .apply(Count.perElement())
        .apply(
            MapElements.into(TypeDescriptors.strings())
                .via((KV<String, Long> kv) -> kv.getKey() + ": " + kv.getValue()))
        .apply(TextIO.write().to(output.toString()).withoutSharding());
  }

  /** The lines of {@code file}, sorted. */
  public static List<String> sortedLines(Path file) throws IOException {
    List<String> lines = new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
    lines.sort(null);
    return lines;
  }
}

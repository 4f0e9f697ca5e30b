package dev.redwood.runner.consumer;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The quick start (docs/quickstart) as a user builds it: outside this reactor, with the runner from
 * its published pom alone, run with a plain {@code java} (no JVM flags) on the local backend.
 */
class QuickstartIT {
  @TempDir Path work;

  @Test
  void quickstartCountsTheWordsOfABook() throws IOException {
    Path book = ConsumerBuild.root().resolve("data/two-cities.txt");
    ConsumerBuild build =
        ConsumerBuild.of(ConsumerBuild.root().resolve("docs/quickstart"), work)
            .install("runner", "redwood-runner");

    ConsumerBuild.BuildResult result =
        build.run(
            "-q",
            "compile",
            "exec:exec",
            "-Dpipeline.args=--inputFile=" + book + " --output=target/counts --localNodes=2");

    assertThat(result.output(), result.exitCode(), is(0));
    assertThat(counts(build.project().resolve("target")), is(expectedCounts(book)));
  }

  /** The counts the pipeline wrote, from all its output shards. */
  private static Map<String, Long> counts(Path dir) throws IOException {
    Map<String, Long> counts = new TreeMap<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path shard :
          files.filter(f -> f.getFileName().toString().startsWith("counts")).toList()) {
        for (String line : Files.readAllLines(shard, StandardCharsets.UTF_8)) {
          int colon = line.lastIndexOf(": ");
          counts.put(line.substring(0, colon), Long.parseLong(line.substring(colon + 2)));
        }
      }
    }
    return counts;
  }

  /** The same count in plain Java: the words as the quick start splits them. */
  private static Map<String, Long> expectedCounts(Path book) throws IOException {
    return Files.readAllLines(book, StandardCharsets.UTF_8).stream()
        .flatMap(line -> Arrays.stream(line.toLowerCase().split("[^\\p{L}']+")))
        .filter(word -> !word.isEmpty())
        .collect(Collectors.groupingBy(Function.identity(), TreeMap::new, Collectors.counting()));
  }
}

package dev.redwood.runner.e2e;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.redwood.runner.PipelineAssertions;
import dev.redwood.runner.azure.Azurite;
import dev.redwood.runner.azure.EmulatedAzure;
import dev.redwood.runner.batch.azure.restdouble.BatchRestDouble;
import dev.redwood.runner.batch.azure.restdouble.RecordedRequest;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.jar.JarOutputStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.util.construction.resources.PipelineResources;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How the classpath and Java reach Batch nodes, end to end on the Batch REST double and Azurite: a
 * 200-jar classpath fits the service's resource-file limit, a second run on the same pool finds
 * every jar in the node's cache, the start task rides out the image's first-boot apt lock, and a
 * pool on an image without apt is refused before any Batch request.
 */
class NodeClasspathEndToEndTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern FETCHED =
      Pattern.compile(
          "redwood-fetcher: downloaded (\\d+) of (\\d+) jars, (\\d+) were in the node cache");

  @TempDir Path temp;

  @Test
  void aLargeClasspathReachesTheNodesOnceAndStaysInTheirCache() throws Exception {
    try (EmulatedAzure azure = EmulatedAzure.start(temp, 2)) {
      BatchRestDouble batch = azure.batch();
      // The node boots while its image's own apt run holds the dpkg lock.
      batch.holdAptLockAtBoot(Duration.ofSeconds(3));
      String filesToStage = String.join(",", classpathOf(200));

      PipelineAssertions.run(sumPipeline(azure, filesToStage));
      Map<String, String> first = classpathFetches(batch);
      assertThat(first.toString(), first.size(), is(1));
      Matcher m = fetched(first.values().iterator().next());
      int jars = Integer.parseInt(m.group(2));
      assertThat(jars, greaterThanOrEqualTo(200));
      assertThat("jars downloaded by the first run", Integer.parseInt(m.group(1)), greaterThan(0));

      // The job preparation carried two resource files, far below the limit, and no SAS in its
      // command line.
      JsonNode prep = null;
      for (RecordedRequest r : batch.requests()) {
        if (r.method().equals("POST") && r.path().equals("/jobs")) {
          prep = r.bodyJson().get("jobPreparationTask");
        }
      }
      assertThat(prep.get("resourceFiles").size(), is(2));
      assertThat(prep.get("resourceFiles").toString().length(), lessThan(4096));
      assertThat(prep.get("commandLine").asText(), not(containsString("sig=")));
      String startTask = startTaskStdout(batch);
      assertThat(startTask, containsString("redwood: installing Java with apt-get failed"));

      PipelineAssertions.run(sumPipeline(azure, filesToStage));
      Map<String, String> both = classpathFetches(batch);
      both.keySet().removeAll(first.keySet());
      assertThat(both.toString(), both.size(), is(1));
      String second = both.values().iterator().next();
      assertThat(
          second,
          containsString(
              "redwood-fetcher: downloaded 0 of "
                  + jars
                  + " jars, "
                  + jars
                  + " were in the node cache"));
      assertThat(second, not(containsString("sig=")));
    }
  }

  @Test
  void aPoolOnAnImageWithoutAptIsRefusedBeforeAnyBatchRequest() throws Exception {
    Azurite.endpoint();
    String key = BatchRestDouble.newKey();
    try (BatchRestDouble batch = new BatchRestDouble("nodes", key).start()) {
      Path parameters = temp.resolve("parameters.json");
      Path credentials = temp.resolve("credentials.json");
      Files.writeString(
          parameters,
          JSON.writeValueAsString(
              Map.of(
                  "blobContainer",
                  "rwrhel-" + UUID.randomUUID().toString().substring(0, 8),
                  "pools",
                  List.of(
                      Map.of(
                          "id",
                          "rhel-pool",
                          "account",
                          "nodes",
                          "vmSize",
                          "Standard_D2s_v5",
                          "image",
                          Map.of("publisher", "RedHat", "offer", "RHEL", "sku", "9-lvm-gen2"))))));
      Files.writeString(
          credentials,
          JSON.writeValueAsString(
              Map.of(
                  "accounts",
                  List.of(Map.of("name", "nodes", "url", batch.url(), "batchAccountKey", key)),
                  "storage",
                  Map.of("connectionString", Azurite.connectionString()))));
      Files.setPosixFilePermissions(credentials, PosixFilePermissions.fromString("rw-------"));
      Pipeline p =
          Pipeline.create(
              PipelineOptionsFactory.fromArgs(
                      "--runner=AzureBatchRunner",
                      "--backend=AZURE",
                      "--parametersFile=" + parameters,
                      "--credentialsFile=" + credentials,
                      "--localWorkDir=" + temp.resolve("redwood"),
                      "--quiet")
                  .create());
      p.apply(Create.of(1, 2, 3)).apply(Sum.integersGlobally());
      RuntimeException e = assertThrows(RuntimeException.class, p::run);
      assertThat(e.getMessage(), containsString(parameters.toString()));
      assertThat(e.getMessage(), containsString("pools[0].image"));
      assertThat(e.getMessage(), containsString("pool \"rhel-pool\""));
      assertThat(e.getMessage(), containsString("without apt-get"));
      assertThat(e.getMessage(), containsString("batch.node.el 9"));
      assertThat(batch.requests(), is(empty()));
    }
  }

  private Pipeline sumPipeline(EmulatedAzure azure, String filesToStage) {
    List<String> args = new ArrayList<>(azure.runnerArgs());
    args.add("--workerJvmFlags=-XX:TieredStopAtLevel=1,-XX:+UseSerialGC");
    args.add("--quiet");
    args.add("--filesToStage=" + filesToStage);
    Pipeline p =
        Pipeline.create(PipelineOptionsFactory.fromArgs(args.toArray(new String[0])).create());
    PAssert.that(
            p.apply(Create.of(1, 2, 3, 4, 5, 6))
                .apply(Reshuffle.viaRandomKey())
                .apply(Sum.integersGlobally()))
        .containsInAnyOrder(21);
    return p;
  }

  /** This JVM's classpath, padded with small jars of distinct content to {@code size} entries. */
  private List<String> classpathOf(int size) throws IOException {
    List<String> files =
        new ArrayList<>(
            PipelineResources.detectClassPathResourcesToStage(
                getClass().getClassLoader(), PipelineOptionsFactory.create()));
    Path padding = Files.createDirectories(temp.resolve("padding"));
    for (int i = 0; files.size() < size; i++) {
      Path jar = padding.resolve("padding-" + i + ".jar");
      try (OutputStream out = Files.newOutputStream(jar);
          JarOutputStream zip = new JarOutputStream(out)) {
        zip.putNextEntry(new ZipEntry("padding/" + i + ".txt"));
        zip.write(("padding jar " + i).getBytes(StandardCharsets.UTF_8));
        zip.closeEntry();
      }
      files.add(jar.toString());
    }
    return files;
  }

  /** The stdout of every classpath preparation the double's nodes ran, by its directory. */
  private static Map<String, String> classpathFetches(BatchRestDouble batch) throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> files = Files.walk(batch.nodeRoot())) {
      for (Path f :
          files
              .filter(f -> f.endsWith(Path.of("redwood-classpath", "stdout.txt")))
              .collect(Collectors.toList())) {
        out.put(f.getParent().toString(), Files.readString(f));
      }
    }
    return out;
  }

  private static String startTaskStdout(BatchRestDouble batch) throws IOException {
    try (Stream<Path> files = Files.walk(batch.nodeRoot())) {
      Set<Path> found =
          files
              .filter(f -> f.endsWith(Path.of("startup", "stdout.txt")))
              .collect(Collectors.toSet());
      assertThat(found, hasSize(1));
      return Files.readString(found.iterator().next());
    }
  }

  private static Matcher fetched(String stdout) {
    assertThat(stdout, matchesPattern("(?s).*" + FETCHED.pattern() + ".*"));
    Matcher m = FETCHED.matcher(stdout);
    m.find();
    return m;
  }
}

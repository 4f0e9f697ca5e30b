package dev.redwood.runner.report;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.ParDo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --reportPort}: while a run's tasks are held open, the page is served on loopback, shows
 * the run as running with its running attempts and reloads itself; when the run ends the server is
 * gone and the final report is where {@code --reportFile} says.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class LiveReportTest {
  @TempDir Path temp;

  @Test
  void reportPortServesTheLivePageWhileTheRunGoesAndStopsAfterIt() throws Exception {
    int port;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
    Path release = temp.resolve("release");
    Path reportFile = temp.resolve("reports").resolve("live.html");
    Pipeline p =
        ReportPipelines.localPipeline(
            temp.resolve("redwood"), "--reportPort=" + port, "--reportFile=" + reportFile);
    p.apply(Create.of(1, 2, 3, 4))
        .apply("Held", ParDo.of(new ReportPipelines.AwaitFileFn(release.toString())))
        .apply(ParDo.of(new ReportPipelines.ByRemainderFn(2)))
        .apply(GroupByKey.create())
        .apply(ParDo.of(new ReportPipelines.SumFn()));
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    URI uri = URI.create("http://127.0.0.1:" + port + "/");
    PipelineResult result = p.run();
    String page;
    try {
      page = awaitPage(http, uri, "o-RUNNING");
    } finally {
      Files.createFile(release); // lets the held tasks finish, whatever happened above
    }
    assertThat(page, containsString("class=\"state-RUNNING\""));
    assertThat(page, containsString("location.reload()"));
    assertThat(
        result.waitUntilFinish(org.joda.time.Duration.standardMinutes(1)),
        is(PipelineResult.State.DONE));

    assertThrows(ConnectException.class, () -> RunReportPageTest.get(http, uri));
    String last = Files.readString(reportFile, StandardCharsets.UTF_8);
    assertThat(last, containsString("class=\"state-DONE\""));
    assertThat(last, not(containsString("<script")));
  }

  @Test
  void aPortInUseOrAReportBlobWithoutANameFailsTheRunBeforeItStarts() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Pipeline p =
          ReportPipelines.localPipeline(
              temp.resolve("redwood"), "--reportPort=" + taken.getLocalPort());
      p.apply(Create.of(1));
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, p::run);
      assertThat(e.getMessage(), containsString("--reportPort=" + taken.getLocalPort()));
    }
    Pipeline p = ReportPipelines.localPipeline(temp.resolve("redwood"), "--reportFile=blob:");
    p.apply(Create.of(1));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, p::run);
    assertThat(e.getMessage(), containsString("Invalid --reportFile='blob:'"));
  }

  /** The served page once it contains {@code text}; polls for at most 30 s. */
  private static String awaitPage(HttpClient http, URI uri, String text)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    String last = "(no answer)";
    while (System.nanoTime() < deadline) {
      try {
        HttpResponse<String> response = RunReportPageTest.get(http, uri);
        if (response.statusCode() == 200) {
          last = response.body();
          if (last.contains(text)) {
            return last;
          }
        }
      } catch (ConnectException notYet) {
        // The server starts once the run is planned and staged.
      }
      Thread.sleep(100);
    }
    throw new AssertionError("The live page did not show '" + text + "' within 30 s: " + last);
  }
}

package dev.redwood.runner.report;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.redwood.runner.batch.TaskEvent;
import dev.redwood.runner.options.VmPrices;
import dev.redwood.runner.plan.TaskId;
import dev.redwood.runner.plan.TaskManifest;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.beam.runners.core.metrics.MetricsContainerStepMap;
import org.junit.jupiter.api.Test;

/** The report page from recorded events on a fake clock: costs, marks, failures, secrets. */
class RunReportPageTest {
  private static final long HOUR = 3_600_000L;

  private final AtomicLong clock = new AtomicLong(1_700_000_000_000L);
  private final RunRecorder recorder = new RunRecorder(clock::get);

  private static TaskManifest manifest(TaskId id, long millis) {
    return new TaskManifest(
        id.stage(),
        id.task(),
        "attempt-" + id.attempt(),
        Map.of(),
        Map.of(),
        Map.of(),
        new MetricsContainerStepMap(),
        100,
        millis,
        40,
        4096);
  }

  /** Two pools on Azure: a task that lost its node and ran again, one that failed for good. */
  private void failedAzureRun() {
    recorder.planned(
        "redwood-probe-20260101-000000-abcdef",
        "2 Batch pools",
        List.of(
            new RunRecorder.PlannedStage(0, "Read probes", 2, List.of()),
            new RunRecorder.PlannedStage(1, "GroupByKey", 1, List.of(0))),
        Map.of("pool-a", "Standard_D2s_v3", "pool-b", "Standard_Q2_v9"),
        () -> null);
    recorder.stageStarted(0);
    TaskId lost = TaskId.first(0, 0);
    TaskId ok = TaskId.first(0, 1);
    recorder.attemptAdded(lost, RunRecorder.Cause.FIRST);
    recorder.attemptAdded(ok, RunRecorder.Cause.FIRST);
    recorder.taskEvent(lost, running(lost, "pool-b", "node-b1"));
    recorder.taskEvent(ok, running(ok, "pool-a", "node-a1"));
    clock.addAndGet(HOUR);
    // Batch moved this attempt to node-a2 (node-a1 was preempted): it ends there.
    recorder.taskEvent(
        ok,
        new TaskEvent(
            ok.toString(), TaskEvent.State.COMPLETED, 0, null, "node-a2", false, "pool-a"));
    recorder.manifest(manifest(ok, HOUR - 1000), ok, true);
    recorder.taskEvent(
        lost,
        new TaskEvent(
            lost.toString(),
            TaskEvent.State.COMPLETED,
            -1,
            "NodePreempted: see https://acct.blob.core.windows.net/logs/x?sv=2024&sig=SECRET1",
            "node-b1",
            true,
            "pool-b"));
    recorder.attemptAdded(lost.retry(), RunRecorder.Cause.NODE_LOST);
    recorder.taskEvent(lost.retry(), running(lost.retry(), "pool-a", "node-a1"));
    clock.addAndGet(HOUR / 2);
    recorder.finished(
        "FAILED",
        "Stage 'Read probes' task 0 failed after 2 attempts: boom"
            + " (DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=SECRET4==;)"
            + " https://acct.blob.core.windows.net/c/in?se=2026&sig=SECRET2",
        "Logs of the task: https://acct.blob.core.windows.net/redwood-logs/t/stderr.txt?sig=SECRET3");
  }

  private static TaskEvent running(TaskId id, String pool, String node) {
    return new TaskEvent(id.toString(), TaskEvent.State.RUNNING, 0, null, node, false, pool);
  }

  @Test
  void failedRunShowsFailureLogsCostsAndMarksWithoutSecrets() {
    failedAzureRun();
    String html =
        RunReportPage.render(recorder.snapshot(), VmPriceTable.load("Standard_Q2_v9=0.5"), 0);
    assertThat(html, not(containsString("sig=")));
    assertThat(html, not(containsString("SECRET")));
    assertThat(html, containsString("AccountName=acct;AccountKey=&lt;removed&gt;;"));
    assertThat(html, containsString("class=\"state-FAILED\""));
    assertThat(html, containsString("task 0 failed after 2 attempts: boom"));
    assertThat(
        html,
        containsString(
            "<code id=\"failure-logs\">Logs of the task:"
                + " https://acct.blob.core.windows.net/redwood-logs/t/stderr.txt</code>"));
    // The preempted attempt and its rerun are marked; the rerun was open when the run ended.
    assertThat(html, containsString("class=\"attempt o-NODE_LOST c-FIRST\" data-stage=\"0\""));
    assertThat(
        html,
        containsString("class=\"attempt o-STOPPED c-NODE_LOST\" data-stage=\"0\" data-task=\"0\""));
    assertThat(
        html,
        containsString(
            "class=\"attempt o-ACCEPTED c-FIRST requeued\" data-stage=\"0\" data-task=\"1\""));
    assertThat(html, containsString("requeued by Batch from node-a1"));
    // pool-a: node-a2 busy for the first hour, node-a1 for the last half hour, at the bundled
    // D2s_v3 price; pool-b: node-b1 for 1 h at the price --vmPrices gives.
    assertThat(html, containsString("<td>2</td><td>1.5000</td><td>$0.0960</td><td>$0.1440</td>"));
    assertThat(html, containsString("<td>1.0000</td><td>$0.5000</td><td>$0.5000</td>"));
    assertThat(html, containsString("--vmPrices"));
    assertThat(html, containsString("$0.6440"));
    VmPriceTable bundled = VmPriceTable.load(null);
    assertThat(html, containsString(bundled.region()));
    assertThat(html, containsString(bundled.date()));
    assertThat("a file does not reload itself", html, not(containsString("<script")));
  }

  @Test
  void aLivePageReloadsUntilTheRunEnds() {
    recorder.planned(
        "job",
        "local",
        List.of(new RunRecorder.PlannedStage(0, "Only", 1, List.of())),
        Map.of(),
        () -> null);
    String live = RunReportPage.render(recorder.snapshot(), VmPriceTable.load(null), 2);
    assertThat(live, containsString("location.reload()"));
    assertThat(live, containsString("class=\"state-RUNNING\""));
    recorder.finished("DONE", null, null);
    String done = RunReportPage.render(recorder.snapshot(), VmPriceTable.load(null), 2);
    assertThat(done, not(containsString("<script")));
  }

  @Test
  void vmPricesMustBeSizeEqualsDollars() {
    assertThat(
        VmPrices.parse("Standard_D2s_v3=0.1, standard_e2s_v3=2").get("standard_d2s_v3"), is(0.1));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> VmPrices.parse("Standard_D2s_v3"));
    assertThat(e.getMessage(), containsString("vmSize=price"));
    e = assertThrows(IllegalArgumentException.class, () -> VmPrices.parse("Standard_D2s_v3=-1"));
    assertThat(e.getMessage(), containsString("0 or more"));
  }

  @Test
  void serverOnPortZeroServesTheReportOnLoopbackUntilClosed() throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    URI uri;
    try (ReportServer server = ReportServer.start(0, () -> "<html>report</html>")) {
      assertThat(server.port(), greaterThan(0));
      assertThat(server.url(), is("http://127.0.0.1:" + server.port() + "/"));
      uri = URI.create(server.url());
      HttpResponse<String> page = get(http, uri);
      assertThat(page.statusCode(), is(200));
      assertThat(page.body(), is("<html>report</html>"));
      assertThat(get(http, uri.resolve("/elsewhere")).statusCode(), is(404));
    }
    URI closed = uri;
    assertThrows(ConnectException.class, () -> get(http, closed));
  }

  static HttpResponse<String> get(HttpClient http, URI uri)
      throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}

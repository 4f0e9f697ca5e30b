package dev.redwood.runner.report;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.redwood.runner.PipelineAssertions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report of a real run, as a person sees it: a pipeline with two GroupByKeys and a task that
 * fails once runs on the local backend, and headless Chromium renders the report.html it wrote,
 * with no network. The timeline must show one bar per attempt the run made (counted in the commit
 * protocol's attempt folders, which the run keeps), the retry marked as such, and the DAG every
 * stage the run planned.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class RunReportBrowserTest {
  private static final Pattern ATTEMPT_BAR =
      Pattern.compile(
          "<rect class=\"attempt o-(\\w+) c-(\\w+)(?: requeued)?\" data-stage=\"(\\d+)\""
              + " data-task=\"(\\d+)\""
              + " data-attempt=\"(\\d+)\"");
  private static final Pattern DAG_STAGE =
      Pattern.compile("<g class=\"stage \\w+\" data-stage=\"(\\d+)\"");
  private static final Pattern DAG_EDGE =
      Pattern.compile("<path class=\"edge\" data-from=\"(\\d+)\" data-to=\"(\\d+)\"");
  private static final Pattern NETWORK_REFERENCE =
      Pattern.compile(
          "(?i)(?:\\b(?:src|href|action|poster|data)\\s*=\\s*[\"']?\\s*(?:[a-z]+:)?//|url\\(\\s*[\"']?\\s*(?:[a-z]+:)?//|@import|<link\\b|<iframe\\b)");
  private static final Pattern ATTEMPT_DIR =
      Pattern.compile(".*/stages/(\\d+)/tasks/(\\d+)/attempt-(\\d+)$");

  @TempDir Path temp;

  @Test
  void chromiumShowsOneBarPerAttemptAndEveryStage() throws Exception {
    HeadlessChromium.executable(); // fails first, with how to install it, when it is missing
    Path workDir = temp.resolve("redwood");
    Pipeline p = ReportPipelines.localPipeline(workDir, "--keepJobData");
    PCollection<Integer> sums =
        p.apply(Create.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12))
            .apply(
                "FailOnce",
                ParDo.of(
                    new ReportPipelines.FailFirstAttemptFn(temp.resolve("failed-once").toString())))
            .apply("ByThree", ParDo.of(new ReportPipelines.ByRemainderFn(3)))
            .apply("GroupByThree", GroupByKey.create())
            .apply("SumByThree", ParDo.of(new ReportPipelines.SumFn()))
            .apply("ByTwo", ParDo.of(new ReportPipelines.ByRemainderFn(2)))
            .apply("GroupByTwo", GroupByKey.create())
            .apply("SumByTwo", ParDo.of(new ReportPipelines.SumFn()));
    // 1..12 by remainder of 3: 22, 26, 30; by remainder of 2 of those: all even, one sum.
    PAssert.that(sums).containsInAnyOrder(78);
    PipelineAssertions.run(p);

    List<String> jobs = ReportPipelines.keptJobs(workDir);
    assertThat(jobs, hasSize(1));
    String jobId = jobs.get(0);
    // No --reportFile: the default place, under the run's work directory.
    Path report = workDir.resolve("reports").resolve(jobId).resolve("report.html");
    assertThat("report written at " + report, Files.isRegularFile(report), is(true));
    String html = Files.readString(report, StandardCharsets.UTF_8);
    assertThat(
        "references to the network in the report",
        matches(NETWORK_REFERENCE, html, 0),
        is(empty()));

    String dom = HeadlessChromium.dumpDom(report, temp);
    assertThat(dom, containsString("id=\"run-state\" class=\"state-DONE\""));

    // The attempts the run made: each wrote under its own attempt folder (a manifest or a
    // failure record) in the commit protocol's layout.
    Set<String> attemptsMade = new TreeSet<>();
    Set<String> stagesPlanned = new TreeSet<>();
    Path stagesDir = workDir.resolve("store").resolve("jobs").resolve(jobId).resolve("stages");
    try (Stream<Path> files = Files.walk(stagesDir, 4)) {
      for (Path f : files.toList()) {
        Matcher m = ATTEMPT_DIR.matcher(f.toString().replace('\\', '/'));
        if (m.matches()) {
          attemptsMade.add(m.group(1) + "/" + m.group(2) + "/" + m.group(3));
        }
      }
    }
    try (Stream<Path> stages = Files.list(stagesDir)) {
      stages.forEach(s -> stagesPlanned.add(s.getFileName().toString()));
    }

    String timeline = between(dom, "<svg id=\"timeline\"", "</svg>");
    List<String> bars = new ArrayList<>();
    Set<String> barIds = new TreeSet<>();
    int retries = 0;
    int failed = 0;
    for (Matcher m = ATTEMPT_BAR.matcher(timeline); m.find(); ) {
      bars.add(m.group());
      barIds.add(m.group(3) + "/" + m.group(4) + "/" + m.group(5));
      retries += m.group(2).equals("RETRY") ? 1 : 0;
      failed += m.group(1).equals("FAILED") ? 1 : 0;
    }
    assertThat("one bar per attempt", bars, hasSize(attemptsMade.size()));
    assertThat("the attempts the bars stand for", barIds, equalTo(attemptsMade));
    assertThat("attempts that failed", failed, is(1));
    assertThat("attempts that retried a failure", retries, is(1));

    String dag = between(dom, "<svg id=\"dag\"", "</svg>");
    Set<String> dagStages = new TreeSet<>(matches(DAG_STAGE, dag, 1));
    assertThat("stages in the DAG", dagStages, equalTo(stagesPlanned));
    assertThat(stagesPlanned.size(), greaterThanOrEqualTo(3));
    List<String> edges = new ArrayList<>();
    for (Matcher m = DAG_EDGE.matcher(dag); m.find(); ) {
      assertThat("an edge's producer", dagStages, hasItem(m.group(1)));
      assertThat("an edge's consumer", dagStages, hasItem(m.group(2)));
      edges.add(m.group(1) + "->" + m.group(2));
    }
    assertThat("edges of two chained shuffles", edges.size(), greaterThanOrEqualTo(2));

    // The rest of what a person reads: per-stage times and data, metrics, cost.
    assertThat(dom, containsString("id=\"stage-table\""));
    assertThat(dom, containsString("id=\"cost-table\""));
    assertThat(dom, containsString("PAssertSuccess"));

    Path png = temp.resolve("report.png");
    HeadlessChromium.screenshot(report, png, temp);
    assertThat("screenshot bytes", Files.size(png), greaterThan(10_000L));
  }

  @Test
  void aFailedRunsReportShowsTheFailureAndWhereItsLogsAre() throws Exception {
    Path reportFile = temp.resolve("failed.html");
    Pipeline p =
        ReportPipelines.localPipeline(
            temp.resolve("redwood"), "--maxTaskRetries=0", "--reportFile=" + reportFile);
    p.apply(Create.of(7)).apply("Explode", ParDo.of(new ReportPipelines.FailsEveryAttemptFn()));
    Pipeline.PipelineExecutionException e =
        assertThrows(Pipeline.PipelineExecutionException.class, () -> p.run().waitUntilFinish());
    String dom = HeadlessChromium.dumpDom(reportFile, temp);
    assertThat(dom, containsString("id=\"run-state\" class=\"state-FAILED\""));
    String failure = between(dom, "<pre class=\"failure\" id=\"failure\">", "</pre>");
    assertThat(failure, containsString("cannot handle element 7"));
    assertThat(failure, containsString("failed after 1 attempt"));
    // Local nodes keep task logs in their task folders, which the failure's log tail names.
    assertThat(dom, containsString("Task logs: kept only on the node"));
    assertThat(e.getMessage(), containsString("cannot handle element 7"));
    String timeline = between(dom, "<svg id=\"timeline\"", "</svg>");
    assertThat(timeline, containsString("class=\"attempt o-FAILED c-FIRST\""));
  }

  private static String between(String text, String start, String end) {
    int from = text.indexOf(start);
    assertThat("'" + start + "' in the page", from, greaterThanOrEqualTo(0));
    int to = text.indexOf(end, from);
    assertThat("'" + end + "' after '" + start + "'", to, greaterThan(from));
    return text.substring(from, to);
  }

  private static List<String> matches(Pattern pattern, String text, int group) {
    List<String> found = new ArrayList<>();
    for (Matcher m = pattern.matcher(text); m.find(); ) {
      found.add(m.group(group));
    }
    return found;
  }
}

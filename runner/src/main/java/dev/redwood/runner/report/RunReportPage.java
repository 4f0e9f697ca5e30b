package dev.redwood.runner.report;

import static dev.redwood.runner.report.ReportText.html;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes a run report as one self-contained HTML page: inline CSS and SVG, and when live a few
 * lines of inline script that reload it. Nothing in it refers to the network, so it opens the same
 * from a laptop's disk, a blob download or a mail attachment.
 */
public final class RunReportPage {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT)
          .withZone(ZoneOffset.UTC);

  private static final int TIMELINE_WIDTH = 960;
  private static final int LANE_LABEL_WIDTH = 200;
  private static final int LANE_HEIGHT = 16;
  private static final int BOX_WIDTH = 190;
  private static final int BOX_HEIGHT = 46;
  private static final int LAYER_GAP = 60;
  private static final int ROW_GAP = 18;
  private static final int HISTOGRAM_BINS = 10;

  private static final String STYLE =
      """
      body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:1.5em;color:#222}
      h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.6em;border-bottom:1px solid #ddd}
      table{border-collapse:collapse;font-size:.9em}td,th{border:1px solid #ddd;padding:3px 7px;text-align:right}
      th{background:#f4f4f4}td.l,th.l{text-align:left}
      .state-DONE{color:#1a7f37}.state-FAILED{color:#c62828}.state-RUNNING{color:#1565c0}
      pre.failure{background:#fff3f3;border:1px solid #e0b4b4;padding:.6em;white-space:pre-wrap}
      svg text{font-size:11px;font-family:inherit}
      .stage rect{stroke:#555;rx:6}.stage.done rect{fill:#e3f4e6}.stage.running rect{fill:#e3eefc}
      .stage.waiting rect{fill:#f3f3f3}.edge{fill:none;stroke:#777;stroke-width:1.3}
      .attempt{stroke-width:1.5}.o-ACCEPTED{fill:#4caf50}.o-DUPLICATE{fill:#a5d6a7}
      .o-FAILED{fill:#e53935}.o-NODE_LOST{fill:#8e24aa}.o-RUNNING{fill:#42a5f5}.o-STOPPED{fill:#9e9e9e}
      .o-QUEUED{fill:#cfd8dc}
      .c-RETRY{stroke:#ef6c00}.c-NODE_LOST{stroke:#6a1b9a;stroke-dasharray:3 2}
      .c-CONTINUATION{stroke:#0d47a1;stroke-dasharray:1 2}.c-FIRST{stroke:none}
      .attempt.requeued{stroke:#6a1b9a;stroke-width:2.5;stroke-dasharray:6 2}
      .lane{fill:#fafafa}.lane.odd{fill:#f0f0f0}.axis{stroke:#bbb}
      .legend span{display:inline-block;margin-right:1.2em}.legend svg{vertical-align:middle}
      .note{color:#666;font-size:.85em}#metrics-table td{max-width:30em;overflow-wrap:anywhere}
      """;

  private RunReportPage() {}

  /**
   * @param refreshSeconds when the page is served live: reload it this often; 0 for a file
   */
  public static String render(RunSnapshot run, VmPriceTable prices, int refreshSeconds) {
    StringBuilder out = new StringBuilder(32 * 1024);
    out.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n")
        .append("<title>Redwood run ")
        .append(html(run.jobId()))
        .append("</title>\n<style>")
        .append(STYLE)
        .append("</style>\n</head><body>\n");
    header(out, run, refreshSeconds);
    failure(out, run);
    dag(out, run);
    timeline(out, run);
    stages(out, run);
    nodeHours(out, run, prices);
    metrics(out, run);
    if (refreshSeconds > 0 && !run.finished()) {
      // Reloads from the same origin only, keeping the reader's scroll position.
      out.append("<script>\n(function(){var k='redwood-scroll';var y=sessionStorage.getItem(k);")
          .append("if(y)window.scrollTo(0,+y);setTimeout(function(){")
          .append("sessionStorage.setItem(k,String(window.scrollY));location.reload();},")
          .append(refreshSeconds * 1000)
          .append(");})();\n</script>\n");
    }
    out.append("</body></html>\n");
    return out.toString();
  }

  private static void header(StringBuilder out, RunSnapshot run, int refreshSeconds) {
    out.append("<h1>Redwood run <code>").append(html(run.jobId())).append("</code></h1>\n");
    out.append("<p>State: <b id=\"run-state\" class=\"state-")
        .append(html(run.state()))
        .append("\">")
        .append(html(run.state()))
        .append("</b> &middot; ")
        .append(html(run.backend()))
        .append(" &middot; started ")
        .append(TIME.format(Instant.ofEpochMilli(run.startedMillis())))
        .append(" &middot; ")
        .append(run.finished() ? "wall time " : "running for ")
        .append(seconds(run.nowMillis() - run.startedMillis()))
        .append("</p>\n");
    if (refreshSeconds > 0 && !run.finished()) {
      out.append("<p class=\"note\">Live: this page reloads every ")
          .append(refreshSeconds)
          .append(" s until the run ends.</p>\n");
    }
  }

  private static void failure(StringBuilder out, RunSnapshot run) {
    if (run.failure() == null) {
      return;
    }
    out.append("<h2>Failure</h2>\n<pre class=\"failure\" id=\"failure\">")
        .append(html(run.failure()))
        .append("</pre>\n");
    out.append("<p>Task logs: ")
        .append(
            run.failureLogs() == null
                ? "kept only on the node (their tail is in the failure above)"
                : "<code id=\"failure-logs\">" + html(run.failureLogs()) + "</code>")
        .append("</p>\n");
  }

  // --- the stage DAG ---

  private static void dag(StringBuilder out, RunSnapshot run) {
    Map<Integer, RunSnapshot.StageView> byId = new LinkedHashMap<>();
    for (RunSnapshot.StageView stage : run.stages()) {
      byId.put(stage.id(), stage);
    }
    // A stage's layer is one more than the deepest stage it reads; stages list producers first.
    Map<Integer, Integer> layer = new HashMap<>();
    for (RunSnapshot.StageView stage : run.stages()) {
      layer.put(stage.id(), depth(stage, byId, layer));
    }
    Map<Integer, Integer> rowOf = new HashMap<>();
    Map<Integer, Integer> rowsPerLayer = new TreeMap<>();
    for (RunSnapshot.StageView stage : run.stages()) {
      int l = layer.get(stage.id());
      int row = rowsPerLayer.merge(l, 1, Integer::sum) - 1;
      rowOf.put(stage.id(), row);
    }
    int layers = rowsPerLayer.size();
    int rows = rowsPerLayer.values().stream().mapToInt(Integer::intValue).max().orElse(1);
    int width = Math.max(1, layers) * (BOX_WIDTH + LAYER_GAP) + 10;
    int height = Math.max(1, rows) * (BOX_HEIGHT + ROW_GAP) + 10;
    out.append("<h2>Stages</h2>\n<svg id=\"dag\" width=\"")
        .append(width)
        .append("\" height=\"")
        .append(height)
        .append("\"><defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\"")
        .append(" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\">")
        .append("<path d=\"M0,0L10,5L0,10z\" fill=\"#777\"/></marker></defs>\n");
    for (RunSnapshot.StageView stage : run.stages()) {
      for (int dep : stage.dependsOn()) {
        if (!byId.containsKey(dep)) {
          continue;
        }
        int x1 = boxX(layer.get(dep)) + BOX_WIDTH;
        int y1 = boxY(rowOf.get(dep)) + BOX_HEIGHT / 2;
        int x2 = boxX(layer.get(stage.id()));
        int y2 = boxY(rowOf.get(stage.id())) + BOX_HEIGHT / 2;
        int mid = (x1 + x2) / 2;
        out.append(
            String.format(
                Locale.ROOT,
                "<path class=\"edge\" data-from=\"%d\" data-to=\"%d\" d=\"M%d,%d C%d,%d %d,%d %d,%d\""
                    + " marker-end=\"url(#arrow)\"/>\n",
                dep,
                stage.id(),
                x1,
                y1,
                mid,
                y1,
                mid,
                y2,
                x2,
                y2));
      }
    }
    Map<Integer, int[]> attemptCounts = attemptsPerStage(run);
    for (RunSnapshot.StageView stage : run.stages()) {
      int x = boxX(layer.get(stage.id()));
      int y = boxY(rowOf.get(stage.id()));
      String status =
          stage.endedMillis() != 0 ? "done" : stage.startedMillis() != 0 ? "running" : "waiting";
      int accepted = stage.acceptedMillis().size() + stage.reused();
      int[] counts = attemptCounts.getOrDefault(stage.id(), new int[2]);
      out.append("<g class=\"stage ")
          .append(status)
          .append("\" data-stage=\"")
          .append(stage.id())
          .append("\"><title>")
          .append(html(stage.name()))
          .append("</title><rect x=\"")
          .append(x)
          .append("\" y=\"")
          .append(y)
          .append("\" width=\"")
          .append(BOX_WIDTH)
          .append("\" height=\"")
          .append(BOX_HEIGHT)
          .append("\"/><text x=\"")
          .append(x + 6)
          .append("\" y=\"")
          .append(y + 16)
          .append("\" font-weight=\"bold\">")
          .append(html(shorten(stage.id() + " " + stage.name(), 30)))
          .append("</text><text x=\"")
          .append(x + 6)
          .append("\" y=\"")
          .append(y + 34)
          .append("\">")
          .append(accepted)
          .append('/')
          .append(stage.tasks())
          .append(" tasks, ")
          .append(counts[0])
          .append(" attempts, ")
          .append(counts[1])
          .append(" failed</text></g>\n");
    }
    out.append("</svg>\n");
  }

  private static int depth(
      RunSnapshot.StageView stage,
      Map<Integer, RunSnapshot.StageView> byId,
      Map<Integer, Integer> layer) {
    int d = 0;
    for (int dep : stage.dependsOn()) {
      Integer l = layer.get(dep);
      if (l == null && byId.containsKey(dep)) {
        l = depth(byId.get(dep), byId, layer);
        layer.put(dep, l);
      }
      if (l != null) {
        d = Math.max(d, l + 1);
      }
    }
    return d;
  }

  private static int boxX(int layer) {
    return 5 + layer * (BOX_WIDTH + LAYER_GAP);
  }

  private static int boxY(int row) {
    return 5 + row * (BOX_HEIGHT + ROW_GAP);
  }

  /** Per stage: attempts made, attempts that failed or lost their node. */
  private static Map<Integer, int[]> attemptsPerStage(RunSnapshot run) {
    Map<Integer, int[]> counts = new HashMap<>();
    for (RunSnapshot.AttemptView a : run.attempts()) {
      int[] c = counts.computeIfAbsent(a.stage(), s -> new int[2]);
      c[0]++;
      if (a.outcome() == RunRecorder.AttemptOutcome.FAILED
          || a.outcome() == RunRecorder.AttemptOutcome.NODE_LOST) {
        c[1]++;
      }
    }
    return counts;
  }

  // --- the timeline ---

  private static void timeline(StringBuilder out, RunSnapshot run) {
    out.append("<h2>Timeline of task attempts</h2>\n");
    legend(out);
    Map<String, RunSnapshot.StageView> stageNames = new HashMap<>();
    for (RunSnapshot.StageView s : run.stages()) {
      stageNames.put(String.valueOf(s.id()), s);
    }
    // One lane per task slot in use: attempts of one node that overlap go on lanes of their own.
    Map<String, List<List<RunSnapshot.AttemptView>>> lanesByNode = new TreeMap<>();
    List<RunSnapshot.AttemptView> ran = new ArrayList<>();
    for (RunSnapshot.AttemptView a : run.attempts()) {
      if (a.ran()) {
        ran.add(a);
      }
    }
    ran.sort((a, b) -> Long.compare(a.startedMillis(), b.startedMillis()));
    for (RunSnapshot.AttemptView a : ran) {
      List<List<RunSnapshot.AttemptView>> lanes =
          lanesByNode.computeIfAbsent(nodeLabel(a), n -> new ArrayList<>());
      List<RunSnapshot.AttemptView> free = null;
      for (List<RunSnapshot.AttemptView> lane : lanes) {
        if (end(lane.get(lane.size() - 1), run) <= a.startedMillis()) {
          free = lane;
          break;
        }
      }
      if (free == null) {
        free = new ArrayList<>();
        lanes.add(free);
      }
      free.add(a);
    }
    long t0 = run.startedMillis();
    long span = Math.max(1, run.nowMillis() - t0);
    int laneCount = lanesByNode.values().stream().mapToInt(List::size).sum();
    int plotWidth = TIMELINE_WIDTH - LANE_LABEL_WIDTH;
    int height = Math.max(1, laneCount) * LANE_HEIGHT + 24;
    out.append("<svg id=\"timeline\" width=\"")
        .append(TIMELINE_WIDTH)
        .append("\" height=\"")
        .append(height)
        .append("\">\n");
    int lane = 0;
    for (Map.Entry<String, List<List<RunSnapshot.AttemptView>>> node : lanesByNode.entrySet()) {
      for (int slot = 0; slot < node.getValue().size(); slot++) {
        int y = lane * LANE_HEIGHT;
        out.append("<rect class=\"lane")
            .append(lane % 2 == 1 ? " odd" : "")
            .append("\" x=\"0\" y=\"")
            .append(y)
            .append("\" width=\"")
            .append(TIMELINE_WIDTH)
            .append("\" height=\"")
            .append(LANE_HEIGHT)
            .append("\"/><text x=\"4\" y=\"")
            .append(y + LANE_HEIGHT - 4)
            .append("\">")
            .append(html(shorten(node.getKey(), 26)))
            .append(node.getValue().size() > 1 ? " #" + (slot + 1) : "")
            .append("</text>\n");
        for (RunSnapshot.AttemptView a : node.getValue().get(slot)) {
          double x = LANE_LABEL_WIDTH + (a.startedMillis() - t0) * (double) plotWidth / span;
          double w = Math.max(2, (end(a, run) - a.startedMillis()) * (double) plotWidth / span);
          RunSnapshot.StageView stage = stageNames.get(String.valueOf(a.stage()));
          out.append(
                  String.format(
                      Locale.ROOT,
                      "<rect class=\"attempt o-%s c-%s%s\" data-stage=\"%d\" data-task=\"%d\""
                          + " data-attempt=\"%d\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\">",
                      a.outcome(),
                      a.cause(),
                      a.requeuedFrom() == null ? "" : " requeued",
                      a.stage(),
                      a.task(),
                      a.attempt(),
                      x,
                      y + 2,
                      w,
                      LANE_HEIGHT - 4))
              .append("<title>")
              .append(
                  html(
                      "stage "
                          + a.stage()
                          + (stage == null ? "" : " " + stage.name())
                          + ", task "
                          + a.task()
                          + ", attempt "
                          + a.attempt()
                          + " ("
                          + causeText(a.cause())
                          + "): "
                          + outcomeText(a.outcome())
                          + ", "
                          + seconds(end(a, run) - a.startedMillis())
                          + (a.workMillis() >= 0 ? " (work " + seconds(a.workMillis()) + ")" : "")
                          + (a.requeuedFrom() == null
                              ? ""
                              : "; requeued by Batch from "
                                  + a.requeuedFrom()
                                  + " (preempted or lost)")
                          + (a.failure() == null ? "" : "; " + a.failure())))
              .append("</title></rect>\n");
        }
        lane++;
      }
    }
    int axisY = laneCount * LANE_HEIGHT + 2;
    out.append("<line class=\"axis\" x1=\"")
        .append(LANE_LABEL_WIDTH)
        .append("\" y1=\"")
        .append(axisY)
        .append("\" x2=\"")
        .append(TIMELINE_WIDTH)
        .append("\" y2=\"")
        .append(axisY)
        .append("\"/>\n");
    long step = tickStep(span);
    for (long t = 0; t <= span; t += step) {
      double x = LANE_LABEL_WIDTH + t * (double) plotWidth / span;
      out.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
              Math.min(x, TIMELINE_WIDTH - 20),
              axisY + 14,
              seconds(t)));
    }
    out.append("</svg>\n");
    long notStarted = run.attempts().stream().filter(a -> !a.ran()).count();
    out.append("<p class=\"note\">").append(ran.size()).append(" attempts ran");
    if (notStarted > 0) {
      out.append(", ").append(notStarted).append(" queued and not started");
    }
    out.append(
        ". Times are when the driver saw an attempt start and end (polling adds up to a poll"
            + " interval); the tooltip adds the work time the attempt itself measured.</p>\n");
  }

  private static void legend(StringBuilder out) {
    out.append("<p class=\"legend\">");
    for (RunRecorder.AttemptOutcome o : RunRecorder.AttemptOutcome.values()) {
      if (o == RunRecorder.AttemptOutcome.QUEUED) {
        continue; // never drawn: a queued attempt has no bar
      }
      out.append("<span><svg width=\"22\" height=\"12\"><rect class=\"attempt o-")
          .append(o)
          .append(" c-FIRST\" x=\"1\" y=\"1\" width=\"20\" height=\"10\"/></svg> ")
          .append(outcomeText(o))
          .append("</span>");
    }
    out.append("<br>Outline: ");
    for (RunRecorder.Cause c : RunRecorder.Cause.values()) {
      if (c == RunRecorder.Cause.FIRST) {
        continue;
      }
      out.append("<span><svg width=\"22\" height=\"12\"><rect class=\"attempt o-STOPPED c-")
          .append(c)
          .append("\" style=\"fill:#fff\" x=\"1\" y=\"1\" width=\"20\" height=\"10\"/></svg> ")
          .append(causeText(c))
          .append("</span>");
    }
    out.append(
            "<span><svg width=\"22\" height=\"12\"><rect class=\"attempt o-STOPPED requeued\""
                + " style=\"fill:#fff\" x=\"1\" y=\"1\" width=\"20\" height=\"10\"/></svg>"
                + " requeued by Batch onto another node (its first node was preempted or lost)</span>")
        .append("</p>\n");
  }

  private static String nodeLabel(RunSnapshot.AttemptView a) {
    return (a.pool() == null ? "?" : a.pool()) + " / " + (a.node() == null ? "?" : a.node());
  }

  private static long end(RunSnapshot.AttemptView a, RunSnapshot run) {
    return a.endedMillis() != 0 ? a.endedMillis() : run.nowMillis();
  }

  private static long tickStep(long spanMillis) {
    long[] steps = {
      100,
      200,
      500,
      1_000,
      2_000,
      5_000,
      10_000,
      15_000,
      30_000,
      60_000,
      120_000,
      300_000,
      600_000,
      900_000,
      1_800_000,
      3_600_000,
      7_200_000,
      21_600_000,
      43_200_000,
      86_400_000
    };
    for (long step : steps) {
      if (spanMillis / step <= 8) {
        return step;
      }
    }
    return spanMillis / 8 + 1;
  }

  private static String causeText(RunRecorder.Cause cause) {
    return switch (cause) {
      case FIRST -> "first attempt";
      case RETRY -> "retry after a failure";
      case NODE_LOST -> "rerun after a lost or preempted node";
      case CONTINUATION -> "continuation of residual work";
    };
  }

  private static String outcomeText(RunRecorder.AttemptOutcome outcome) {
    return switch (outcome) {
      case QUEUED -> "queued";
      case RUNNING -> "running";
      case ACCEPTED -> "succeeded, accepted";
      case DUPLICATE -> "succeeded, not accepted (duplicate)";
      case FAILED -> "failed";
      case NODE_LOST -> "node lost or preempted";
      case STOPPED -> "stopped when the run ended";
    };
  }

  // --- per-stage table ---

  private static void stages(StringBuilder out, RunSnapshot run) {
    Map<Integer, Map<RunRecorder.Cause, Integer>> causes = new HashMap<>();
    for (RunSnapshot.AttemptView a : run.attempts()) {
      causes
          .computeIfAbsent(a.stage(), s -> new EnumMap<>(RunRecorder.Cause.class))
          .merge(a.cause(), 1, Integer::sum);
    }
    out.append("<h2>Task times and data per stage</h2>\n<table id=\"stage-table\"><tr>")
        .append("<th class=\"l\">stage</th><th>tasks</th><th>retries</th><th>node losses</th>")
        .append("<th>continuations</th><th>wall</th><th>task min</th><th>median</th>")
        .append("<th>p90</th><th>max</th><th class=\"l\">task times</th><th>records in</th>")
        .append("<th>shuffle records out</th><th>shuffle bytes out</th></tr>\n");
    for (RunSnapshot.StageView s : run.stages()) {
      List<Long> times = new ArrayList<>(s.acceptedMillis());
      Collections.sort(times);
      Map<RunRecorder.Cause, Integer> c = causes.getOrDefault(s.id(), Map.of());
      out.append("<tr data-stage=\"")
          .append(s.id())
          .append("\"><td class=\"l\">")
          .append(s.id())
          .append(' ')
          .append(html(s.name()))
          .append("</td><td>")
          .append(s.tasks())
          .append(s.reused() > 0 ? " (" + s.reused() + " reused)" : "")
          .append("</td><td>")
          .append(c.getOrDefault(RunRecorder.Cause.RETRY, 0))
          .append("</td><td>")
          .append(c.getOrDefault(RunRecorder.Cause.NODE_LOST, 0))
          .append("</td><td>")
          .append(c.getOrDefault(RunRecorder.Cause.CONTINUATION, 0))
          .append("</td><td>")
          .append(
              s.startedMillis() == 0
                  ? "&ndash;"
                  : seconds(
                      (s.endedMillis() != 0 ? s.endedMillis() : run.nowMillis())
                          - s.startedMillis()))
          .append("</td>");
      if (times.isEmpty()) {
        out.append("<td>&ndash;</td><td>&ndash;</td><td>&ndash;</td><td>&ndash;</td><td></td>");
      } else {
        out.append("<td>")
            .append(seconds(times.get(0)))
            .append("</td><td>")
            .append(seconds(percentile(times, 50)))
            .append("</td><td>")
            .append(seconds(percentile(times, 90)))
            .append("</td><td>")
            .append(seconds(times.get(times.size() - 1)))
            .append("</td><td class=\"l\">");
        histogram(out, times);
        out.append("</td>");
      }
      out.append("<td>")
          .append(s.recordsIn())
          .append("</td><td>")
          .append(s.shuffleRecordsOut())
          .append("</td><td>")
          .append(bytes(s.shuffleBytesOut()))
          .append("</td></tr>\n");
    }
    out.append("</table>\n<p class=\"note\">Task times are the work times of accepted attempts,")
        .append(" as each attempt measured them; data counts sum the accepted attempts (a")
        .append(" stage reading a shuffle reads what its producers wrote into it).</p>\n");
  }

  /** Nearest-rank percentile of sorted values. */
  static long percentile(List<Long> sorted, int p) {
    int rank = (int) Math.ceil(p / 100.0 * sorted.size());
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
  }

  private static void histogram(StringBuilder out, List<Long> sorted) {
    long min = sorted.get(0);
    long max = sorted.get(sorted.size() - 1);
    int[] bins = new int[HISTOGRAM_BINS];
    for (long t : sorted) {
      int b =
          max == min
              ? 0
              : (int) Math.min(HISTOGRAM_BINS - 1, (t - min) * HISTOGRAM_BINS / (max - min));
      bins[b]++;
    }
    int top = 0;
    for (int b : bins) {
      top = Math.max(top, b);
    }
    out.append("<svg class=\"histogram\" width=\"")
        .append(HISTOGRAM_BINS * 8)
        .append("\" height=\"20\">");
    for (int i = 0; i < HISTOGRAM_BINS; i++) {
      int h = bins[i] == 0 ? 0 : Math.max(1, bins[i] * 20 / top);
      out.append("<rect x=\"")
          .append(i * 8)
          .append("\" y=\"")
          .append(20 - h)
          .append("\" width=\"7\" height=\"")
          .append(h)
          .append("\" fill=\"#607d8b\"><title>")
          .append(bins[i])
          .append(" tasks</title></rect>");
    }
    out.append("</svg>");
  }

  // --- node-hours and cost ---

  private static void nodeHours(StringBuilder out, RunSnapshot run, VmPriceTable prices) {
    // A node's busy span: from the first start to the last end of an attempt on it.
    Map<String, long[]> spans = new TreeMap<>();
    Map<String, String> poolOfNode = new HashMap<>();
    for (RunSnapshot.AttemptView a : run.attempts()) {
      if (!a.ran()) {
        continue;
      }
      String key = nodeLabel(a);
      poolOfNode.put(key, a.pool() == null ? "?" : a.pool());
      long[] span = spans.computeIfAbsent(key, k -> new long[] {Long.MAX_VALUE, Long.MIN_VALUE});
      span[0] = Math.min(span[0], a.startedMillis());
      span[1] = Math.max(span[1], end(a, run));
    }
    Map<String, double[]> pools = new TreeMap<>();
    for (Map.Entry<String, long[]> e : spans.entrySet()) {
      double[] p = pools.computeIfAbsent(poolOfNode.get(e.getKey()), k -> new double[2]);
      p[0]++;
      p[1] += (e.getValue()[1] - e.getValue()[0]) / 3_600_000.0;
    }
    out.append("<h2>Node-hours and estimated cost</h2>\n<table id=\"cost-table\"><tr>")
        .append("<th class=\"l\">pool</th><th class=\"l\">VM size</th><th>nodes used</th>")
        .append("<th>node-hours</th><th>price per node-hour</th><th>estimated cost</th>")
        .append("<th class=\"l\">price source</th></tr>\n");
    double total = 0;
    boolean priced = false;
    for (Map.Entry<String, double[]> e : pools.entrySet()) {
      String vmSize = run.poolVmSizes().get(e.getKey());
      Double price = prices.perHour(vmSize);
      double hours = e.getValue()[1];
      out.append("<tr><td class=\"l\">")
          .append(html(e.getKey()))
          .append("</td><td class=\"l\">")
          .append(vmSize == null ? "this machine" : html(vmSize))
          .append("</td><td>")
          .append((int) e.getValue()[0])
          .append("</td><td>")
          .append(String.format(Locale.ROOT, "%.4f", hours))
          .append("</td>");
      if (price != null) {
        total += price * hours;
        priced = true;
        out.append(String.format(Locale.ROOT, "<td>$%.4f</td><td>$%.4f</td>", price, price * hours))
            .append("<td class=\"l\">")
            .append(html(prices.source(vmSize)))
            .append("</td>");
      } else {
        out.append("<td>&ndash;</td><td>&ndash;</td><td class=\"l\">")
            .append(vmSize == null ? "local nodes cost nothing extra" : "no price: give --vmPrices")
            .append("</td>");
      }
      out.append("</tr>\n");
    }
    if (priced) {
      out.append(
          String.format(
              Locale.ROOT,
              "<tr><th class=\"l\" colspan=\"5\">total (estimate)</th><th>$%.4f</th><th></th></tr>\n",
              total));
    }
    out.append("</table>\n<p class=\"note\">Estimates. Node-hours count each node from the first")
        .append(" start to the last end of a task on it as the driver saw them; pool allocation,")
        .append(" start tasks and idle nodes are not included, so a bill is higher. Prices are")
        .append(" pay-as-you-go Linux list prices for ")
        .append(html(prices.region()))
        .append(" as of ")
        .append(html(prices.date()))
        .append(" (bundled table), unless --vmPrices gives them.</p>\n");
  }

  // --- metrics ---

  private static void metrics(StringBuilder out, RunSnapshot run) {
    out.append("<h2>Metrics</h2>\n");
    if (run.metrics().isEmpty()) {
      out.append("<p class=\"note\">No metrics reported.</p>\n");
      return;
    }
    out.append("<table id=\"metrics-table\"><tr><th class=\"l\">step</th>")
        .append("<th class=\"l\">namespace</th><th class=\"l\">name</th><th class=\"l\">kind</th>")
        .append("<th>committed</th><th>attempted</th></tr>\n");
    for (RunSnapshot.MetricRow m : run.metrics()) {
      row(out, 4, m.step(), m.namespace(), m.name(), m.kind(), m.committed(), m.attempted());
    }
    out.append("</table>\n");
  }

  /** A table row of escaped texts; the first {@code leftAligned} cells are left-aligned. */
  private static void row(StringBuilder out, int leftAligned, String... cells) {
    out.append("<tr>");
    for (int i = 0; i < cells.length; i++) {
      out.append(i < leftAligned ? "<td class=\"l\">" : "<td>")
          .append(html(cells[i]))
          .append("</td>");
    }
    out.append("</tr>\n");
  }

  // --- formatting ---

  static String seconds(long millis) {
    if (millis < 60_000) {
      return String.format(Locale.ROOT, "%.1fs", millis / 1000.0);
    }
    long s = millis / 1000;
    if (s < 3600) {
      return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
    return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
  }

  private static String bytes(long n) {
    if (n < 1024) {
      return n + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double v = n;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }

  private static String shorten(String text, int max) {
    return text.length() <= max ? text : text.substring(0, max - 1) + "\u2026";
  }
}

package dev.redwood.runner.driver;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.emptyString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Progress output on a fake clock: how often lines come, and what they say. */
class ProgressTest {
  private static final long SECOND = 1_000_000_000L;

  private final AtomicLong clock = new AtomicLong(1_000 * SECOND);
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

  private Progress progress(Progress.Output mode) {
    return new Progress(
        new PrintStream(bytes, true, StandardCharsets.UTF_8), mode, 2, clock::get, 120);
  }

  private List<String> lines() {
    String text = bytes.toString(StandardCharsets.UTF_8);
    return text.isEmpty() ? List.of() : List.of(text.split("\n"));
  }

  private Progress.StageLine counts(int succeeded, int running, int failed, long started) {
    return new Progress.StageLine(1, "GroupByKey", succeeded, 10, 0, running, failed, started, 0);
  }

  private void advance(double seconds) {
    clock.addAndGet((long) (seconds * SECOND));
  }

  @Test
  void withoutATerminalAStageGetsALineAtMostEveryFiveSeconds() {
    Progress p = progress(Progress.Output.LINES);
    long started = clock.get();
    p.stage(counts(0, 0, 0, started), true);
    assertThat(lines(), hasSize(1));
    // Many task changes within five seconds: no line for any of them.
    for (int i = 0; i < 40; i++) {
      advance(0.1);
      p.stage(counts(i % 3, 1 + i % 4, 0, started), false);
    }
    assertThat(lines(), hasSize(1));
    advance(1.0); // five seconds after the first line
    p.stage(counts(2, 3, 1, started), false);
    assertThat(lines(), hasSize(2));
    assertThat(
        lines().get(1),
        is(
            "[redwood] stage 2/2 GroupByKey: 2/10 tasks succeeded, 3 running, 1 failed, 5.0s,"
                + " 0.40 tasks/s, ETA 20s"));
    // Five more seconds without a change: nothing to say.
    advance(6);
    p.stage(counts(2, 3, 1, started), false);
    assertThat(lines(), hasSize(2));
    advance(0.5);
    p.stage(counts(5, 3, 1, started), false);
    assertThat(lines(), hasSize(3));
    // The end of a stage is always shown, however soon.
    advance(0.1);
    p.stage(new Progress.StageLine(1, "GroupByKey", 10, 10, 0, 0, 1, started, clock.get()), true);
    assertThat(lines(), hasSize(4));
    assertThat(lines().get(3), startsWith("[redwood] stage 2/2 GroupByKey: 10/10 tasks succeeded"));
    assertThat(lines().get(3), not(containsString("ETA")));
    // What the fault campaign's DriverProcess parses.
    for (String line : lines()) {
      assertThat(
          line,
          matchesPattern(
              "^\\[redwood] stage (\\d+)/\\d+ .*: (\\d+)/(\\d+) tasks succeeded(?: \\((\\d+)"
                  + " reused\\))?, (\\d+) running, (\\d+) failed, [0-9.]+s(?:, .*)?$"));
    }
  }

  @Test
  void eachStageHasItsOwnInterval() {
    Progress p = progress(Progress.Output.LINES);
    long started = clock.get();
    p.stage(counts(0, 1, 0, started), true);
    p.stage(new Progress.StageLine(0, "Read", 0, 4, 0, 1, 0, started, 0), true);
    advance(5);
    p.stage(counts(1, 1, 0, started), false);
    p.stage(new Progress.StageLine(0, "Read", 1, 4, 0, 1, 0, started, 0), false);
    assertThat(lines(), hasSize(4));
  }

  @Test
  void onATerminalLinesAreRedrawnInPlaceAndAFinishedStageKeepsItsLine() {
    Progress p = progress(Progress.Output.TERMINAL);
    long started = clock.get();
    p.stage(counts(0, 2, 0, started), true);
    String first = bytes.toString(StandardCharsets.UTF_8);
    assertThat(first, not(containsString("\u001b[")));
    assertThat(first, containsString("[>>>>>                   ] 0/10 done, 2 running"));
    // A redraw within 200 ms of the last is skipped.
    advance(0.1);
    p.stage(counts(1, 2, 0, started), false);
    assertThat(bytes.toString(StandardCharsets.UTF_8), is(first));
    advance(0.2);
    p.stage(counts(5, 2, 0, started), false);
    String redrawn = bytes.toString(StandardCharsets.UTF_8).substring(first.length());
    // Up one line to the stage's line, clear to the end of the screen, then the new bar.
    assertThat(redrawn, startsWith("\u001b[1F\u001b[J[redwood] 2/2 [============>>>>>       ]"));
    assertThat(redrawn, containsString("5/10 done, 2 running, 0 failed"));
    assertThat(redrawn, containsString("ETA"));
    // A message goes above the live line, which is drawn again below it.
    bytes.reset();
    p.line("live report: http://127.0.0.1:1234/");
    assertThat(
        bytes.toString(StandardCharsets.UTF_8),
        matchesPattern(
            "(?s)\u001b\\[1F\u001b\\[J\\[redwood] live report: http://127.0.0.1:1234/\n"
                + "\\[redwood] 2/2 \\[.*\n"));
    bytes.reset();
    advance(1);
    p.stage(new Progress.StageLine(1, "GroupByKey", 10, 10, 0, 0, 0, started, clock.get()), false);
    String end = bytes.toString(StandardCharsets.UTF_8);
    assertThat(end, startsWith("\u001b[1F\u001b[J[redwood] stage 2/2 GroupByKey: 10/10 tasks"));
    assertThat("no live line left", end, endsWith("tasks/s\n"));
  }

  @Test
  void onATerminalOtherWritersPrintAboveTheLiveLines() {
    Progress p = progress(Progress.Output.TERMINAL);
    long started = clock.get();
    PrintStream logs = p.aboveLiveLines();
    p.stage(counts(0, 2, 0, started), true);
    bytes.reset();
    // A log line in two writes, as PrintStream.println makes it: the live line goes first.
    logs.print("INFO Retrying task 3");
    assertThat(bytes.toString(StandardCharsets.UTF_8), is("\u001b[1F\u001b[JINFO Retrying task 3"));
    // Not drawn again inside the log's line, however much time passed.
    advance(1);
    p.stage(counts(1, 2, 0, started), true);
    assertThat(bytes.toString(StandardCharsets.UTF_8), is("\u001b[1F\u001b[JINFO Retrying task 3"));
    logs.println();
    bytes.reset();
    // Once the line is complete, the next update draws the live line below it, without moving up.
    p.stage(counts(1, 2, 0, started), false);
    assertThat(bytes.toString(StandardCharsets.UTF_8), startsWith("[redwood] 2/2 ["));
    assertThat(bytes.toString(StandardCharsets.UTF_8), containsString("1/10 done"));
  }

  @Test
  void quietPrintsNothing() {
    Progress p = progress(Progress.Output.QUIET);
    p.stage(counts(0, 0, 0, clock.get()), true);
    p.line("job x");
    p.summary("done");
    assertThat(bytes.toString(StandardCharsets.UTF_8), is(emptyString()));
  }
}

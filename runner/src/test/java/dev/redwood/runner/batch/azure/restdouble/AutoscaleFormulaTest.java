package dev.redwood.runner.batch.azure.restdouble;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AutoscaleFormulaTest {
  private static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");

  /**
   * Microsoft's "Pending tasks" sample formula, verbatim from "Create a formula to automatically
   * scale compute nodes in a Batch pool" (learn.microsoft.com/azure/batch/batch-automatic-scaling).
   */
  static final String DOCUMENTED_PENDING_TASKS =
      "startingNumberOfVMs = 1;\n"
          + "maxNumberofVMs = 25;\n"
          + "pendingTaskSamplePercent = $PendingTasks.GetSamplePercent(180 * TimeInterval_Second);\n"
          + "pendingTaskSamples = pendingTaskSamplePercent < 70 ? startingNumberOfVMs :"
          + " avg($PendingTasks.GetSample(180 * TimeInterval_Second));\n"
          + "$TargetDedicatedNodes=min(maxNumberofVMs, pendingTaskSamples);\n"
          + "$NodeDeallocationOption = taskcompletion;\n";

  /** Samples every 30 s up to NOW, oldest first: active and running task counts. */
  private static List<AutoscaleFormula.Sample> samples(int[]... activeRunning) {
    List<AutoscaleFormula.Sample> out = new ArrayList<>();
    for (int i = 0; i < activeRunning.length; i++) {
      Instant at = NOW.minusSeconds(30L * (activeRunning.length - 1 - i));
      out.add(new AutoscaleFormula.Sample(at, activeRunning[i][0], activeRunning[i][1], 0, 0));
    }
    return out;
  }

  private static AutoscaleFormula.AutoscaleRun run(
      String formula, List<AutoscaleFormula.Sample> samples) throws AutoscaleFormula.FormulaError {
    return AutoscaleFormula.compile(formula)
        .evaluate(new AutoscaleFormula.Inputs(NOW, samples, 2, 0, 2, 0, 4));
  }

  private static String syntaxError(String formula) {
    return assertThrows(
            AutoscaleFormula.FormulaError.class, () -> AutoscaleFormula.compile(formula))
        .getMessage();
  }

  @Test
  void documentedPendingTasksFormulaStartsWithOneNodeThenFollowsTheQueue() throws Exception {
    // A new pool: no samples yet, so fewer than 70% of the last 180 s -> the starting size.
    AutoscaleFormula.AutoscaleRun fresh = run(DOCUMENTED_PENDING_TASKS, List.of());
    assertThat(fresh.failed(), is(false));
    assertThat(fresh.targetDedicated(), is(1));
    assertThat(fresh.nodeDeallocationOption(), is("taskcompletion"));
    assertThat(
        fresh.results(),
        is(
            "$TargetDedicatedNodes=1;$NodeDeallocationOption=taskcompletion;maxNumberofVMs=25;"
                + "pendingTaskSamplePercent=0;pendingTaskSamples=1;startingNumberOfVMs=1"));

    // Seven samples over the last 180 s: pending (active + running) 6,6,8,8,10,10,12 -> avg 8.57.
    AutoscaleFormula.AutoscaleRun busy =
        run(
            DOCUMENTED_PENDING_TASKS,
            samples(
                new int[] {6, 0},
                new int[] {4, 2},
                new int[] {6, 2},
                new int[] {6, 2},
                new int[] {8, 2},
                new int[] {8, 2},
                new int[] {10, 2}));
    assertThat(busy.failed(), is(false));
    assertThat(busy.targetDedicated(), is(8));
    assertThat(busy.results(), containsString("pendingTaskSamplePercent=100"));

    // Capped at 25 nodes.
    AutoscaleFormula.AutoscaleRun flood =
        run(
            DOCUMENTED_PENDING_TASKS,
            samples(
                new int[] {90, 10},
                new int[] {90, 10},
                new int[] {90, 10},
                new int[] {90, 10},
                new int[] {90, 10},
                new int[] {90, 10}));
    assertThat(flood.targetDedicated(), is(25));
  }

  @Test
  void getSampleByCountIntervalAndPercent() throws Exception {
    List<AutoscaleFormula.Sample> s =
        samples(new int[] {1, 0}, new int[] {2, 0}, new int[] {3, 1}, new int[] {4, 1});
    assertThat(
        run("$TargetDedicatedNodes = max($ActiveTasks.GetSample(1));", s).targetDedicated(), is(4));
    assertThat(
        run("$TargetDedicatedNodes = sum($ActiveTasks.GetSample(2));", s).targetDedicated(), is(7));
    assertThat(
        run("$TargetDedicatedNodes = len($PendingTasks.GetSample(TimeInterval_Minute * 1));", s)
            .targetDedicated(),
        is(3));
    assertThat(run("$TargetDedicatedNodes = $RunningTasks.Count();", s).targetDedicated(), is(4));
    // Look-back from 1 minute ago to 30 s ago: the samples at -60 s and -30 s.
    assertThat(
        run(
                "$TargetDedicatedNodes = sum($ActiveTasks.GetSample(TimeInterval_Minute,"
                    + " 30 * TimeInterval_Second));",
                s)
            .targetDedicated(),
        is(5));
    // 4 samples where 10 minutes hold 20: 20%.
    assertThat(
        run("$TargetDedicatedNodes = $PendingTasks.GetSamplePercent(TimeInterval_Minute * 10);", s)
            .targetDedicated(),
        is(20));
  }

  @Test
  void tooFewSamplesFailTheEvaluationLikeTheService() throws Exception {
    List<AutoscaleFormula.Sample> s = samples(new int[] {3, 0}, new int[] {3, 0});
    AutoscaleFormula.AutoscaleRun r =
        run(
            "$TargetDedicatedNodes = avg($PendingTasks.GetSample(TimeInterval_Minute * 10, 70));",
            s);
    assertThat(r.failed(), is(true));
    assertThat(r.errorCode(), is("InsufficientSampleData"));
    assertThat(r.errorMessage(), is("Autoscale evaluation failed due to insufficient sample data"));
    assertThat(
        r.errorDetail(),
        is(
            "Line 1, Col 43: Insufficient data from data set: $PendingTasks wanted 70%, received 10%"));
    assertThat(r.targetDedicated(), is(nullValue()));

    AutoscaleFormula.AutoscaleRun none =
        run("$TargetDedicatedNodes = $PendingTasks.GetSample(1);", List.of());
    assertThat(none.errorCode(), is("InsufficientSampleData"));
    assertThat(none.errorDetail(), containsString("$PendingTasks wanted 1 samples, received 0"));
  }

  @Test
  void operatorsTernaryAndTargets() throws Exception {
    AutoscaleFormula.AutoscaleRun r =
        run(
            "// comments and line breaks are allowed\n"
                + "$cores = $TargetDedicatedNodes * $TaskSlotsPerNode; /* 2 x 4 */\n"
                + "extra = (($cores - 1) + 3) / 4;\n"
                + "$busy = !(1 > 2) && (2 >= 2 || 0) ;\n"
                + "$TargetDedicated = $busy ? $CurrentDedicatedNodes + extra : 0;\n"
                + "$TargetLowPriorityNodes = min(3, -(-5), 4 * 2) - 1;\n"
                + "$NodeDeallocationOption = requeue",
            List.of());
    assertThat(r.failed(), is(false));
    // 2 + (7 + 3) / 4 = 4.5 -> 4 (whole part); the alias sets the dedicated target.
    assertThat(r.targetDedicated(), is(4));
    assertThat(r.targetLowPriority(), is(2));
    assertThat(r.nodeDeallocationOption(), is("requeue"));
    assertThat(
        r.results(),
        is(
            "$TargetDedicatedNodes=4.5;$TargetLowPriorityNodes=2;$NodeDeallocationOption=requeue;"
                + "$busy=1;$cores=8;extra=2.5"));
    // When a target is set by its full name and its alias, the full name wins.
    assertThat(
        run("$TargetDedicatedNodes = 3; $TargetDedicated = 5;", List.of()).targetDedicated(),
        is(3));
    assertThat(
        run("$TargetDedicated = 5; $TargetDedicatedNodes = 3;", List.of()).targetDedicated(),
        is(3));
    // Targets not set by the formula stay as they are; the default option is requeue.
    AutoscaleFormula.AutoscaleRun quiet = run("x = 1;", List.of());
    assertThat(quiet.targetDedicated(), is(nullValue()));
    assertThat(quiet.results(), is("$TargetDedicatedNodes=2;$NodeDeallocationOption=requeue;x=1"));
  }

  @Test
  void runtimeTypeErrorsFailTheEvaluation() throws Exception {
    AutoscaleFormula.AutoscaleRun r = run("$TargetDedicatedNodes = avg($PendingTasks);", List.of());
    assertThat(r.errorCode(), is("AutoScaleEvaluationFailed"));
    assertThat(r.errorDetail(), containsString("use GetSample"));
    AutoscaleFormula.AutoscaleRun d = run("$NodeDeallocationOption = 3;", List.of());
    assertThat(
        d.errorDetail(),
        containsString("must be one of requeue, retaineddata, taskcompletion, terminate"));
  }

  @Test
  void syntaxErrorsAreRefusedWhenTheFormulaIsSet() {
    assertThat(syntaxError("$TargetDedicatedNodes = ;"), containsString("Line 1, Col 25"));
    assertThat(syntaxError("$TargetDedicatedNodes = 1 +"), containsString("unexpected"));
    assertThat(syntaxError("$TargetDedicatedNodes = 1 2;"), containsString("expected ';'"));
    assertThat(
        syntaxError("$TargetDedicatedNodes = count(1, 2);"),
        containsString("unknown function 'count'"));
    assertThat(
        syntaxError("a = 1;\n$TargetDedicatedNodes = b;"),
        containsString("Line 2, Col 25: unknown variable 'b'"));
    assertThat(syntaxError("$PendingTasks = 3;"), containsString("read-only"));
    assertThat(
        syntaxError("$TargetDedicatedNodes = x.GetSample(1); x = 1;"),
        containsString("unknown variable 'x'"));
    assertThat(
        syntaxError("$TargetDedicatedNodes = $PendingTasks.GetSampleAverage(1);"),
        containsString("unknown method"));
    assertThat(syntaxError("// only a comment"), containsString("no statement"));
    assertThat(syntaxError("x = 1 # 2;"), containsString("unexpected character '#'"));
    StringBuilder many = new StringBuilder();
    for (int i = 0; i <= AutoscaleFormula.MAX_STATEMENTS; i++) {
      many.append("v").append(i).append(" = 1;");
    }
    assertThat(syntaxError(many.toString()), containsString("at most 100"));
    AutoscaleFormula.FormulaError cpu =
        assertThrows(
            AutoscaleFormula.FormulaError.class,
            () ->
                AutoscaleFormula.compile(
                    "$TargetDedicatedNodes = avg($CPUPercent.GetSample(10));"));
    assertThat(cpu.unsupported, is(true));
    assertThat(cpu.getMessage(), containsString("does not simulate $CPUPercent"));
  }
}

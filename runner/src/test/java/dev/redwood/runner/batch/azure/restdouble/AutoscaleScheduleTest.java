package dev.redwood.runner.batch.azure.restdouble;

import static dev.redwood.runner.batch.azure.restdouble.DoubleTestSupport.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The double's own autoscale schedule (no test hook): on the scaled service clock a sample is taken
 * each time its 30 s come round (a 100 ms tick may take several, each at its own due time) and the
 * formula is evaluated when its interval does. At the default time scale the 5 minutes pass in a
 * quarter of a second of real time; a new time scale applies from when it is set.
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class AutoscaleScheduleTest {
  private static ObjectNode json(String s) throws Exception {
    return (ObjectNode) Json.MAPPER.readTree(s);
  }

  @Test
  void samplesAndEvaluationsFireOnTheirOwn() throws Exception {
    Path root = Files.createTempDirectory("autoscale-schedule-");
    BatchEngine engine = new BatchEngine("acct", root);
    try {
      Sim.Pool pool;
      Instant enabled;
      synchronized (engine.lock) {
        pool =
            engine.createPool(
                json(
                    "{\"id\":\"auto\",\"vmSize\":\"standard_d2s_v3\",\"enableAutoScale\":true,"
                        + "\"autoScaleEvaluationInterval\":\"PT5M\",\"autoScaleFormula\":"
                        + "\"$TargetDedicatedNodes = min(2, max($ActiveTasks.GetSample(1)));\"}"));
        assertThat(pool.autoScaleRun.errorCode(), is("InsufficientSampleData"));
        enabled = pool.autoScaleTime;
        assertThat(pool.nextSample, is(enabled.plus(Duration.ofSeconds(30))));
        assertThat(pool.nextAutoScaleEvaluation, is(enabled.plus(Duration.ofMinutes(5))));
        Sim.Job job = engine.createJob(json("{\"id\":\"j\",\"poolInfo\":{\"poolId\":\"auto\"}}"));
        for (int i = 0; i < 4; i++) {
          engine.addTask(job, json("{\"id\":\"t" + i + "\",\"commandLine\":\"sleep 20\"}"));
        }
        assertThat(pool.samples, is(empty()));
      }
      // The first scheduled evaluation, 5 minutes of service time after the formula was set.
      await(
          "the scheduled evaluation",
          Duration.ofSeconds(10),
          () -> {
            synchronized (engine.lock) {
              return pool.autoScaleTime.equals(enabled) ? null : true;
            }
          });
      synchronized (engine.lock) {
        Instant evaluated = pool.autoScaleTime;
        assertThat(evaluated, greaterThanOrEqualTo(enabled.plus(Duration.ofMinutes(5))));
        assertThat(
            pool.autoScaleRun.results(),
            is("$TargetDedicatedNodes=2;$NodeDeallocationOption=requeue"));
        assertThat(pool.targetDedicated, is(2));
        // The schedule moved on: next evaluation 5 minutes after this one.
        assertThat(pool.nextAutoScaleEvaluation, is(evaluated.plus(Duration.ofMinutes(5))));
        // Every 30 s due time has its own sample, none skipped or doubled, none ahead of the
        // clock: a tick spans several periods (100 ms is 2 minutes of service time).
        List<AutoscaleFormula.Sample> samples = List.copyOf(pool.samples);
        assertThat(samples.size(), greaterThanOrEqualTo(10));
        for (int k = 0; k < samples.size(); k++) {
          assertThat(samples.get(k).at(), is(enabled.plus(Duration.ofSeconds(30L * (k + 1)))));
        }
        Instant last = samples.get(samples.size() - 1).at();
        assertThat(last, lessThanOrEqualTo(engine.autoScaleClock()));
        assertThat(pool.nextSample, is(last.plus(Duration.ofSeconds(30))));
        // Up to the first evaluation no node existed (allocation then takes 3 minutes more), so
        // the four tasks were active in each of the ten samples it saw.
        for (AutoscaleFormula.Sample s : samples.subList(0, 10)) {
          assertThat(s.active(), is(4));
        }
      }
      // The resize the evaluation started allocates the nodes after the allocation delay.
      await(
          "the evaluation's two nodes",
          Duration.ofSeconds(10),
          () -> {
            synchronized (engine.lock) {
              return pool.nodes.size() == 2 ? true : null;
            }
          });
    } finally {
      engine.close();
      try (Stream<Path> walk = Files.walk(root)) {
        for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  @Test
  void aNewTimeScaleAppliesFromNowOn() throws Exception {
    Path root = Files.createTempDirectory("autoscale-clock-");
    BatchEngine engine = new BatchEngine("acct", root);
    try {
      Instant start = engine.autoScaleClock();
      Thread.sleep(200);
      Instant sped = engine.autoScaleClock();
      // 200 ms of real time at the default 1/1200 are 4 minutes of service time.
      assertThat(sped, greaterThanOrEqualTo(start.plus(Duration.ofMinutes(4))));
      // Real time from now on: the minutes already passed stay passed.
      engine.limits = AccountLimits.defaults().withTimeScale(1.0);
      Instant real = engine.autoScaleClock();
      assertThat(real, greaterThanOrEqualTo(sped));
      Thread.sleep(200);
      Instant later = engine.autoScaleClock();
      assertThat(later, greaterThanOrEqualTo(real.plusMillis(200)));
      assertThat(later, lessThanOrEqualTo(real.plusSeconds(10)));
    } finally {
      engine.close();
      Files.deleteIfExists(root);
    }
  }
}

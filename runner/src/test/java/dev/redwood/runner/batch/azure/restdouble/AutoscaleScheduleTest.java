package dev.redwood.runner.batch.azure.restdouble;

import static dev.redwood.runner.batch.azure.restdouble.DoubleTestSupport.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The double's own autoscale schedule (no test hook): a sample is taken when its 30 s come round
 * and the formula is evaluated when its interval does. The due times are moved into the past
 * instead of waiting minutes.
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
      synchronized (engine.lock) {
        pool =
            engine.createPool(
                json(
                    "{\"id\":\"auto\",\"vmSize\":\"standard_d2s_v3\",\"enableAutoScale\":true,"
                        + "\"autoScaleEvaluationInterval\":\"PT5M\",\"autoScaleFormula\":"
                        + "\"$TargetDedicatedNodes = min(2, max($ActiveTasks.GetSample(1)));\"}"));
        assertThat(pool.autoScaleRun.errorCode(), is("InsufficientSampleData"));
        Sim.Job job = engine.createJob(json("{\"id\":\"j\",\"poolInfo\":{\"poolId\":\"auto\"}}"));
        for (int i = 0; i < 4; i++) {
          engine.addTask(job, json("{\"id\":\"t" + i + "\",\"commandLine\":\"sleep 20\"}"));
        }
        assertThat(pool.nodes.size(), is(0));
        // Due now: the next sample (30 s after enabling) and the next evaluation (5 min).
        Instant past = Instant.now().minus(Duration.ofSeconds(1));
        pool.nextSample = past;
        pool.nextAutoScaleEvaluation = past;
      }
      await(
          "the scheduled evaluation to add nodes",
          Duration.ofSeconds(10),
          () -> {
            synchronized (engine.lock) {
              return pool.nodes.size() == 2 ? true : null;
            }
          });
      synchronized (engine.lock) {
        assertThat(pool.samples.size(), is(1));
        assertThat(pool.samples.get(0).active(), is(4));
        assertThat(
            pool.autoScaleRun.results(),
            is("$TargetDedicatedNodes=2;$NodeDeallocationOption=requeue"));
        // The schedule moved on: next sample in 30 s, next evaluation in 5 minutes.
        assertThat(
            Duration.between(Instant.now(), pool.nextAutoScaleEvaluation).toSeconds(),
            greaterThanOrEqualTo(290L));
        assertThat(
            Duration.between(Instant.now(), pool.nextSample).toSeconds(),
            greaterThanOrEqualTo(20L));
      }
    } finally {
      engine.close();
      try (Stream<Path> walk = Files.walk(root)) {
        for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }
}

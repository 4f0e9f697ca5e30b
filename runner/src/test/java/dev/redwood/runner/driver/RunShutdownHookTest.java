package dev.redwood.runner.driver;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.redwood.runner.CapturedStderr;
import dev.redwood.runner.batch.BatchJob;
import dev.redwood.runner.batch.BatchService;
import dev.redwood.runner.batch.JobSpec;
import dev.redwood.runner.batch.TaskEvent;
import dev.redwood.runner.batch.TaskSpec;
import dev.redwood.runner.plan.JobLayout;
import dev.redwood.runner.storage.LocalBlobStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shutdown hook's choices, with its body called directly (a real signal is {@code
 * StoppedDriverTest}'s): who cleans up when run and hook meet, a signal during staging, a Batch
 * service that does not answer in time, and the running-task count of the stderr line.
 */
@Timeout(60)
class RunShutdownHookTest {
  private static final String JOB = "redwood-20261207-120000-abcdef";

  @TempDir Path temp;

  @Test
  void theHookStopsTheTasksDeletesTheObjectsAndCountsWhatRan() throws Exception {
    LocalBlobStore store = store();
    FakeBatch fake = new FakeBatch(Duration.ZERO);
    RunShutdownHook hook = RunShutdownHook.register(layout(), false, true, objects(store, false));
    try {
      AtomicInteger cancels = new AtomicInteger();
      BatchJob job = hook.watch(fake).createJob(new JobSpec(JOB, List.of(), Map.of()));
      hook.onStop(cancels::incrementAndGet);
      fake.events.add(new TaskEvent("s0-t0-a0", TaskEvent.State.RUNNING, 0, null, "n"));
      fake.events.add(new TaskEvent("s0-t1-a0", TaskEvent.State.RUNNING, 0, null, "n"));
      fake.events.add(new TaskEvent("s0-t2-a0", TaskEvent.State.RUNNING, 0, null, "n"));
      fake.events.add(new TaskEvent("s0-t1-a0", TaskEvent.State.COMPLETED, 0, null, "n"));
      job.pollTaskEvents(Duration.ZERO);

      String line = CapturedStderr.of(hook::stopRun, false);

      assertThat(
          line,
          is(
              "Interrupted: job "
                  + JOB
                  + " stopped (2 running tasks stopped); Batch jobs deleted; its objects were"
                  + " deleted\n"));
      assertThat(cancels.get(), is(1));
      assertThat(fake.closes.get(), is(1));
      assertThat(store.list(layout().jobPrefix()), is(List.of()));
      assertThat("the run leaves the clean-up to the hook", hook.runCleansUp(), is(false));
      assertThat(hook.stopping(), is(true));
    } finally {
      hook.runEnded();
    }
  }

  @Test
  void aRunThatEndedAsTheSignalCameCleansUpItselfAndTheHookWaitsForIt() throws Exception {
    LocalBlobStore store = store();
    FakeBatch fake = new FakeBatch(Duration.ZERO);
    RunShutdownHook hook = RunShutdownHook.register(layout(), false, false, objects(store, false));
    hook.watch(fake);
    assertThat(hook.runCleansUp(), is(true));
    CountDownLatch hookDone = new CountDownLatch(1);
    String[] printed = new String[1];
    Thread signal =
        new Thread(
            () -> {
              printed[0] = CapturedStderr.of(hook::stopRun, false);
              hookDone.countDown();
            });
    signal.start();
    assertThat(
        "the hook waits for the run's clean-up", hookDone.await(1, TimeUnit.SECONDS), is(false));
    hook.runEnded();
    assertThat(hookDone.await(5, TimeUnit.SECONDS), is(true));
    assertThat(printed[0], is(""));
    assertThat("the hook left the service to the run", fake.closes.get(), is(0));
    assertThat(store.list(layout().jobPrefix()).size(), is(1));
  }

  @Test
  void aSignalDuringStagingLeavesNothingToStartAndKeepsANamedRunsObjects() throws Exception {
    LocalBlobStore store = store();
    RunShutdownHook hook = RunShutdownHook.register(layout(), true, true, objects(store, true));
    try {
      String line = CapturedStderr.of(hook::stopRun, false);
      assertThat(line, containsString("no Batch job had been created"));
      assertThat(line, containsString("its objects were kept for --resumeFrom=" + JOB + "\n"));
      assertThat(
          "kept, and the run's end recorded",
          store.list(layout().jobPrefix()),
          is(List.of(layout().jobPrefix() + "ended", layout().jobPrefix() + "stages/0/spec")));

      FakeBatch fake = new FakeBatch(Duration.ZERO);
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> hook.watch(fake));
      assertThat(e.getMessage(), containsString("stopped before it started"));
      assertThat("the service opened too late is closed", fake.closes.get(), is(1));
    } finally {
      hook.runEnded();
    }
  }

  @Test
  void aBatchServiceThatDoesNotAnswerHoldsTheJvmForTheBudgetOnly() throws Exception {
    LocalBlobStore store = store();
    FakeBatch stuck = new FakeBatch(Duration.ofMinutes(5));
    RunShutdownHook hook = RunShutdownHook.register(layout(), false, true, objects(store, false));
    try {
      hook.watch(stuck);
      long start = System.nanoTime();
      String line = CapturedStderr.of(hook::stopRun, false);
      double seconds = (System.nanoTime() - start) / 1e9;
      assertThat(seconds, greaterThanOrEqualTo(RunShutdownHook.BUDGET.toSeconds() - 0.5));
      assertThat(seconds, lessThan(RunShutdownHook.BUDGET.toSeconds() + 3.0));
      assertThat(
          line,
          containsString(
              "Batch jobs not confirmed stopped within 10 s (Batch ends them at the run's"
                  + " deadline)"));
      assertThat(
          line, containsString("its objects were not all deleted in time (jobs/" + JOB + "/)"));
    } finally {
      hook.runEnded();
    }
  }

  private LocalBlobStore store() throws IOException {
    LocalBlobStore store = new LocalBlobStore(Files.createDirectories(temp.resolve("store")));
    store.put(layout().jobPrefix() + "stages/0/spec", new byte[] {1});
    return store;
  }

  /** The launcher's step: deletes the objects, or records the end of a kept run. */
  private static RunShutdownHook.ObjectsStep objects(LocalBlobStore store, boolean keep) {
    return () -> {
      if (keep) {
        store.put(layout().jobPrefix() + "ended", "CANCELLED".getBytes(StandardCharsets.UTF_8));
      } else {
        store.deletePrefix(layout().jobPrefix());
      }
    };
  }

  private static JobLayout layout() {
    return new JobLayout(JOB);
  }

  /** A Batch service whose close takes {@code closeTime}; its job reports queued events. */
  private static final class FakeBatch implements BatchService {
    final List<TaskEvent> events = new ArrayList<>();
    final AtomicInteger closes = new AtomicInteger();
    private final Duration closeTime;

    FakeBatch(Duration closeTime) {
      this.closeTime = closeTime;
    }

    @Override
    public BatchJob createJob(JobSpec spec) {
      return new BatchJob() {
        @Override
        public String jobId() {
          return spec.jobId();
        }

        @Override
        public void addTasks(List<TaskSpec> tasks) {}

        @Override
        public List<TaskEvent> pollTaskEvents(Duration maxWait) {
          List<TaskEvent> out = new ArrayList<>(events);
          events.clear();
          return out;
        }

        @Override
        public String taskLogTail(String taskId, int maxBytes) {
          return "";
        }

        @Override
        public void terminate() {}
      };
    }

    @Override
    public int totalTaskSlots() {
      return 1;
    }

    @Override
    public void close() throws IOException {
      closes.incrementAndGet();
      try {
        Thread.sleep(closeTime.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}

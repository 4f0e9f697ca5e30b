package dev.redwood.runner.driver;

import dev.redwood.runner.metrics.JobMetrics;
import dev.redwood.runner.report.RunSnapshot;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricResults;
import org.joda.time.Duration;

/**
 * A running or finished Redwood pipeline. {@link #waitUntilFinish()} rethrows a failure the way
 * Beam's runners do: as a {@link Pipeline.PipelineExecutionException} caused by the user's
 * exception.
 */
public final class AzureBatchPipelineResult implements PipelineResult {
  private final JobMetrics metrics;
  private final CountDownLatch finished = new CountDownLatch(1);
  private final Runnable canceller;
  private volatile State state = State.RUNNING;
  private volatile RuntimeException failure;
  private volatile List<String> reportLocations = List.of();
  private final Supplier<RunSnapshot> runRecord;

  AzureBatchPipelineResult(
      JobMetrics metrics, Runnable canceller, Supplier<RunSnapshot> runRecord) {
    this.metrics = metrics;
    this.canceller = canceller;
    this.runRecord = runRecord;
  }

  /**
   * What the run report shows, as data: stages, every task attempt with its times, node and
   * outcome, records and metrics, as recorded so far (all of it once the run has ended).
   */
  public RunSnapshot runSnapshot() {
    return runRecord.get();
  }

  /**
   * Where the run report was written (a path, a blob URL), once the run has ended; empty before, or
   * when it could not be written. Programs that print their own summary name it there.
   */
  public List<String> reportLocations() {
    return reportLocations;
  }

  void reportsWritten(List<String> locations) {
    reportLocations = List.copyOf(locations);
  }

  void finish(State terminal, RuntimeException error) {
    this.failure = error;
    this.state = terminal;
    finished.countDown();
  }

  @Override
  public State getState() {
    return state;
  }

  @Override
  public State cancel() throws IOException {
    if (!state.isTerminal()) {
      canceller.run();
      waitUntilFinish(Duration.standardMinutes(1));
    }
    return state;
  }

  @Override
  public State waitUntilFinish(Duration duration) {
    try {
      if (duration == null || duration.getMillis() < 1) {
        finished.await();
      } else if (!finished.await(duration.getMillis(), TimeUnit.MILLISECONDS)) {
        return null; // Beam's contract: null when the wait timed out
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
    if (failure != null) {
      throw failure;
    }
    return state;
  }

  @Override
  public State waitUntilFinish() {
    return waitUntilFinish(Duration.ZERO);
  }

  @Override
  public MetricResults metrics() {
    return metrics.results();
  }
}

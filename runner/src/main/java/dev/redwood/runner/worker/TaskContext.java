package dev.redwood.runner.worker;

import dev.redwood.runner.plan.AttemptLayout;
import dev.redwood.runner.plan.JobLayout;
import dev.redwood.runner.shuffle.ShuffleObject;
import dev.redwood.runner.shuffle.ShuffleStats;
import dev.redwood.runner.storage.BlobStore;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.apache.beam.runners.core.metrics.MetricsContainerStepMap;
import org.apache.beam.sdk.metrics.MetricsEnvironment;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.DoFn;
import org.joda.time.Instant;

/** What the operators of one task attempt share: where to read and write, metrics, outputs. */
public final class TaskContext {
  private final BlobStore store;
  private final JobLayout layout;
  private final StageSpec spec;
  private final int task;
  private final AttemptLayout attempt;
  private final Path workingDir;
  private final PipelineOptions options;
  private final MetricsContainerStepMap metrics = new MetricsContainerStepMap();
  private final Map<String, ShuffleObject> shuffleOutputs = new LinkedHashMap<>();
  private final Map<String, String> viewOutputs = new LinkedHashMap<>();
  private long shuffleRecords;
  private long shuffleBytes;
  private final Map<String, String> residuals = new LinkedHashMap<>();
  private MaterializedSideInputs sideInputs;
  private final List<FinalizeCallback> finalizeCallbacks = new ArrayList<>();
  private int shuffleWriters;
  private Object harnessBundleHolder;

  /** A bundle finalization callback with the time after which it is no longer wanted. */
  record FinalizeCallback(Instant expiry, DoFn.BundleFinalizer.Callback callback) {}

  TaskContext(
      BlobStore store,
      JobLayout layout,
      StageSpec spec,
      int task,
      AttemptLayout attempt,
      Path workingDir) {
    this.store = store;
    this.layout = layout;
    this.spec = spec;
    this.task = task;
    this.attempt = attempt;
    this.workingDir = workingDir;
    this.options = spec.options().get();
  }

  public BlobStore store() {
    return store;
  }

  public JobLayout layout() {
    return layout;
  }

  public StageSpec spec() {
    return spec;
  }

  public int task() {
    return task;
  }

  public PipelineOptions options() {
    return options;
  }

  public Path workingDir() {
    return workingDir;
  }

  public MetricsContainerStepMap metrics() {
    return metrics;
  }

  /** Makes {@code step} the metrics container of this thread until the result is closed. */
  public Closeable metricsScope(String step) {
    return MetricsEnvironment.scopedMetricsContainer(metrics.getContainer(step));
  }

  /** Where this attempt writes its objects. */
  public AttemptLayout attempt() {
    return attempt;
  }

  /**
   * Claims a share of the task's shuffle buffer for one shuffle writer. Writers claim when they are
   * built and ask for the size when they start, by when every writer of the stage has claimed: the
   * buffer is split evenly among them.
   */
  LongSupplier claimShuffleBuffer() {
    shuffleWriters++;
    return () -> spec.shuffleBufferMb() * 1024L * 1024L / shuffleWriters;
  }

  void addShuffleOutput(String shuffleId, ShuffleObject object, ShuffleStats stats) {
    shuffleOutputs.put(shuffleId, object);
    shuffleRecords += stats.records();
    shuffleBytes += stats.bytes();
  }

  /** Records this attempt wrote into shuffles, for its manifest. */
  long shuffleRecords() {
    return shuffleRecords;
  }

  /** Bytes of the shuffle objects this attempt wrote, for its manifest. */
  long shuffleBytes() {
    return shuffleBytes;
  }

  void addViewOutput(String viewId, String key) {
    viewOutputs.put(viewId, key);
  }

  void addResiduals(String processStep, String key) {
    residuals.put(processStep, key);
  }

  Map<String, String> residuals() {
    return residuals;
  }

  Map<String, ShuffleObject> shuffleOutputs() {
    return shuffleOutputs;
  }

  Map<String, String> viewOutputs() {
    return viewOutputs;
  }

  /**
   * Claims the task's one open SDK harness bundle for {@code holder}. A harness hands a bundle's
   * outputs over only while the runner waits for that bundle to end, so a second bundle open in the
   * same task could block the first one's outputs behind its own; operators that cannot claim it
   * hold their input until the holder is done.
   */
  boolean claimHarnessBundle(Object holder) {
    if (harnessBundleHolder == null || harnessBundleHolder == holder) {
      harnessBundleHolder = holder;
      return true;
    }
    return false;
  }

  void releaseHarnessBundle(Object holder) {
    if (harnessBundleHolder == holder) {
      harnessBundleHolder = null;
    }
  }

  /** Collects callbacks that run once the task's outputs are committed (its manifest written). */
  DoFn.BundleFinalizer bundleFinalizer() {
    return (expiry, callback) -> finalizeCallbacks.add(new FinalizeCallback(expiry, callback));
  }

  List<FinalizeCallback> finalizeCallbacks() {
    return finalizeCallbacks;
  }

  /** Side inputs of this task, loaded from the blob store on first use. */
  MaterializedSideInputs sideInputs() throws IOException {
    if (sideInputs == null) {
      sideInputs = new MaterializedSideInputs(this);
    }
    return sideInputs;
  }
}

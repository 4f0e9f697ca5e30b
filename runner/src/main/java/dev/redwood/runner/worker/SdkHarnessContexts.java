package dev.redwood.runner.worker;

import dev.redwood.runner.batch.LocalNodeMain;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.beam.model.fnexecution.v1.BeamFnApi;
import org.apache.beam.runners.fnexecution.control.BundleCheckpointHandler;
import org.apache.beam.runners.fnexecution.control.BundleFinalizationHandler;
import org.apache.beam.runners.fnexecution.control.BundleProgressHandler;
import org.apache.beam.runners.fnexecution.control.DefaultExecutableStageContext;
import org.apache.beam.runners.fnexecution.control.ExecutableStageContext;
import org.apache.beam.runners.fnexecution.control.InstructionRequestHandler;
import org.apache.beam.runners.fnexecution.control.OutputReceiverFactory;
import org.apache.beam.runners.fnexecution.control.ProcessBundleDescriptors;
import org.apache.beam.runners.fnexecution.control.RemoteBundle;
import org.apache.beam.runners.fnexecution.control.StageBundleFactory;
import org.apache.beam.runners.fnexecution.control.TimerReceiverFactory;
import org.apache.beam.runners.fnexecution.provisioning.JobInfo;
import org.apache.beam.runners.fnexecution.state.StateRequestHandler;
import org.apache.beam.sdk.fn.data.FnDataReceiver;
import org.apache.beam.sdk.util.construction.Timer;
import org.apache.beam.sdk.util.construction.graph.ExecutableStage;
import org.apache.beam.sdk.values.KV;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SDK harness environments of this JVM: one per job (per SDK environment of the job), shared by
 * all of the job's tasks that run here at once, each task with bundles of its own on it. A node JVM
 * with N slots thus starts one harness for a job, not N.
 *
 * <p>A harness that has not answered an instruction yet gets one bundle at a time: the first task
 * to open a bundle on it goes ahead, the others wait until that bundle has completed. Beam's Java
 * harness takes instructions before its control client has finished setting up, and answers that it
 * sends in that window are lost (the runner then waits forever for that bundle). With an EMBEDDED
 * harness this window lasts as long as the harness takes to read every instruction sent before it
 * connected, so tasks that all opened their first bundle as the harness started left one of them
 * waiting. An answer proves the window has closed; a lone first bundle is read as soon as the
 * harness connects, and is answered only after the harness has fetched its descriptor back from the
 * runner and run it, by when the harness has long finished reading that one instruction (as when
 * each task had a harness of its own).
 *
 * <p>Environments end with their job, never in the middle of other work: a local node JVM closes
 * them when its job ends (it exits then, or stays warm for the next job), an Azure task JVM when it
 * exits with its task, in order either way (so a client's LOOPBACK worker sees its connections end
 * rather than drop); nodes inside the driver's JVM have theirs closed by {@link #closeJob} when the
 * job ends. (Closing an embedded harness while another one in the JVM starts can leave the other
 * without its data connection.) A task's end closes nothing shared: its bundles are closed (each
 * once) and its stage bundle factories are dropped, and a failed bundle fails only its own task.
 */
public final class SdkHarnessContexts {
  private static final Logger LOG = LoggerFactory.getLogger(SdkHarnessContexts.class);
  private static final Map<String, JobEnvironments> BY_JOB = new HashMap<>();

  static {
    Runtime.getRuntime()
        .addShutdownHook(new Thread(SdkHarnessContexts::closeAll, "redwood-sdk-harness-close"));
    // A warm node JVM outlives its job: the job's environments end with the job all the same.
    LocalNodeMain.whenJobEnds(SdkHarnessContexts::closeAll);
  }

  private SdkHarnessContexts() {}

  /** The job's environments for one task, shared with the job's other tasks in this JVM. */
  static ExecutableStageContext acquire(JobInfo job) {
    synchronized (BY_JOB) {
      JobEnvironments environments = BY_JOB.get(job.jobId());
      if (environments == null) {
        // Starts no harness yet: the bundle factory starts one as the first stage asks for it.
        environments = new JobEnvironments(job.jobId(), DefaultExecutableStageContext.create(job));
        BY_JOB.put(job.jobId(), environments);
      }
      return new Lease(environments);
    }
  }

  /** Closes the environments of a job that has ended (nodes that live in the driver's JVM). */
  public static void closeJob(String jobId) {
    JobEnvironments environments;
    synchronized (BY_JOB) {
      environments = BY_JOB.remove(jobId);
    }
    if (environments != null) {
      try {
        environments.context.close();
      } catch (Exception e) {
        LOG.warn("Could not close the SDK harness environments of job {}", jobId, e);
      }
    }
  }

  private static void closeAll() {
    List<String> jobs;
    synchronized (BY_JOB) {
      jobs = new ArrayList<>(BY_JOB.keySet());
    }
    jobs.forEach(SdkHarnessContexts::closeJob);
  }

  /** A job's bundle factory (which caches one harness per SDK environment) and its harnesses. */
  private static final class JobEnvironments {
    final String jobId;
    final DefaultExecutableStageContext context;
    // By each harness's control client; guarded by itself.
    private final Map<InstructionRequestHandler, FirstAnswer> harnesses = new IdentityHashMap<>();

    JobEnvironments(String jobId, DefaultExecutableStageContext context) {
      this.jobId = jobId;
      this.context = context;
    }

    FirstAnswer firstAnswerOf(InstructionRequestHandler harness) {
      synchronized (harnesses) {
        return harnesses.computeIfAbsent(harness, h -> new FirstAnswer(jobId));
      }
    }
  }

  /**
   * Whether a harness has answered an instruction, and whether its first bundle (the one sent while
   * it had not) is still open.
   */
  private static final class FirstAnswer {
    /** How often a task that waits for the first bundle says so. */
    private static final long WAIT_LINE_EVERY_MILLIS = 60_000;

    private final String jobId;
    private boolean answered;
    private boolean firstOpen;

    FirstAnswer(String jobId) {
      this.jobId = jobId;
    }

    /**
     * Returns whether the caller's bundle is the harness's first; waits while another one is. The
     * wait ends when that bundle completes or fails, or when this task is interrupted (stopped); it
     * is as long as that bundle's work, so it is said once a minute rather than bounded.
     */
    synchronized boolean enter() throws InterruptedException {
      long lastLine = System.nanoTime();
      while (!answered && firstOpen) {
        wait(WAIT_LINE_EVERY_MILLIS);
        long now = System.nanoTime();
        if (!answered && firstOpen && now - lastLine >= WAIT_LINE_EVERY_MILLIS * 1_000_000) {
          LOG.info(
              "Waiting for the first bundle of an SDK harness of job {} to end: the harness takes"
                  + " one bundle at a time until it has answered one",
              jobId);
          lastLine = now;
        }
      }
      if (answered) {
        return false;
      }
      firstOpen = true;
      return true;
    }

    /** The first bundle ended; if it failed without an answer, the next one waits for none. */
    synchronized void firstEnded(boolean harnessAnswered) {
      firstOpen = false;
      answered |= harnessAnswered;
      notifyAll();
    }
  }

  /** A task's use of its job's environments; closing it leaves them to the job's other tasks. */
  private static final class Lease implements ExecutableStageContext {
    private final JobEnvironments environments;

    Lease(JobEnvironments environments) {
      this.environments = environments;
    }

    @Override
    public StageBundleFactory getStageBundleFactory(ExecutableStage stage) {
      StageBundleFactory factory = environments.context.getStageBundleFactory(stage);
      return new SharedHarnessStage(
          factory, environments.firstAnswerOf(factory.getInstructionRequestHandler()));
    }

    @Override
    public void close() {
      // The environments are the job's: they end with it (see the class comment).
    }
  }

  /** One task's stage on a shared harness: bundles wait for the harness's first answer. */
  private static final class SharedHarnessStage implements StageBundleFactory {
    private final StageBundleFactory delegate;
    private final FirstAnswer firstAnswer;

    SharedHarnessStage(StageBundleFactory delegate, FirstAnswer firstAnswer) {
      this.delegate = delegate;
      this.firstAnswer = firstAnswer;
    }

    @Override
    public RemoteBundle getBundle(
        OutputReceiverFactory outputReceiverFactory,
        TimerReceiverFactory timerReceiverFactory,
        StateRequestHandler stateRequestHandler,
        BundleProgressHandler progressHandler,
        BundleFinalizationHandler finalizationHandler,
        BundleCheckpointHandler checkpointHandler)
        throws Exception {
      boolean first = firstAnswer.enter();
      AtomicBoolean answered = new AtomicBoolean();
      BundleProgressHandler progress =
          !first
              ? progressHandler
              : new BundleProgressHandler() {
                @Override
                public void onProgress(BeamFnApi.ProcessBundleProgressResponse response) {
                  progressHandler.onProgress(response);
                }

                @Override
                public void onCompleted(BeamFnApi.ProcessBundleResponse response) {
                  answered.set(true);
                  progressHandler.onCompleted(response);
                }
              };
      RemoteBundle bundle;
      try {
        bundle =
            delegate.getBundle(
                outputReceiverFactory,
                timerReceiverFactory,
                stateRequestHandler,
                progress,
                finalizationHandler,
                checkpointHandler);
      } catch (Exception | Error e) {
        if (first) {
          firstAnswer.firstEnded(false);
        }
        throw e;
      }
      return new ClosedOnce(bundle, first ? () -> firstAnswer.firstEnded(answered.get()) : null);
    }

    @Override
    public ProcessBundleDescriptors.ExecutableProcessBundleDescriptor getProcessBundleDescriptor() {
      return delegate.getProcessBundleDescriptor();
    }

    @Override
    public InstructionRequestHandler getInstructionRequestHandler() {
      return delegate.getInstructionRequestHandler();
    }

    @Override
    public void close() throws Exception {
      // Drops this task's hold on its stage; the harness stays with the job.
      delegate.close();
    }
  }

  /**
   * A bundle that is closed at most once: Beam's bundle factory releases its hold on the harness on
   * every close, so a second one could close a harness that other tasks are using.
   */
  private static final class ClosedOnce implements RemoteBundle {
    private final RemoteBundle delegate;
    private final Runnable afterClose;
    private final AtomicBoolean closed = new AtomicBoolean();

    ClosedOnce(RemoteBundle delegate, Runnable afterClose) {
      this.delegate = delegate;
      this.afterClose = afterClose;
    }

    @Override
    public String getId() {
      return delegate.getId();
    }

    @Override
    @SuppressWarnings("rawtypes")
    public Map<String, FnDataReceiver> getInputReceivers() {
      return delegate.getInputReceivers();
    }

    @Override
    public Map<KV<String, String>, FnDataReceiver<Timer>> getTimerReceivers() {
      return delegate.getTimerReceivers();
    }

    @Override
    public void requestProgress() {
      delegate.requestProgress();
    }

    @Override
    public void split(double fractionOfRemainder) {
      delegate.split(fractionOfRemainder);
    }

    @Override
    public void close() throws Exception {
      if (closed.getAndSet(true)) {
        return;
      }
      try {
        delegate.close();
      } finally {
        if (afterClose != null) {
          afterClose.run();
        }
      }
    }
  }
}

package dev.redwood.runner.worker;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.beam.runners.fnexecution.control.DefaultExecutableStageContext;
import org.apache.beam.runners.fnexecution.control.ExecutableStageContext;
import org.apache.beam.runners.fnexecution.control.StageBundleFactory;
import org.apache.beam.runners.fnexecution.provisioning.JobInfo;
import org.apache.beam.sdk.options.PortablePipelineOptions;
import org.apache.beam.sdk.util.construction.PipelineOptionsTranslation;
import org.apache.beam.sdk.util.construction.graph.ExecutableStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SDK harness environments of this JVM, one set per portable job: the tasks of a job that run
 * on one node JVM share its harnesses (started once, not per task or bundle). When a job's last
 * task here ends, its environments are kept for the job's {@code --environmentCacheMillis}, so the
 * next task finds them warm, then closed. When the JVM exits they are closed at once, so external
 * workers (a client's LOOPBACK worker pool) see their connections end in order, not dropped.
 */
final class SdkHarnessContexts {
  private static final Logger LOG = LoggerFactory.getLogger(SdkHarnessContexts.class);
  private static final Map<String, Shared> BY_JOB = new HashMap<>();
  private static final ScheduledExecutorService RELEASER =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "redwood-sdk-harness-release");
            t.setDaemon(true);
            return t;
          });

  static {
    Runtime.getRuntime()
        .addShutdownHook(new Thread(SdkHarnessContexts::closeAll, "redwood-sdk-harness-close"));
  }

  private SdkHarnessContexts() {}

  /** The job's environments, held until the returned context is closed. */
  static ExecutableStageContext acquire(JobInfo job) {
    synchronized (BY_JOB) {
      Shared shared = BY_JOB.computeIfAbsent(job.jobId(), id -> new Shared(job));
      shared.users++;
      if (shared.pendingClose != null) {
        shared.pendingClose.cancel(false);
        shared.pendingClose = null;
      }
      return new Lease(shared);
    }
  }

  private static void release(Shared shared) {
    synchronized (BY_JOB) {
      if (--shared.users > 0) {
        return;
      }
      long keepMillis =
          PipelineOptionsTranslation.fromProto(shared.job.pipelineOptions())
              .as(PortablePipelineOptions.class)
              .getEnvironmentCacheMillis();
      if (keepMillis <= 0) {
        close(shared);
      } else {
        shared.pendingClose =
            RELEASER.schedule(
                () -> {
                  synchronized (BY_JOB) {
                    if (shared.users == 0) {
                      close(shared);
                    }
                  }
                },
                keepMillis,
                TimeUnit.MILLISECONDS);
      }
    }
  }

  private static void closeAll() {
    synchronized (BY_JOB) {
      for (Shared shared : Map.copyOf(BY_JOB).values()) {
        close(shared);
      }
    }
  }

  private static void close(Shared shared) {
    BY_JOB.remove(shared.job.jobId(), shared);
    try {
      shared.context.close();
    } catch (Exception e) {
      LOG.warn("Could not close the SDK harnesses of job {}", shared.job.jobId(), e);
    }
  }

  /** One job's environments and how many running tasks use them. */
  private static final class Shared {
    final JobInfo job;
    final DefaultExecutableStageContext context;
    int users;
    ScheduledFuture<?> pendingClose;

    Shared(JobInfo job) {
      this.job = job;
      this.context = DefaultExecutableStageContext.create(job);
    }
  }

  /** A task's hold on its job's environments. */
  private static final class Lease implements ExecutableStageContext {
    private final Shared shared;
    private boolean closed;

    Lease(Shared shared) {
      this.shared = shared;
    }

    @Override
    public StageBundleFactory getStageBundleFactory(ExecutableStage stage) {
      return shared.context.getStageBundleFactory(stage);
    }

    @Override
    public void close() {
      if (!closed) {
        closed = true;
        release(shared);
      }
    }
  }
}

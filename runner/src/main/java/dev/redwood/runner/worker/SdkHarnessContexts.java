package dev.redwood.runner.worker;

import dev.redwood.runner.batch.LocalNodeMain;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.runners.fnexecution.control.DefaultExecutableStageContext;
import org.apache.beam.runners.fnexecution.control.ExecutableStageContext;
import org.apache.beam.runners.fnexecution.control.StageBundleFactory;
import org.apache.beam.runners.fnexecution.provisioning.JobInfo;
import org.apache.beam.sdk.util.construction.graph.ExecutableStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SDK harness environments of this JVM. Each running task of a portable job has an environment
 * of its own (a harness serves one task's bundles at a time, as a Flink task slot has its own); one
 * a task is done with waits for the job's next task here. A node thus starts as many harnesses as
 * it runs tasks of the job at once, not one per task.
 *
 * <p>Environments end with their job, never in the middle of other work: a local node JVM closes
 * them when its job ends (it exits then, or stays warm for the next job), an Azure task JVM when it
 * exits with its task, in order either way (so a client's LOOPBACK worker sees its connections end
 * rather than drop); nodes inside the driver's JVM have theirs closed by {@link #closeJob} when the
 * job ends. (Closing an embedded harness while another one in the JVM starts can leave the other
 * without its data connection.)
 */
public final class SdkHarnessContexts {
  private static final Logger LOG = LoggerFactory.getLogger(SdkHarnessContexts.class);
  private static final Map<String, Deque<DefaultExecutableStageContext>> IDLE_BY_JOB =
      new HashMap<>();
  private static final Map<String, List<DefaultExecutableStageContext>> LIVE_BY_JOB =
      new HashMap<>();

  static {
    Runtime.getRuntime()
        .addShutdownHook(new Thread(SdkHarnessContexts::closeAll, "redwood-sdk-harness-close"));
    // A warm node JVM outlives its job: the job's environments end with the job all the same.
    LocalNodeMain.whenJobEnds(SdkHarnessContexts::closeAll);
  }

  private SdkHarnessContexts() {}

  /** An environment of the job for one task, held until the returned context is closed. */
  static ExecutableStageContext acquire(JobInfo job) {
    synchronized (IDLE_BY_JOB) {
      Deque<DefaultExecutableStageContext> idle = IDLE_BY_JOB.get(job.jobId());
      if (idle != null && !idle.isEmpty()) {
        return new Lease(job, idle.pop());
      }
      DefaultExecutableStageContext context = DefaultExecutableStageContext.create(job);
      LIVE_BY_JOB.computeIfAbsent(job.jobId(), id -> new ArrayList<>()).add(context);
      return new Lease(job, context);
    }
  }

  private static void release(JobInfo job, DefaultExecutableStageContext context) {
    synchronized (IDLE_BY_JOB) {
      if (LIVE_BY_JOB.getOrDefault(job.jobId(), List.of()).contains(context)) {
        IDLE_BY_JOB.computeIfAbsent(job.jobId(), id -> new ArrayDeque<>()).push(context);
      }
    }
  }

  /** Closes the environments of a job that has ended (nodes that live in the driver's JVM). */
  public static void closeJob(String jobId) {
    List<DefaultExecutableStageContext> live;
    synchronized (IDLE_BY_JOB) {
      IDLE_BY_JOB.remove(jobId);
      live = LIVE_BY_JOB.remove(jobId);
    }
    if (live != null) {
      live.forEach(context -> close(jobId, context));
    }
  }

  private static void closeAll() {
    List<String> jobs;
    synchronized (IDLE_BY_JOB) {
      jobs = new ArrayList<>(LIVE_BY_JOB.keySet());
    }
    jobs.forEach(SdkHarnessContexts::closeJob);
  }

  private static void close(String jobId, DefaultExecutableStageContext context) {
    try {
      context.close();
    } catch (Exception e) {
      LOG.warn("Could not close an SDK harness environment of job {}", jobId, e);
    }
  }

  /** A task's hold on an environment of its job. */
  private static final class Lease implements ExecutableStageContext {
    private final JobInfo job;
    private final DefaultExecutableStageContext context;
    private boolean closed;

    Lease(JobInfo job, DefaultExecutableStageContext context) {
      this.job = job;
      this.context = context;
    }

    @Override
    public StageBundleFactory getStageBundleFactory(ExecutableStage stage) {
      return context.getStageBundleFactory(stage);
    }

    @Override
    public void close() {
      if (!closed) {
        closed = true;
        release(job, context);
      }
    }
  }
}

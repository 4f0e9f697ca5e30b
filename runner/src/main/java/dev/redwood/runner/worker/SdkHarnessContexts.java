package dev.redwood.runner.worker;

import org.apache.beam.runners.fnexecution.control.DefaultExecutableStageContext;
import org.apache.beam.runners.fnexecution.control.ExecutableStageContext;
import org.apache.beam.runners.fnexecution.control.ReferenceCountingExecutableStageContextFactory;
import org.apache.beam.runners.fnexecution.provisioning.JobInfo;

/**
 * The SDK harness environments of this JVM, one per portable job: the tasks of a job that run on
 * one node JVM share its harnesses (started once, not per task or bundle). A job's environments are
 * released when its last task here ends, after the job's {@code --environmentCacheMillis}, so tasks
 * that follow one another on a node find them warm; the node JVM's exit ends whatever is left.
 */
final class SdkHarnessContexts {
  private static final ReferenceCountingExecutableStageContextFactory CONTEXTS =
      ReferenceCountingExecutableStageContextFactory.create(
          DefaultExecutableStageContext::create, factory -> false);

  private SdkHarnessContexts() {}

  /** The job's context, counted until {@link ExecutableStageContext#close} is called. */
  static ExecutableStageContext acquire(JobInfo job) {
    return CONTEXTS.get(job);
  }
}

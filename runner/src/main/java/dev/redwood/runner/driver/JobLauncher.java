package dev.redwood.runner.driver;

import dev.redwood.runner.batch.BatchService;
import dev.redwood.runner.batch.JobSpec;
import dev.redwood.runner.metrics.JobMetrics;
import dev.redwood.runner.options.AzureBatchPipelineOptions;
import dev.redwood.runner.options.DurationOptions;
import dev.redwood.runner.options.ExplicitOptions;
import dev.redwood.runner.options.NodeOptions;
import dev.redwood.runner.options.OptionsValidator;
import dev.redwood.runner.plan.JobLayout;
import dev.redwood.runner.plan.JobObjects;
import dev.redwood.runner.report.RunReports;
import dev.redwood.runner.storage.AzfsContainers;
import dev.redwood.runner.storage.BlobStore;
import dev.redwood.runner.translation.BatchOverrides;
import dev.redwood.runner.translation.BoundedCheck;
import dev.redwood.runner.translation.PipelineGraph;
import dev.redwood.runner.translation.StagePlan;
import dev.redwood.runner.translation.StagePlanner;
import dev.redwood.runner.worker.StageSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult.State;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.metrics.MetricsEnvironment;
import org.apache.beam.sdk.metrics.MetricsOptions;
import org.apache.beam.sdk.options.PipelineOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Submits a pipeline: validates, translates and plans it (all errors surface here, before anything
 * is leased), provisions the backend, stages classpath and stage specs, then runs the {@link
 * JobDriver} on a thread of its own. Whatever happens, the job is terminated, the nodes are
 * released and the job's objects are deleted at the end.
 */
public final class JobLauncher {
  private static final Logger LOG = LoggerFactory.getLogger(JobLauncher.class);

  private JobLauncher() {}

  /**
   * @param inProcessByDefault whether local nodes run inside this JVM unless the option says
   */
  public static AzureBatchPipelineResult launch(
      Pipeline pipeline, AzureBatchPipelineOptions options, boolean inProcessByDefault)
      throws IOException {
    return launch(pipeline, options, inProcessByDefault, UnaryOperator.identity());
  }

  /**
   * @param batchDecorator wraps the Batch service; tests use it to inject duplicate and failed task
   *     executions
   */
  static AzureBatchPipelineResult launch(
      Pipeline pipeline,
      AzureBatchPipelineOptions options,
      boolean inProcessByDefault,
      UnaryOperator<BatchService> batchDecorator)
      throws IOException {
    OptionsValidator.validate(options);
    BoundedCheck.check(pipeline);
    BatchOverrides.apply(pipeline);
    PipelineGraph graph = PipelineGraph.of(pipeline);
    MetricsEnvironment.setMetricsSupported(true);

    RunBackend backend = Backends.open(options, inProcessByDefault);
    String jobName = ExplicitOptions.isSet(options, "jobName") ? options.getJobName() : null;
    Instant deadline = deadline(options, backend.store());
    // Remote nodes get the options without credentials; they reach storage through grants.
    PipelineOptions nodeOptions =
        backend.remoteNodes() ? NodeOptions.withoutSecrets(options) : options;
    StagePlanner planner = new StagePlanner(graph, options, nodeOptions, backend.sizing());
    StagePlan plan = planner.plan();
    // Serializing options registers them as the JVM's filesystem defaults; the driver keeps its
    // own, credentials and all, not the nodes' copy.
    FileSystems.setDefaultPipelineOptions(options);

    BlobStore store = backend.store();
    Progress progress = new Progress(System.err, options.isQuiet(), plan.stages().size());
    RunResume.sweepAbandonedRuns(store, progress::summary);
    RunResume resume =
        RunResume.open(
            store,
            options.getResumeFrom(),
            options.isResume() ? RunId.namePrefix(backend.jobIdPrefix(), jobName) : null,
            progress::summary);
    String jobId = resume != null ? resume.jobId() : RunId.of(backend.jobIdPrefix(), jobName);
    int session = resume != null ? resume.nextSession() : 0;
    // Before anything is leased: a port that cannot be served fails the run here.
    RunReports report =
        RunReports.open(
            options.getReportFile(),
            options.getVmPrices(),
            jobId,
            Backends.workDir(options),
            backend.remoteNodes());
    if (options.getReportPort() != null) {
      String url = report.serve(options.getReportPort());
      LOG.info("The run report of job {} is served live on {}", jobId, url);
      progress.line("live report: " + url);
    }
    // Failed and interrupted runs that can be resumed keep their objects for it.
    boolean resumable = jobName != null || resume != null;
    JobLayout layout = new JobLayout(jobId);
    // From here on, Ctrl-C or SIGTERM stops the run and cleans up after it.
    boolean keepIfStopped = options.isKeepJobData() || resumable;
    RunShutdownHook hook =
        RunShutdownHook.register(
            layout,
            keepIfStopped,
            backend.remoteNodes(),
            () -> settleObjects(store, layout, session, State.CANCELLED, keepIfStopped));
    BatchService batch = null;
    List<String> classpath;
    Map<String, String> jobEnvironment;
    Map<Integer, RunResume.StageReuse> reuse;
    JobSpec job;
    try {
      Map<Integer, StageFingerprint> fingerprints = StageFingerprint.of(plan);
      if (resume != null) {
        RunResume.Resumed resumed = resume.reuse(plan, fingerprints, progress::summary);
        plan = resumed.plan();
        reuse = resumed.reuse();
      } else {
        reuse = Map.of();
      }
      Duration grants = Duration.between(Instant.now(), deadline.plus(JobSpec.GRANT_MARGIN));
      jobEnvironment = azfsAccess(store, options, grants);
      List<StagePlan.Stage> staged = new ArrayList<>();
      for (StagePlan.Stage stage : plan.stages()) {
        // A resumed run's unchanged stages keep their spec, which is the same.
        if (resume == null || !store.exists(layout.stageSpec(stage.id()))) {
          StageSpec spec = stage.spec();
          StageSpec stored =
              spec.withInput(spec.input().stored(store, layout.stageInput(stage.id())));
          JobObjects.write(store, layout.stageSpec(stage.id()), stored);
          // The driver goes on with the stored form too: it need not hold every split either.
          stage = new StagePlan.Stage(stored, stage.dependsOn());
        }
        staged.add(stage);
      }
      plan = new StagePlan(staged);
      RunResume.startSession(store, new RunResume.Session(jobId, jobName, session, fingerprints));
      classpath =
          backend.stagesClasspath()
              ? ClasspathStager.stage(
                  store, options, Files.createDirectories(backend.classpathStaging()))
              : List.of();
      job =
          new JobSpec(
              jobId,
              jobName != null ? jobName : jobId,
              classpath,
              jobEnvironment,
              deadline,
              session);
      batch = hook.watch(batchDecorator.apply(backend.batch().open()));
    } catch (IOException | RuntimeException e) {
      // Nothing of this session ran; an earlier session's work stays for the next resume.
      if (hook.runCleansUp()) {
        cleanUp(
            batch,
            null,
            store,
            layout,
            session,
            State.FAILED,
            options.isKeepJobData() || resume != null);
      }
      hook.runEnded();
      report.stopServing();
      throw e;
    }

    JobMetrics metrics = new JobMetrics();
    metrics.accepted(planner.splitMetrics());
    report
        .recorder()
        .planned(jobId, backend.description(), plan, backend.poolVmSizes(), metrics::results);
    progress.line(
        "job "
            + jobId
            + ": "
            + plan.stages().size()
            + " stages, "
            + plan.taskCount()
            + " tasks on "
            + backend.description());
    JobDriver driver =
        new JobDriver(
            plan,
            store,
            batch,
            job,
            backend.taskRetries(),
            options.getMaxRunDuration(),
            metrics,
            progress,
            report.recorder(),
            reuse);
    hook.onStop(driver::cancel);
    AzureBatchPipelineResult result =
        new AzureBatchPipelineResult(metrics, driver::cancel, report.recorder()::snapshot);
    metrics.startPushing(options.as(MetricsOptions.class), result);
    BatchService service = batch;
    Thread thread =
        new Thread(
            () -> {
              State state = State.FAILED;
              RuntimeException failure = null;
              progress.takeOverStderr();
              try {
                driver.run();
                state = driver.isCancelled() ? State.CANCELLED : State.DONE;
              } catch (Pipeline.PipelineExecutionException e) {
                failure = e;
              } catch (Throwable t) {
                failure = new Pipeline.PipelineExecutionException(t);
              } finally {
                if (hook.stopping()) {
                  // Stopped by a signal: not a failure of the pipeline; the hook says what it did.
                  state = State.CANCELLED;
                  failure = null;
                }
                if (failure != null) {
                  LOG.error("Job {} failed: {}", jobId, failure.getMessage());
                }
                boolean keep = options.isKeepJobData() || state != State.DONE && resumable;
                report
                    .recorder()
                    .finished(
                        state.name(),
                        failure == null ? null : failure.getMessage(),
                        failure instanceof TaskFailedException f ? f.logLocation() : null);
                // Written before the cleanup closes the store; named last, where a person looks.
                List<String> reports = report.finish(store);
                if (hook.runCleansUp()) {
                  cleanUp(service, driver, store, layout, session, state, keep);
                }
                for (String where : reports) {
                  progress.summary("report: " + where);
                }
                result.reportsWritten(reports);
                progress.close();
                hook.runEnded();
                result.finish(state, failure);
              }
            },
            "redwood-driver-" + jobId);
    thread.start();
    return result;
  }

  /**
   * The job-wide grant to the containers the options name as azfs:// paths, when the nodes need one
   * (see {@link AzfsContainers}); checked before anything is leased.
   */
  private static Map<String, String> azfsAccess(
      BlobStore store, PipelineOptions options, Duration validity) throws IOException {
    String account = store.azfsAccount();
    if (account == null) {
      return Map.of();
    }
    Map<String, String> containers = AzfsContainers.namedIn(options, account);
    if (!containers.isEmpty()) {
      LOG.info(
          "Tasks may read and write containers {} of storage account '{}'",
          containers.keySet(),
          account);
    }
    try {
      return store.azfsAccess(containers.keySet(), validity);
    } catch (IllegalArgumentException e) {
      StringBuilder named = new StringBuilder();
      containers.forEach(
          (container, option) ->
              named
                  .append(named.length() == 0 ? "" : ", ")
                  .append("--")
                  .append(option)
                  .append(" names '")
                  .append(container)
                  .append("'"));
      throw new IllegalArgumentException(e.getMessage() + " (" + named + ")", e);
    }
  }

  /**
   * Terminates the job (when {@code driver} created it), releases the nodes and deletes the job's
   * objects unless they are to be kept (then records how the session ended, for resume); logs what
   * fails and goes on.
   */
  private static void cleanUp(
      BatchService batch,
      JobDriver driver,
      BlobStore store,
      JobLayout layout,
      int session,
      State state,
      boolean keep) {
    String jobId = layout.jobId();
    if (driver != null) {
      try {
        driver.terminateJob();
      } catch (Exception e) {
        LOG.warn("Could not terminate job {}", jobId, e);
      }
    }
    if (batch != null) {
      try {
        batch.close();
      } catch (Exception e) {
        LOG.warn("Could not release the nodes of job {}", jobId, e);
      }
    }
    try {
      settleObjects(store, layout, session, state, keep);
      if (keep && state != State.DONE) {
        LOG.info(
            "The objects of job {} are kept in {}: resume it with --resumeFrom={} (or --resume"
                + " with its --jobName)",
            jobId,
            store.location(),
            jobId);
      }
      store.close();
    } catch (Exception e) {
      LOG.warn("Could not delete the objects of job {}", jobId, e);
    }
  }

  /** Deletes the run's objects, or keeps them and records how the session ended (for resume). */
  private static void settleObjects(
      BlobStore store, JobLayout layout, int session, State state, boolean keep)
      throws IOException {
    if (keep) {
      RunResume.endSession(store, layout.jobId(), session, state.name());
    } else {
      store.deletePrefix(layout.jobPrefix());
      store.delete(layout.runIndex());
    }
  }

  /**
   * When the run gives up ({@code --maxRunDuration}); refused before anything is created when the
   * store cannot sign grants that long.
   */
  private static Instant deadline(AzureBatchPipelineOptions options, BlobStore store) {
    Duration max = DurationOptions.parse("maxRunDuration", options.getMaxRunDuration());
    Duration limit = store.maxGrantValidity();
    if (limit != null && max.plus(JobSpec.GRANT_MARGIN).compareTo(limit) > 0) {
      throw new IllegalArgumentException(
          "--maxRunDuration="
              + options.getMaxRunDuration()
              + " is too long for this storage account: "
              + store.grantLimitReason()
              + ", and a run's grants last its whole duration plus "
              + JobSpec.GRANT_MARGIN.toHours()
              + " h. Give --maxRunDuration="
              + limit.minus(JobSpec.GRANT_MARGIN).toHours()
              + "h or less, or use the storage account's key (a connection string or"
              + " _STORAGE_ACCOUNT_KEY)");
    }
    return Instant.now().plus(max);
  }
}

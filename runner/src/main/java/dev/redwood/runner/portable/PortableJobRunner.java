package dev.redwood.runner.portable;

import dev.redwood.runner.AzureBatchRunner;
import dev.redwood.runner.driver.AzureBatchPipelineResult;
import dev.redwood.runner.driver.ClasspathStager;
import dev.redwood.runner.options.AzureBatchPipelineOptions;
import dev.redwood.runner.worker.SdkHarnessContexts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CancellationException;
import org.apache.beam.model.pipeline.v1.RunnerApi;
import org.apache.beam.runners.fnexecution.artifact.ArtifactRetrievalService;
import org.apache.beam.runners.fnexecution.provisioning.JobInfo;
import org.apache.beam.runners.jobsubmission.PortablePipelineResult;
import org.apache.beam.runners.jobsubmission.PortablePipelineRunner;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.FileStagingOptions;
import org.apache.beam.sdk.util.construction.BeamUrns;
import org.apache.beam.sdk.util.construction.PTransformTranslation;
import org.apache.beam.sdk.util.construction.graph.ExecutableStage;
import org.apache.beam.sdk.util.construction.graph.GreedyPipelineFuser;
import org.apache.beam.sdk.util.construction.graph.ProtoOverrides;
import org.apache.beam.sdk.util.construction.graph.SplittableParDoExpander;
import org.apache.beam.sdk.util.construction.graph.TrivialNativeTransformExpander;
import org.apache.beam.sdk.util.construction.resources.PipelineResources;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one portable job on Redwood: fuses the Runner API pipeline (splittable DoFns expanded so
 * their restrictions can be sized and split), turns it into Redwood's Java graph, stages the job's
 * artifacts with the server's classpath, and runs it with {@link AzureBatchRunner} until it ends.
 * An interrupt (the Job API's cancel) cancels the Redwood run, which stops its tasks and workers.
 */
final class PortableJobRunner implements PortablePipelineRunner {
  private static final Logger LOG = LoggerFactory.getLogger(PortableJobRunner.class);

  private final AzureBatchPipelineOptions options;

  PortableJobRunner(AzureBatchPipelineOptions options) {
    this.options = options;
  }

  /** The pipeline as the planner reads it: fused, with Redwood's own transforms left whole. */
  static RunnerApi.Pipeline prepare(RunnerApi.Pipeline pipeline) {
    RunnerApi.Pipeline expanded =
        ProtoOverrides.updateTransform(
            PTransformTranslation.PAR_DO_TRANSFORM_URN,
            pipeline,
            SplittableParDoExpander.createSizedReplacement());
    RunnerApi.Pipeline trimmed =
        TrivialNativeTransformExpander.forKnownUrns(expanded, FusedPipelineTranslator.runnerUrns());
    boolean fused =
        trimmed.getComponents().getTransformsMap().values().stream()
            .anyMatch(t -> ExecutableStage.URN.equals(t.getSpec().getUrn()));
    return fused ? trimmed : GreedyPipelineFuser.fuse(trimmed).toPipeline();
  }

  @Override
  public PortablePipelineResult run(RunnerApi.Pipeline pipeline, JobInfo job) throws Exception {
    RunnerApi.Pipeline fused = prepare(pipeline);
    List<String> dockerImages = dockerImages(fused);
    if (!dockerImages.isEmpty()) {
      LOG.info("Job {} runs DOCKER environments: {}", job.jobId(), dockerImages);
      options.setTasksUseDocker(true);
    }
    Map<String, String> artifactKeys = new LinkedHashMap<>();
    Set<String> files =
        new LinkedHashSet<>(
            PipelineResources.detectClassPathResourcesToStage(
                PortableJobRunner.class.getClassLoader(), options));
    for (String artifact : fileArtifacts(fused)) {
      Path path = Path.of(artifact);
      if (!Files.isRegularFile(path)) {
        throw new IllegalArgumentException(
            "Job "
                + job.jobId()
                + " names artifact "
                + artifact
                + ", which the server does not have");
      }
      files.add(artifact);
      artifactKeys.put(artifact, ClasspathStager.stagedKey(path));
    }
    options.as(FileStagingOptions.class).setFilesToStage(new ArrayList<>(files));
    Pipeline graph = FusedPipelineTranslator.translate(fused, options, job, artifactKeys);
    LOG.info(
        "Job {}: {} fused stages, {} artifacts",
        job.jobId(),
        fused.getComponents().getTransformsMap().values().stream()
            .filter(t -> ExecutableStage.URN.equals(t.getSpec().getUrn()))
            .count(),
        artifactKeys.size());
    AzureBatchPipelineResult run;
    try {
      run = AzureBatchRunner.fromOptions(options).run(graph);
    } catch (IllegalArgumentException e) {
      if (dockerImages.isEmpty()) {
        throw e;
      }
      // Say which stages asked for Docker: the backend's refusal names only the pool or machine.
      // Not as a cause: the Job API tells the client the message of the innermost cause only.
      IllegalArgumentException refused =
          new IllegalArgumentException(
              "Job "
                  + job.jobId()
                  + " (DOCKER environments: "
                  + dockerImages
                  + "): "
                  + e.getMessage());
      refused.addSuppressed(e);
      throw refused;
    }
    try {
      PipelineResult.State state = run.waitUntilFinish();
      if (state == null && Thread.interrupted()) {
        LOG.info("Job {} cancelled: stopping its Redwood run", job.jobId());
        run.cancel();
        throw new CancellationException("Job " + job.jobId() + " was cancelled");
      }
      return new PortableJobResult(run);
    } finally {
      // Harnesses of nodes that run inside this JVM; other nodes' end with their JVMs.
      SdkHarnessContexts.closeJob(job.jobId());
    }
  }

  /**
   * The images of the job's DOCKER environments, each with the stages that run in it ("IMAGE (stage
   * 'S' and 2 more)"), or an empty list: their tasks start the SDK containers with the node's
   * Docker, through Beam's environment factory.
   */
  private static List<String> dockerImages(RunnerApi.Pipeline fused) throws Exception {
    Map<String, List<String>> stagesByImage = new TreeMap<>();
    for (RunnerApi.PTransform transform : fused.getComponents().getTransformsMap().values()) {
      if (!ExecutableStage.URN.equals(transform.getSpec().getUrn())) {
        continue;
      }
      RunnerApi.Environment environment =
          RunnerApi.ExecutableStagePayload.parseFrom(transform.getSpec().getPayload())
              .getEnvironment();
      if (BeamUrns.getUrn(RunnerApi.StandardEnvironments.Environments.DOCKER)
          .equals(environment.getUrn())) {
        String image =
            RunnerApi.DockerPayload.parseFrom(environment.getPayload()).getContainerImage();
        stagesByImage.computeIfAbsent(image, i -> new ArrayList<>()).add(transform.getUniqueName());
      }
    }
    List<String> images = new ArrayList<>();
    stagesByImage.forEach(
        (image, stages) ->
            images.add(
                image
                    + " (stage '"
                    + stages.get(0)
                    + "'"
                    + (stages.size() > 1 ? " and " + (stages.size() - 1) + " more" : "")
                    + ")"));
    return images;
  }

  /** The files the job's environments depend on, as the server's artifact service stored them. */
  private static List<String> fileArtifacts(RunnerApi.Pipeline pipeline) throws Exception {
    List<String> paths = new ArrayList<>();
    for (RunnerApi.Environment environment :
        pipeline.getComponents().getEnvironmentsMap().values()) {
      for (RunnerApi.ArtifactInformation artifact : environment.getDependenciesList()) {
        if (ArtifactRetrievalService.FILE_ARTIFACT_URN.equals(artifact.getTypeUrn())) {
          paths.add(RunnerApi.ArtifactFilePayload.parseFrom(artifact.getTypePayload()).getPath());
        }
      }
    }
    return paths;
  }
}

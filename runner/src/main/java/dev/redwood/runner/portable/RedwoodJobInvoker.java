package dev.redwood.runner.portable;

import dev.redwood.runner.AzureBatchRunner;
import dev.redwood.runner.options.AzureBatchPipelineOptions;
import java.util.UUID;
import org.apache.beam.model.pipeline.v1.RunnerApi;
import org.apache.beam.runners.fnexecution.provisioning.JobInfo;
import org.apache.beam.runners.jobsubmission.JobInvocation;
import org.apache.beam.runners.jobsubmission.JobInvoker;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.util.construction.PipelineOptionsTranslation;
import org.apache.beam.vendor.grpc.v1p69p0.com.google.protobuf.Struct;
import org.apache.beam.vendor.guava.v32_1_2_jre.com.google.common.util.concurrent.ListeningExecutorService;

/**
 * Starts each job the Job API receives: its options are the server's Redwood options with the
 * client's on top (a client that names {@code --backend} or {@code --localNodes} wins), and it runs
 * with {@link PortableJobRunner}.
 */
final class RedwoodJobInvoker extends JobInvoker {
  private final Struct serverOptions;
  private final JobStateLongPoll longPoll;

  RedwoodJobInvoker(PipelineOptions serverOptions, JobStateLongPoll longPoll) {
    super("redwood-job-%d");
    this.serverOptions = PipelineOptionsTranslation.toProto(serverOptions);
    this.longPoll = longPoll;
  }

  @Override
  protected JobInvocation invokeWithExecutor(
      RunnerApi.Pipeline pipeline,
      Struct clientOptions,
      String retrievalToken,
      ListeningExecutorService executor) {
    Struct merged = serverOptions.toBuilder().putAllFields(clientOptions.getFieldsMap()).build();
    AzureBatchPipelineOptions options =
        PipelineOptionsTranslation.fromProto(merged).as(AzureBatchPipelineOptions.class);
    options.setRunner(AzureBatchRunner.class);
    String invocationId = options.getJobName() + "_" + UUID.randomUUID();
    JobInfo job =
        JobInfo.create(
            invocationId,
            options.getJobName(),
            retrievalToken == null ? "" : retrievalToken,
            PipelineOptionsTranslation.toProto(options));
    JobInvocation invocation =
        new JobInvocation(job, executor, pipeline, new PortableJobRunner(options));
    longPoll.track(invocation);
    return invocation;
  }
}

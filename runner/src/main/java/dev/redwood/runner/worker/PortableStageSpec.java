package dev.redwood.runner.worker;

import java.io.Serializable;
import java.util.List;
import java.util.Map;
import org.apache.beam.model.pipeline.v1.RunnerApi;
import org.apache.beam.runners.fnexecution.provisioning.JobInfo;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.values.WindowedValue;
import org.apache.beam.vendor.grpc.v1p69p0.com.google.protobuf.InvalidProtocolBufferException;

/**
 * A fused stage of a portable pipeline as a task runs it: the stage's Runner API payload, which an
 * SDK harness executes, and what the runner side serves it (side inputs, artifacts, state).
 *
 * @param stepName the stage's name in the fused pipeline: metrics without a transform of their own
 *     are reported under it
 * @param payload the {@code ExecutableStagePayload}, serialized
 * @param job the portable job (id, options for the harness's provisioning)
 * @param artifactKeys where each artifact file the job server received is staged in the blob store,
 *     by its path on the job server, so a node fetches it for the harness's artifact service
 * @param sideInputs the views holding each side input's elements, by PCollection id
 * @param sideInputCoders how each side input's elements were encoded into its view, by PCollection
 *     id (windowed values with the runner's wire coder)
 * @param keyed whether the stage keeps user state or timers: its input then arrives grouped by key
 *     and each key runs with fresh state
 */
public record PortableStageSpec(
    String stepName,
    byte[] payload,
    JobInfo job,
    Map<String, String> artifactKeys,
    Map<String, SideInputSpec> sideInputs,
    Map<String, Coder<WindowedValue<?>>> sideInputCoders,
    boolean keyed)
    implements Serializable {

  /** The stage's payload. */
  public RunnerApi.ExecutableStagePayload parsedPayload() {
    try {
      return RunnerApi.ExecutableStagePayload.parseFrom(payload);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("Stage " + stepName + " has an unreadable payload", e);
    }
  }

  /** The side input specs, for the task's side input reader. */
  public List<SideInputSpec> sideInputSpecs() {
    return List.copyOf(sideInputs.values());
  }
}

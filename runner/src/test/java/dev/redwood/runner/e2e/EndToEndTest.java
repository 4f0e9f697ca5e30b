package dev.redwood.runner.e2e;

import java.util.List;
import org.apache.beam.sdk.Pipeline;

/** The end-to-end pipelines on the local backend, with worker node processes. */
class EndToEndTest extends EndToEndPipelines {
  @Override
  Pipeline pipeline(String... extra) {
    return pipeline(
        List.of(
            "--runner=AzureBatchRunner",
            "--inProcessNodes=false",
            "--localNodes=2",
            "--nodeHeapMb=512",
            "--shuffleBufferMb=16",
            "--localWorkDir=" + temp.resolve("redwood"),
            "--quiet"),
        extra);
  }
}

package dev.redwood.runner.translation;

import dev.redwood.runner.storage.BlobStore;
import dev.redwood.runner.translation.PipelineGraph.Step;
import dev.redwood.runner.worker.InputReader;
import dev.redwood.runner.worker.SourceSplitReader;
import dev.redwood.runner.worker.StageInput;
import dev.redwood.runner.worker.StoredSplits;
import dev.redwood.runner.worker.TaskContext;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import org.apache.beam.sdk.io.BoundedSource;
import org.apache.beam.sdk.io.Read;
import org.apache.beam.sdk.util.construction.PTransformTranslation;
import org.apache.beam.sdk.util.construction.SplittableParDo;

/**
 * A bounded read: its source is split on the driver, and it starts a stage with a task per split.
 */
final class ReadKind implements OperationKind {

  @Override
  public Set<String> urns() {
    return Set.of(PTransformTranslation.READ_TRANSFORM_URN);
  }

  @Override
  public void place(Step step, Placement at) {
    at.startStage(new SourceSplits(step.name(), at.split(sourceOf(step))));
  }

  private static BoundedSource<?> sourceOf(Step read) {
    Object transform = read.transform();
    if (transform instanceof SplittableParDo.PrimitiveBoundedRead<?> primitive) {
      return primitive.getSource();
    }
    if (transform instanceof Read.Bounded<?> bounded) {
      return bounded.getSource();
    }
    throw new UnsupportedOperationException(
        "Transform '" + read.name() + "' is an unbounded read, which a batch runner cannot run");
  }

  /** A bounded source split on the driver; task t reads {@code splits.get(t)}. */
  record SourceSplits(String stepName, List<byte[]> splits) implements StageInput {
    @Override
    public int taskCount() {
      return splits.size();
    }

    @Override
    public InputReader reader(TaskContext context) {
      return new SourceSplitReader(stepName, splits.get(context.task()), context);
    }

    @Override
    public StageInput stored(BlobStore store, String key) throws IOException {
      return StoredSplits.write(store, key, stepName, splits);
    }
  }
}

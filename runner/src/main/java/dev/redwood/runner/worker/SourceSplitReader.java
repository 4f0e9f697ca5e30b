package dev.redwood.runner.worker;

import dev.redwood.runner.plan.StageInput;
import java.io.Closeable;
import org.apache.beam.sdk.io.BoundedSource;
import org.apache.beam.sdk.util.SerializableUtils;
import org.apache.beam.sdk.values.WindowedValues;

/** Reads one split of a bounded source, elements in the global window at their timestamps. */
final class SourceSplitReader implements InputReader {
  private final StageInput.SourceSplits input;
  private final TaskContext context;

  SourceSplitReader(StageInput.SourceSplits input, TaskContext context) {
    this.input = input;
    this.context = context;
  }

  @Override
  public long run(Receiver output) throws Exception {
    BoundedSource<?> source =
        (BoundedSource<?>)
            SerializableUtils.deserializeFromByteArray(
                input.splits().get(context.task()), "source split of " + input.stepName());
    long count = 0;
    try (Closeable scope = context.metricsScope(input.stepName());
        BoundedSource.BoundedReader<?> reader = source.createReader(context.options())) {
      for (boolean more = reader.start(); more; more = reader.advance()) {
        output.accept(
            WindowedValues.timestampedValueInGlobalWindow(
                reader.getCurrent(), reader.getCurrentTimestamp()));
        count++;
      }
    }
    return count;
  }
}

package dev.redwood.runner.worker;

import java.io.Closeable;
import org.apache.beam.sdk.io.BoundedSource;
import org.apache.beam.sdk.util.SerializableUtils;
import org.apache.beam.sdk.values.WindowedValues;

/** Reads one split of a bounded source, elements in the global window at their timestamps. */
public final class SourceSplitReader implements InputReader {
  private final String stepName;
  private final byte[] split;
  private final TaskContext context;

  /**
   * @param split the serialized split of the source of read step {@code stepName}
   */
  public SourceSplitReader(String stepName, byte[] split, TaskContext context) {
    this.stepName = stepName;
    this.split = split;
    this.context = context;
  }

  @Override
  public long run(Receiver output) throws Exception {
    BoundedSource<?> source =
        (BoundedSource<?>)
            SerializableUtils.deserializeFromByteArray(split, "source split of " + stepName);
    long count = 0;
    try (Closeable scope = context.metricsScope(stepName);
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

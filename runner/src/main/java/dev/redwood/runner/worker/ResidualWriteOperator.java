package dev.redwood.runner.worker;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.values.WindowedValue;

/**
 * Keeps the restrictions a splittable DoFn left for a continuation task, in one object per attempt,
 * written only if there are any: an attempt without residuals names none in its manifest, and the
 * driver adds no continuation for it.
 */
final class ResidualWriteOperator implements Operator {
  private final TaskContext context;
  private final String processStep;
  private final String key;
  private final Coder<WindowedValue<?>> elementCoder;
  private DataOutputStream out;

  /**
   * @param key the object this attempt keeps the residuals in, if it has any
   */
  ResidualWriteOperator(
      TaskContext context, String processStep, String key, Coder<WindowedValue<?>> elementCoder) {
    this.context = context;
    this.processStep = processStep;
    this.key = key;
    this.elementCoder = elementCoder;
  }

  @Override
  public void accept(WindowedValue<?> element) throws Exception {
    if (out == null) {
      out = new DataOutputStream(new BufferedOutputStream(context.store().create(key), 1 << 16));
    }
    WindowedValueStreams.writeElement(out, elementCoder, element);
  }

  @Override
  public void finish() throws Exception {
    if (out != null) {
      WindowedValueStreams.writeEnd(out);
      out.close();
      out = null;
      context.addResiduals(processStep, key);
    }
  }

  @Override
  public void teardown() {
    // Failed before finish: the store discards unclosed streams; nothing is committed.
    out = null;
  }
}

package dev.redwood.runner.worker;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.values.WindowedValue;

/**
 * Materializes a PCollection that a side-input view reads: every element with its windows, in one
 * object per task attempt. Consuming tasks read the accepted objects of all producers.
 */
public final class ViewWriteOperator implements Operator {
  private final TaskContext context;
  private final String viewId;
  private final String key;
  private final Coder<WindowedValue<?>> elementCoder;
  private OutputStream raw;
  private DataOutputStream out;

  /**
   * @param key the object this attempt materializes the view in
   */
  public ViewWriteOperator(
      TaskContext context, String viewId, String key, Coder<WindowedValue<?>> elementCoder) {
    this.context = context;
    this.viewId = viewId;
    this.key = key;
    this.elementCoder = elementCoder;
  }

  @Override
  public void start() throws Exception {
    raw = context.store().create(key);
    out = new DataOutputStream(new BufferedOutputStream(raw, 1 << 16));
  }

  @Override
  public void accept(WindowedValue<?> element) throws Exception {
    WindowedValueStreams.writeElement(out, elementCoder, element);
  }

  @Override
  public void finish() throws Exception {
    WindowedValueStreams.writeEnd(out);
    out.close();
    out = null;
    context.addViewOutput(viewId, key);
  }

  @Override
  public void teardown() throws Exception {
    if (out != null) {
      // Failed before finish: the store discards unclosed streams; nothing is committed.
      out = null;
    }
  }
}

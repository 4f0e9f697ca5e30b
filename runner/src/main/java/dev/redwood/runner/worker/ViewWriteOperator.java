package dev.redwood.runner.worker;

import dev.redwood.runner.plan.OperationSpec;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.values.WindowedValue;

/**
 * Materializes a PCollection that a side-input view reads: every element with its windows, in
 * one object per task attempt. Consuming tasks read the accepted objects of all producers.
 */
final class ViewWriteOperator implements Operator {
  private final OperationSpec.ViewWrite spec;
  private final TaskContext context;
  private String key;
  private OutputStream raw;
  private DataOutputStream out;

  ViewWriteOperator(OperationSpec.ViewWrite spec, TaskContext context) {
    this.spec = spec;
    this.context = context;
  }

  @Override
  public void start() throws Exception {
    key = context.viewOutput(spec.viewId());
    raw = context.store().create(key);
    out = new DataOutputStream(new BufferedOutputStream(raw, 1 << 16));
  }

  @Override
  public void accept(WindowedValue<?> element) throws Exception {
    WindowedValueStreams.writeElement(out, spec.elementCoder(), element);
  }

  @Override
  public void finish() throws Exception {
    WindowedValueStreams.writeEnd(out);
    out.close();
    out = null;
    context.addViewOutput(spec.viewId(), key);
  }

  @Override
  public void teardown() throws Exception {
    if (out != null) {
      // Failed before finish: the store discards unclosed streams; nothing is committed.
      out = null;
    }
  }
}

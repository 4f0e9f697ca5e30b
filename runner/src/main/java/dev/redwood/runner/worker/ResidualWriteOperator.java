package dev.redwood.runner.worker;

import dev.redwood.runner.plan.OperationSpec;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import org.apache.beam.sdk.values.WindowedValue;

/**
 * Keeps the restrictions a splittable DoFn left for a continuation task, in one object per
 * attempt, written only if there are any: an attempt without residuals names none in its
 * manifest, and the driver adds no continuation for it.
 */
final class ResidualWriteOperator implements Operator {
  private final OperationSpec.ResidualWrite spec;
  private final TaskContext context;
  private String key;
  private DataOutputStream out;

  ResidualWriteOperator(OperationSpec.ResidualWrite spec, TaskContext context) {
    this.spec = spec;
    this.context = context;
  }

  @Override
  public void accept(WindowedValue<?> element) throws Exception {
    if (out == null) {
      key = context.residualOutput(spec.processStep());
      out = new DataOutputStream(new BufferedOutputStream(context.store().create(key), 1 << 16));
    }
    WindowedValueStreams.writeElement(out, spec.elementCoder(), element);
  }

  @Override
  public void finish() throws Exception {
    if (out != null) {
      WindowedValueStreams.writeEnd(out);
      out.close();
      out = null;
      context.addResiduals(spec.processStep(), key);
    }
  }

  @Override
  public void teardown() {
    // Failed before finish: the store discards unclosed streams; nothing is committed.
    out = null;
  }
}

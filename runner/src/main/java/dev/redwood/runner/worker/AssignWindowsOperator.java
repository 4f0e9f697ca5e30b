package dev.redwood.runner.worker;

import java.util.Collection;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.WindowFn;
import org.apache.beam.sdk.util.SerializableUtils;
import org.apache.beam.sdk.values.WindowedValue;
import org.apache.beam.sdk.values.WindowedValues;
import org.joda.time.Instant;

/** Window.into: gives each element the windows its WindowFn assigns. */
public final class AssignWindowsOperator implements Operator {
  private final WindowFn<Object, BoundedWindow> windowFn;
  private final Receiver output;

  @SuppressWarnings("unchecked")
  public AssignWindowsOperator(String stepName, byte[] windowFn, Receiver output) {
    this.windowFn =
        (WindowFn<Object, BoundedWindow>)
            SerializableUtils.deserializeFromByteArray(windowFn, "WindowFn of " + stepName);
    this.output = output;
  }

  @Override
  public void accept(WindowedValue<?> element) throws Exception {
    @SuppressWarnings("unchecked")
    WindowedValue<Object> e = (WindowedValue<Object>) element;
    for (WindowedValue<Object> single : e.explodeWindows()) {
      BoundedWindow window = single.getWindows().iterator().next();
      Collection<BoundedWindow> windows =
          windowFn.assignWindows(
              windowFn.new AssignContext() {
                @Override
                public Object element() {
                  return single.getValue();
                }

                @Override
                public Instant timestamp() {
                  return single.getTimestamp();
                }

                @Override
                public BoundedWindow window() {
                  return window;
                }
              });
      output.accept(WindowedValues.of(e.getValue(), e.getTimestamp(), windows, e.getPaneInfo()));
    }
  }
}

package dev.redwood.runner.translation;

import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.WindowedValue;
import org.apache.beam.sdk.values.WindowedValues;

/** The coders that specs give a PCollection's elements when they store or ship them. */
final class ElementCoders {
  private ElementCoders() {}

  /** Whole elements: value, timestamp, windows and pane. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  static Coder<WindowedValue<?>> windowed(PCollection<?> pc) {
    return (Coder)
        WindowedValues.getFullCoder(
            pc.getCoder(), pc.getWindowingStrategy().getWindowFn().windowCoder());
  }

  /** The elements' windows. */
  static Coder<? extends BoundedWindow> window(PCollection<?> pc) {
    return pc.getWindowingStrategy().getWindowFn().windowCoder();
  }
}

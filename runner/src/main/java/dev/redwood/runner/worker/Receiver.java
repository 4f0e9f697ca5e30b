package dev.redwood.runner.worker;

import org.apache.beam.sdk.values.WindowedValue;

/** Takes the elements one fused operator hands to the next. */
@FunctionalInterface
public interface Receiver {
  void accept(WindowedValue<?> element) throws Exception;

  /** Hands an element to several receivers (a PCollection consumed more than once). */
  static Receiver fanOut(java.util.List<Receiver> receivers) {
    if (receivers.size() == 1) {
      return receivers.get(0);
    }
    Receiver[] all = receivers.toArray(new Receiver[0]);
    return element -> {
      for (Receiver r : all) {
        r.accept(element);
      }
    };
  }
}

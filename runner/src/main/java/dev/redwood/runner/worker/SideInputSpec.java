package dev.redwood.runner.worker;

import java.io.Serializable;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.WindowedValue;

/**
 * A side input a ParDo reads: the view and the coder its materialized elements were written with.
 */
public record SideInputSpec(PCollectionView<?> view, Coder<WindowedValue<?>> elementCoder)
    implements Serializable {
  public String viewId() {
    return view.getTagInternal().getId();
  }
}

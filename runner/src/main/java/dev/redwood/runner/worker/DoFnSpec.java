package dev.redwood.runner.worker;

import java.io.Serializable;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.transforms.DoFnSchemaInformation;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.WindowingStrategy;

/**
 * A ParDo's DoFn, serialized on the driver, with what Beam's DoFn runners need to run it: its
 * output tags and coders, its input's coder and windowing, and its side inputs.
 */
public record DoFnSpec(
    String stepName,
    byte[] doFn,
    TupleTag<?> mainOutputTag,
    List<TupleTag<?>> additionalOutputTags,
    Coder<?> inputCoder,
    Map<TupleTag<?>, Coder<?>> outputCoders,
    WindowingStrategy<?, ?> windowingStrategy,
    List<SideInputSpec> sideInputs,
    DoFnSchemaInformation doFnSchemaInformation,
    Map<String, PCollectionView<?>> sideInputMapping)
    implements Serializable {}

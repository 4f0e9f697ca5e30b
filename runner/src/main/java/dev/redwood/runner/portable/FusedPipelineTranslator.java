package dev.redwood.runner.portable;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.beam.model.pipeline.v1.RunnerApi;
import org.apache.beam.runners.fnexecution.provisioning.JobInfo;
import org.apache.beam.runners.fnexecution.wire.WireCoders;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.Impulse;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Redistribute;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.util.CoderUtils;
import org.apache.beam.sdk.util.construction.PTransformTranslation;
import org.apache.beam.sdk.util.construction.RehydratedComponents;
import org.apache.beam.sdk.util.construction.WindowingStrategyTranslation;
import org.apache.beam.sdk.util.construction.graph.ExecutableStage;
import org.apache.beam.sdk.util.construction.graph.PipelineNode;
import org.apache.beam.sdk.util.construction.graph.QueryablePipeline;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.WindowedValue;
import org.apache.beam.sdk.values.WindowedValues;
import org.apache.beam.sdk.values.WindowingStrategy;
import org.joda.time.Instant;

/**
 * Turns a fused Runner API pipeline into the Java graph Redwood plans: Impulse, GroupByKey, Flatten
 * and Reshuffle become their Java primitives over the runner's wire coders (unknown SDK coders
 * length-prefixed, so the runner groups on bytes), and each fused stage becomes an {@link
 * ExecutableStageTransform}. One translator per URN, in one table; the planner, shuffle, commit
 * protocol, retries and metrics are then the ones every Redwood job uses.
 */
final class FusedPipelineTranslator {

  /** Translates one transform of the fused pipeline into the Java graph. */
  private interface TransformTranslator {
    void translate(PipelineNode.PTransformNode transform, FusedPipelineTranslator graph)
        throws IOException;
  }

  private static final Map<String, TransformTranslator> BY_URN =
      Map.of(
          PTransformTranslation.IMPULSE_TRANSFORM_URN, FusedPipelineTranslator::impulse,
          PTransformTranslation.GROUP_BY_KEY_TRANSFORM_URN, FusedPipelineTranslator::groupByKey,
          PTransformTranslation.FLATTEN_TRANSFORM_URN, FusedPipelineTranslator::flatten,
          PTransformTranslation.RESHUFFLE_URN, FusedPipelineTranslator::reshuffle,
          ExecutableStage.URN, FusedPipelineTranslator::executableStage);

  private final RunnerApi.Components components;
  private final RehydratedComponents rehydrated;
  private final Pipeline java;
  private final JobInfo job;
  private final Map<String, String> artifactKeys;
  private final Map<String, PCollection<?>> byId = new HashMap<>();
  private final Map<String, PCollectionView<?>> views = new HashMap<>();

  private FusedPipelineTranslator(
      RunnerApi.Pipeline fused,
      PipelineOptions options,
      JobInfo job,
      Map<String, String> artifactKeys) {
    this.components = fused.getComponents();
    this.rehydrated = RehydratedComponents.forComponents(components);
    this.java = Pipeline.create(options);
    this.job = job;
    this.artifactKeys = artifactKeys;
  }

  /** The URNs the runner executes itself; every other transform runs inside a fused stage. */
  static Set<String> runnerUrns() {
    return BY_URN.keySet();
  }

  /**
   * The Java graph of {@code fused}.
   *
   * @param artifactKeys the blob key of each artifact file of the job, by its path here
   */
  static Pipeline translate(
      RunnerApi.Pipeline fused,
      PipelineOptions options,
      JobInfo job,
      Map<String, String> artifactKeys)
      throws IOException {
    FusedPipelineTranslator graph = new FusedPipelineTranslator(fused, options, job, artifactKeys);
    QueryablePipeline queryable =
        QueryablePipeline.forTransforms(fused.getRootTransformIdsList(), fused.getComponents());
    for (PipelineNode.PTransformNode transform : queryable.getTopologicallyOrderedTransforms()) {
      String urn = transform.getTransform().getSpec().getUrn();
      TransformTranslator translator = BY_URN.get(urn);
      if (translator == null) {
        throw new UnsupportedOperationException(
            "Redwood's job server cannot run transform '"
                + transform.getTransform().getUniqueName()
                + "' ("
                + urn
                + "): after fusion it runs only "
                + BY_URN.keySet());
      }
      translator.translate(transform, graph);
    }
    return graph.java;
  }

  private static void impulse(PipelineNode.PTransformNode transform, FusedPipelineTranslator graph)
      throws IOException {
    PCollection<byte[]> out =
        graph.java.begin().apply(transform.getTransform().getUniqueName(), Impulse.create());
    graph.adopt(onlyOutput(transform), out);
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static void groupByKey(
      PipelineNode.PTransformNode transform, FusedPipelineTranslator graph) throws IOException {
    PCollection in = graph.input(transform);
    if (!(in.getCoder() instanceof KvCoder)) {
      throw new IllegalArgumentException(
          "GroupByKey '"
              + transform.getTransform().getUniqueName()
              + "' reads elements whose coder is not a KV coder: "
              + in.getCoder());
    }
    PCollection out =
        (PCollection) in.apply(transform.getTransform().getUniqueName(), GroupByKey.create());
    graph.adopt(onlyOutput(transform), out);
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static void flatten(PipelineNode.PTransformNode transform, FusedPipelineTranslator graph)
      throws IOException {
    PCollectionList list = PCollectionList.empty(graph.java);
    for (String id : transform.getTransform().getInputsMap().values()) {
      list = list.and(graph.pCollection(id));
    }
    String output = onlyOutput(transform);
    PCollection out =
        (PCollection)
            list.apply(
                transform.getTransform().getUniqueName(),
                new PortableFlatten(
                    transform.getTransform().getUniqueName(),
                    (Coder) graph.elementCoder(output),
                    graph.windowingStrategy(output)));
    graph.adopt(output, out);
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static void reshuffle(
      PipelineNode.PTransformNode transform, FusedPipelineTranslator graph) throws IOException {
    PCollection in = graph.input(transform);
    PCollection out =
        (PCollection)
            in.apply(transform.getTransform().getUniqueName(), Redistribute.arbitrarily());
    graph.adopt(onlyOutput(transform), out);
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static void executableStage(
      PipelineNode.PTransformNode transform, FusedPipelineTranslator graph) throws IOException {
    String name = transform.getTransform().getUniqueName();
    RunnerApi.ExecutableStagePayload payload =
        RunnerApi.ExecutableStagePayload.parseFrom(transform.getTransform().getSpec().getPayload());
    PCollection input = graph.pCollection(payload.getInput());
    boolean keyed = payload.getUserStatesCount() > 0 || payload.getTimersCount() > 0;
    if (keyed && !(input.getCoder() instanceof KvCoder)) {
      throw new IllegalArgumentException(
          "Stage '"
              + name
              + "' keeps state or timers, so it needs keyed input, but its input's coder is "
              + input.getCoder());
    }
    Map<String, PCollectionView<?>> sideInputViews = new LinkedHashMap<>();
    Map<String, Coder<WindowedValue<?>>> sideInputCoders = new HashMap<>();
    for (RunnerApi.ExecutableStagePayload.SideInputId sideInput : payload.getSideInputsList()) {
      String id =
          payload
              .getComponents()
              .getTransformsOrThrow(sideInput.getTransformId())
              .getInputsOrThrow(sideInput.getLocalName());
      sideInputViews.put(id, graph.view(id));
      sideInputCoders.put(id, graph.windowedCoder(id));
    }
    LinkedHashMap<String, Coder<?>> outputCoders = new LinkedHashMap<>();
    List<String> outputs = new ArrayList<>(transform.getTransform().getOutputsMap().values());
    for (String id : outputs) {
      outputCoders.put(id, graph.elementCoder(id));
    }
    PCollectionTuple out =
        (PCollectionTuple)
            input.apply(
                name,
                new ExecutableStageTransform(
                    name,
                    payload.toByteArray(),
                    graph.job,
                    graph.artifactKeys,
                    sideInputViews,
                    sideInputCoders,
                    outputCoders,
                    keyed));
    for (String id : outputs) {
      graph.adopt(id, out.get(new TupleTag<>(id)));
    }
  }

  private PCollection<?> input(PipelineNode.PTransformNode transform) {
    Map<String, String> inputs = transform.getTransform().getInputsMap();
    if (inputs.size() != 1) {
      throw new IllegalArgumentException(
          "Transform '"
              + transform.getTransform().getUniqueName()
              + "' should read one PCollection, it reads "
              + inputs.keySet());
    }
    return pCollection(inputs.values().iterator().next());
  }

  private static String onlyOutput(PipelineNode.PTransformNode transform) {
    Map<String, String> outputs = transform.getTransform().getOutputsMap();
    if (outputs.size() != 1) {
      throw new IllegalArgumentException(
          "Transform '"
              + transform.getTransform().getUniqueName()
              + "' should produce one PCollection, it produces "
              + outputs.keySet());
    }
    return outputs.values().iterator().next();
  }

  private PCollection<?> pCollection(String id) {
    PCollection<?> pc = byId.get(id);
    if (pc == null) {
      throw new IllegalStateException("PCollection " + id + " is read before it is produced");
    }
    return pc;
  }

  /** Gives {@code pc} the coder and windowing its portable PCollection has, and registers it. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private void adopt(String id, PCollection pc) throws IOException {
    pc.setCoder(elementCoder(id));
    pc.setWindowingStrategyInternal(windowingStrategy(id));
    byId.put(id, pc);
  }

  /** The runner's wire coder of the elements of PCollection {@code id}. */
  private Coder<?> elementCoder(String id) throws IOException {
    return ((WindowedValues.WindowedValueCoder<?>) wireCoder(id)).getValueCoder();
  }

  @SuppressWarnings("unchecked")
  private Coder<WindowedValue<?>> windowedCoder(String id) throws IOException {
    return (Coder<WindowedValue<?>>) (Coder<?>) wireCoder(id);
  }

  private Coder<? extends WindowedValue<?>> wireCoder(String id) throws IOException {
    return WireCoders.instantiateRunnerWireCoder(
        PipelineNode.pCollection(id, components.getPcollectionsOrThrow(id)), components);
  }

  private WindowingStrategy<?, ?> windowingStrategy(String id) {
    String strategyId = components.getPcollectionsOrThrow(id).getWindowingStrategyId();
    RunnerApi.WindowingStrategy proto = components.getWindowingStrategiesOrThrow(strategyId);
    try {
      return WindowingStrategyTranslation.fromProto(proto, rehydrated);
    } catch (IOException | RuntimeException e) {
      throw new UnsupportedOperationException(
          "PCollection "
              + id
              + " uses window function "
              + proto.getWindowFn().getUrn()
              + ", which Redwood's job server cannot run: only Beam's standard window functions"
              + " (global, fixed, sliding, sessions) and Java ones on its classpath",
          e);
    }
  }

  /**
   * A view holding every element of PCollection {@code id} as an encoded windowed value, in the
   * global window: a task hands them to the harness's side input requests, window by window.
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private PCollectionView<?> view(String id) throws IOException {
    PCollectionView<?> existing = views.get(id);
    if (existing != null) {
      return existing;
    }
    Coder<WindowedValue<?>> coder = windowedCoder(id);
    PCollection pc = pCollection(id);
    PCollection<byte[]> encoded =
        (PCollection<byte[]>)
            pc.apply("SideInput[" + id + "]/Encode", ParDo.of(new EncodeWindowedFn(coder)));
    encoded.setCoder(ByteArrayCoder.of());
    PCollectionView<Iterable<byte[]>> view =
        encoded
            .apply("SideInput[" + id + "]/Global", Window.<byte[]>into(new GlobalWindows()))
            .apply("SideInput[" + id + "]/View", View.asIterable());
    views.put(id, view);
    return view;
  }

  /** Encodes each element with its timestamp, window and pane, so the view keeps them. */
  private static final class EncodeWindowedFn extends DoFn<Object, byte[]> {
    private final Coder<WindowedValue<?>> coder;

    EncodeWindowedFn(Coder<WindowedValue<?>> coder) {
      this.coder = coder;
    }

    @ProcessElement
    public void process(
        @Element Object element,
        @Timestamp Instant timestamp,
        BoundedWindow window,
        PaneInfo pane,
        OutputReceiver<byte[]> out)
        throws IOException {
      out.output(
          CoderUtils.encodeToByteArray(coder, WindowedValues.of(element, timestamp, window, pane)));
    }
  }
}

package dev.redwood.runner.translation;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.runners.AppliedPTransform;
import org.apache.beam.sdk.runners.TransformHierarchy;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.util.SerializableUtils;
import org.apache.beam.sdk.util.construction.PTransformTranslation;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.PValue;
import org.apache.beam.sdk.values.TupleTag;

/**
 * The pipeline as the planner sees it: the primitive steps Redwood executes (plus composites it
 * executes as a whole, such as a lifted Combine.perKey), each with the {@link OperationKind} that
 * runs it, who consumes each PCollection, and which step materializes each side-input view.
 */
public final class PipelineGraph {

  /** One step: a transform application with its kind, main inputs (with repeats) and outputs. */
  public static final class Step {
    final AppliedPTransform<?, ?, ?> applied;
    final OperationKind kind;
    final List<PCollection<?>> mainInputs;
    final Map<TupleTag<?>, PCollection<?>> outputs;
    final List<PCollectionView<?>> sideInputs;
    final PCollectionView<?> view;

    Step(AppliedPTransform<?, ?, ?> applied, OperationKind kind) {
      this.applied = applied;
      this.kind = kind;
      this.mainInputs = kind.mainInputs(applied);
      this.outputs = new LinkedHashMap<>(applied.getOutputs());
      this.sideInputs = kind.sideInputs(applied);
      this.view = kind.materializes(applied);
    }

    public String name() {
      return applied.getFullName();
    }

    PTransform<?, ?> transform() {
      return applied.getTransform();
    }

    PCollection<?> mainInput() {
      return mainInputs.get(0);
    }

    PCollection<?> mainOutput() {
      return outputs.values().iterator().next();
    }

    /** The KV coder of the main input, which steps that shuffle by key need. */
    KvCoder<?, ?> kvInputCoder() {
      Coder<?> coder = mainInput().getCoder();
      if (!(coder instanceof KvCoder<?, ?> kv)) {
        throw new IllegalArgumentException(
            "Transform '" + name() + "' needs a KvCoder on its input, found " + coder);
      }
      return kv;
    }

    /** Serializes user code on the driver, so a non-serializable object names its transform. */
    byte[] serialize(Object value, String what) {
      try {
        return SerializableUtils.serializeToByteArray((Serializable) value);
      } catch (RuntimeException | Error e) {
        throw new IllegalArgumentException(
            "Transform '"
                + name()
                + "': its "
                + what
                + " "
                + value.getClass().getName()
                + " cannot be serialized, so it cannot be sent to a Batch task: "
                + e.getMessage(),
            e);
      }
    }

    @Override
    public String toString() {
      return kind.getClass().getSimpleName() + "(" + name() + ")";
    }
  }

  final List<Step> steps = new ArrayList<>();
  final Map<PCollection<?>, List<Step>> consumers = new HashMap<>();
  final Map<String, Step> viewMaterializers = new HashMap<>();
  final Map<String, List<Step>> viewConsumers = new HashMap<>();

  private PipelineGraph() {}

  /**
   * Builds the graph of a pipeline whose overrides are applied.
   *
   * @throws UnsupportedOperationException naming the transform Redwood cannot run
   */
  public static PipelineGraph of(Pipeline pipeline) {
    PipelineGraph graph = new PipelineGraph();
    pipeline.traverseTopologically(
        new Pipeline.PipelineVisitor.Defaults() {
          @Override
          public CompositeBehavior enterCompositeTransform(TransformHierarchy.Node node) {
            if (node.isRootNode()) {
              return CompositeBehavior.ENTER_TRANSFORM;
            }
            OperationKind kind = OperationKinds.find(node, pipeline);
            if (kind == null) {
              return CompositeBehavior.ENTER_TRANSFORM;
            }
            graph.add(new Step(node.toAppliedPTransform(pipeline), kind));
            return CompositeBehavior.DO_NOT_ENTER_TRANSFORM;
          }

          @Override
          public void visitPrimitiveTransform(TransformHierarchy.Node node) {
            OperationKind kind = OperationKinds.find(node, pipeline);
            if (kind == null) {
              throw unsupported(node);
            }
            graph.add(new Step(node.toAppliedPTransform(pipeline), kind));
          }
        });
    return graph;
  }

  private static UnsupportedOperationException unsupported(TransformHierarchy.Node node) {
    PTransform<?, ?> transform = node.getTransform();
    String urn = PTransformTranslation.urnForTransformOrNull(transform);
    if (urn == null) {
      urn = "(no URN: " + transform.getClass().getName() + ")";
    }
    return new UnsupportedOperationException(
        "Transform '"
            + node.getFullName()
            + "' ("
            + urn
            + ") is not supported by the Redwood runner");
  }

  private void add(Step step) {
    steps.add(step);
    for (PCollection<?> input : step.mainInputs) {
      consumers.computeIfAbsent(input, pc -> new ArrayList<>()).add(step);
    }
    for (PCollectionView<?> view : step.sideInputs) {
      viewConsumers.computeIfAbsent(viewId(view), id -> new ArrayList<>()).add(step);
    }
    if (step.view != null) {
      viewMaterializers.put(viewId(step.view), step);
    }
  }

  static String viewId(PCollectionView<?> view) {
    return view.getTagInternal().getId();
  }

  List<Step> consumersOf(PValue value) {
    return consumers.getOrDefault(value, List.of());
  }

  /**
   * The steps that read what {@code step} produces: the consumers of its outputs, or, for a step
   * that materializes a view, the steps that read the view.
   */
  List<Step> successors(Step step) {
    if (step.view != null) {
      return viewConsumers.getOrDefault(viewId(step.view), List.of());
    }
    List<Step> next = new ArrayList<>();
    for (PCollection<?> out : step.outputs.values()) {
      next.addAll(consumersOf(out));
    }
    return next;
  }
}

package dev.redwood.runner.translation;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.runners.AppliedPTransform;
import org.apache.beam.sdk.runners.TransformHierarchy;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.transforms.reflect.DoFnSignature;
import org.apache.beam.sdk.transforms.reflect.DoFnSignatures;
import org.apache.beam.sdk.util.construction.PTransformTranslation;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.PValue;
import org.apache.beam.sdk.values.TupleTag;

/**
 * The pipeline as the planner sees it: the primitive steps Redwood executes (plus composites it
 * executes as a whole, such as a lifted Combine.perKey), who consumes each PCollection, and which
 * step materializes each side-input view. Transform kinds come from URNs, as in Beam's
 * translation of other runners.
 */
public final class PipelineGraph {

  /** What a step does, from the planner's point of view. */
  public enum Kind {
    IMPULSE,
    READ,
    PAR_DO,
    STATEFUL_PAR_DO,
    GROUP_BY_KEY,
    LIFTED_COMBINE,
    REDISTRIBUTE,
    FLATTEN,
    ASSIGN_WINDOWS,
    CREATE_VIEW
  }

  /** One step: a transform application with its main inputs (with repeats) and outputs. */
  public static final class Step {
    final AppliedPTransform<?, ?, ?> applied;
    final Kind kind;
    final List<PCollection<?>> mainInputs;
    final Map<TupleTag<?>, PCollection<?>> outputs;
    final List<PCollectionView<?>> sideInputs;

    Step(
        AppliedPTransform<?, ?, ?> applied,
        Kind kind,
        List<PCollection<?>> mainInputs,
        List<PCollectionView<?>> sideInputs) {
      this.applied = applied;
      this.kind = kind;
      this.mainInputs = mainInputs;
      this.outputs = new LinkedHashMap<>(applied.getOutputs());
      this.sideInputs = sideInputs;
    }

    public String name() {
      return applied.getFullName();
    }

    public Kind kind() {
      return kind;
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

    @Override
    public String toString() {
      return kind + "(" + name() + ")";
    }
  }

  final List<Step> steps = new ArrayList<>();
  final Map<PCollection<?>, List<Step>> consumers = new HashMap<>();
  final Map<String, Step> viewMaterializers = new HashMap<>();
  final Map<String, List<Step>> viewConsumers = new HashMap<>();

  private PipelineGraph() {}

  public List<Step> steps() {
    return steps;
  }

  /**
   * Builds the graph of a pipeline whose overrides are applied.
   *
   * @throws UnsupportedOperationException naming the transform Redwood cannot run
   */
  public static PipelineGraph of(Pipeline pipeline) {
    PipelineGraph graph = new PipelineGraph();
    CoderRegistry coders = pipeline.getCoderRegistry();
    pipeline.traverseTopologically(
        new Pipeline.PipelineVisitor.Defaults() {
          @Override
          public CompositeBehavior enterCompositeTransform(TransformHierarchy.Node node) {
            if (node.isRootNode()) {
              return CompositeBehavior.ENTER_TRANSFORM;
            }
            String urn = PTransformTranslation.urnForTransformOrNull(node.getTransform());
            if (PTransformTranslation.COMBINE_PER_KEY_TRANSFORM_URN.equals(urn)) {
              AppliedPTransform<?, ?, ?> applied = node.toAppliedPTransform(pipeline);
              if (CombineLifting.isLiftable(applied, coders)) {
                graph.add(applied, Kind.LIFTED_COMBINE);
                return CompositeBehavior.DO_NOT_ENTER_TRANSFORM;
              }
            } else if (PTransformTranslation.RESHUFFLE_URN.equals(urn)
                || PTransformTranslation.REDISTRIBUTE_ARBITRARILY_URN.equals(urn)
                || PTransformTranslation.REDISTRIBUTE_BY_KEY_URN.equals(urn)) {
              graph.add(node.toAppliedPTransform(pipeline), Kind.REDISTRIBUTE);
              return CompositeBehavior.DO_NOT_ENTER_TRANSFORM;
            }
            return CompositeBehavior.ENTER_TRANSFORM;
          }

          @Override
          public void visitPrimitiveTransform(TransformHierarchy.Node node) {
            graph.add(node.toAppliedPTransform(pipeline), kindOf(node));
          }
        });
    return graph;
  }

  private static Kind kindOf(TransformHierarchy.Node node) {
    PTransform<?, ?> transform = node.getTransform();
    String urn = PTransformTranslation.urnForTransformOrNull(transform);
    if (urn == null) {
      urn = "(no URN: " + transform.getClass().getName() + ")";
    }
    switch (urn) {
      case PTransformTranslation.IMPULSE_TRANSFORM_URN:
        return Kind.IMPULSE;
      case PTransformTranslation.READ_TRANSFORM_URN:
        return Kind.READ;
      case PTransformTranslation.PAR_DO_TRANSFORM_URN:
        return isStateful(node) ? Kind.STATEFUL_PAR_DO : Kind.PAR_DO;
      case PTransformTranslation.GROUP_BY_KEY_TRANSFORM_URN:
        return Kind.GROUP_BY_KEY;
      case PTransformTranslation.FLATTEN_TRANSFORM_URN:
        return Kind.FLATTEN;
      case PTransformTranslation.ASSIGN_WINDOWS_TRANSFORM_URN:
        return Kind.ASSIGN_WINDOWS;
      case PTransformTranslation.CREATE_VIEW_TRANSFORM_URN:
        return Kind.CREATE_VIEW;
      default:
        throw new UnsupportedOperationException(
            "Transform '"
                + node.getFullName()
                + "' ("
                + urn
                + ") is not supported by the Redwood runner");
    }
  }

  /** State, timers, OnWindowExpiration or time-sorted input: the DoFn runs per key. */
  private static boolean isStateful(TransformHierarchy.Node node) {
    DoFn<?, ?> fn = ((ParDo.MultiOutput<?, ?>) node.getTransform()).getFn();
    DoFnSignature signature = DoFnSignatures.getSignature(fn.getClass());
    return signature.usesState()
        || signature.usesTimers()
        || signature.onWindowExpiration() != null
        || signature.processElement().requiresTimeSortedInput();
  }

  private void add(AppliedPTransform<?, ?, ?> applied, Kind kind) {
    List<PCollection<?>> mainInputs = new ArrayList<>(applied.getMainInputs().values());
    List<PCollectionView<?>> sideInputs = new ArrayList<>();
    if (kind == Kind.PAR_DO || kind == Kind.STATEFUL_PAR_DO) {
      sideInputs.addAll(((ParDo.MultiOutput<?, ?>) applied.getTransform()).getSideInputs().values());
    } else if (kind == Kind.LIFTED_COMBINE) {
      // Lifted combines take no side inputs (see CombineLifting), so main inputs are all inputs.
      mainInputs = new ArrayList<>(applied.getInputs().values());
    }
    Step step = new Step(applied, kind, mainInputs, sideInputs);
    steps.add(step);
    for (PCollection<?> input : mainInputs) {
      consumers.computeIfAbsent(input, pc -> new ArrayList<>()).add(step);
    }
    for (PCollectionView<?> view : sideInputs) {
      viewConsumers.computeIfAbsent(viewId(view), id -> new ArrayList<>()).add(step);
    }
    if (kind == Kind.CREATE_VIEW) {
      PCollectionView<?> view = ((View.CreatePCollectionView<?, ?>) applied.getTransform()).getView();
      viewMaterializers.put(viewId(view), step);
    }
  }

  static String viewId(PCollectionView<?> view) {
    return view.getTagInternal().getId();
  }

  List<Step> consumersOf(PValue value) {
    return consumers.getOrDefault(value, List.of());
  }
}

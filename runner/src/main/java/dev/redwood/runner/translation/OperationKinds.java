package dev.redwood.runner.translation;

import java.lang.reflect.InvocationTargetException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.runners.AppliedPTransform;
import org.apache.beam.sdk.runners.TransformHierarchy;
import org.apache.beam.sdk.util.construction.PTransformTranslation;

/**
 * The table the planner looks a transform's kind up in: by URN, every kind that {@link
 * OperationKind} permits (directly or through {@link ShuffleKind}), one instance each.
 */
final class OperationKinds {
  private static final Map<String, List<OperationKind>> BY_URN = byUrn();

  private OperationKinds() {}

  /**
   * The kind that runs the transform of {@code node}, or null when no kind runs it (a composite is
   * then entered; a primitive cannot run).
   */
  static OperationKind find(TransformHierarchy.Node node, Pipeline pipeline) {
    String urn = PTransformTranslation.urnForTransformOrNull(node.getTransform());
    List<OperationKind> candidates = new ArrayList<>();
    for (OperationKind kind : BY_URN.getOrDefault(urn, List.of())) {
      if (kind.runsComposites() == node.isCompositeNode()) {
        candidates.add(kind);
      }
    }
    if (candidates.isEmpty()) {
      return null;
    }
    AppliedPTransform<?, ?, ?> applied = node.toAppliedPTransform(pipeline);
    List<OperationKind> running = new ArrayList<>();
    for (OperationKind kind : candidates) {
      if (kind.runs(applied)) {
        running.add(kind);
      }
    }
    if (running.size() > 1) {
      throw new IllegalStateException(
          "Transform '" + node.getFullName() + "' (" + urn + ") is claimed by " + running);
    }
    return running.isEmpty() ? null : running.get(0);
  }

  private static Map<String, List<OperationKind>> byUrn() {
    Map<String, List<OperationKind>> byUrn = new HashMap<>();
    for (OperationKind kind : instances(OperationKind.class)) {
      for (String urn : kind.urns()) {
        byUrn.computeIfAbsent(urn, u -> new ArrayList<>()).add(kind);
      }
    }
    return byUrn;
  }

  /** An instance of every class that the sealed interface {@code type} permits, recursively. */
  private static List<OperationKind> instances(Class<?> type) {
    List<OperationKind> kinds = new ArrayList<>();
    for (Class<?> permitted : type.getPermittedSubclasses()) {
      if (permitted.isInterface()) {
        kinds.addAll(instances(permitted));
      } else {
        kinds.add(instantiate(permitted));
      }
    }
    return kinds;
  }

  private static OperationKind instantiate(Class<?> type) {
    try {
      return (OperationKind) type.getDeclaredConstructor().newInstance();
    } catch (NoSuchMethodException
        | InstantiationException
        | IllegalAccessException
        | InvocationTargetException e) {
      throw new IllegalStateException(
          "Operation kind " + type.getName() + " needs a constructor without parameters", e);
    }
  }
}

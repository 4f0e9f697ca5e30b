package dev.redwood.runner.worker;

import dev.redwood.runner.plan.CommitRecord;
import dev.redwood.runner.plan.CommittedTask;
import dev.redwood.runner.plan.JobObjects;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.runners.core.SideInputReader;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.transforms.Materializations;
import org.apache.beam.sdk.transforms.ViewFn;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollectionView;

/**
 * Side inputs of one task, read from the materializations the producing stages committed. Each view
 * is loaded once per task and its value built once per window.
 *
 * <p>Windows and keys are matched by their coders' structural values, not by {@code equals} on the
 * objects a fused step built: the stored ones were decoded, the looked-up ones never encoded (see
 * {@link EncodedKeyMultimap}).
 */
final class MaterializedSideInputs {
  private final TaskContext context;
  private final Map<String, Map<Object, List<Object>>> elementsByView = new HashMap<>();
  private final Map<String, Map<Object, Object>> valuesByView = new HashMap<>();

  MaterializedSideInputs(TaskContext context) {
    this.context = context;
  }

  /** A reader over the given side inputs of one ParDo. */
  SideInputReader readerFor(List<SideInputSpec> sideInputs) {
    Map<String, SideInputSpec> byId = new HashMap<>();
    for (SideInputSpec s : sideInputs) {
      byId.put(s.viewId(), s);
    }
    return new SideInputReader() {
      @Override
      public <T> T get(PCollectionView<T> view, BoundedWindow window) {
        SideInputSpec input = byId.get(view.getTagInternal().getId());
        if (input == null) {
          throw new IllegalArgumentException(
              "Side input " + view + " is not an input of this step");
        }
        try {
          return value(input, view, window);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }

      @Override
      public <T> boolean contains(PCollectionView<T> view) {
        return byId.containsKey(view.getTagInternal().getId());
      }

      @Override
      public boolean isEmpty() {
        return byId.isEmpty();
      }
    };
  }

  @SuppressWarnings("unchecked")
  private <T> T value(SideInputSpec input, PCollectionView<T> view, BoundedWindow mainWindow)
      throws IOException {
    BoundedWindow window = view.getWindowMappingFn().getSideInputWindow(mainWindow);
    Object windowKey = windowCoder(input).structuralValue(window);
    Map<Object, Object> values =
        valuesByView.computeIfAbsent(input.viewId(), id -> new HashMap<>());
    if (values.containsKey(windowKey)) {
      return (T) values.get(windowKey);
    }
    List<Object> elements = elements(input).getOrDefault(windowKey, List.of());
    ViewFn<Object, T> viewFn = (ViewFn<Object, T>) view.getViewFn();
    String urn = viewFn.getMaterialization().getUrn();
    T value;
    if (Materializations.ITERABLE_MATERIALIZATION_URN.equals(urn)) {
      Materializations.IterableView<Object> iterable = () -> elements;
      value = viewFn.apply(iterable);
    } else if (Materializations.MULTIMAP_MATERIALIZATION_URN.equals(urn)) {
      Coder<Object> keyCoder = ((KvCoder<Object, Object>) view.getCoderInternal()).getKeyCoder();
      List<KV<Object, Object>> kvs = (List<KV<Object, Object>>) (List<?>) elements;
      value = viewFn.apply(EncodedKeyMultimap.of(keyCoder, kvs));
    } else {
      throw new UnsupportedOperationException(
          "Side input " + view + " uses materialization " + urn + ", which Redwood does not know");
    }
    values.put(windowKey, value);
    return value;
  }

  @SuppressWarnings("unchecked")
  private static Coder<BoundedWindow> windowCoder(SideInputSpec input) {
    return (Coder<BoundedWindow>)
        input.view().getWindowingStrategyInternal().getWindowFn().windowCoder();
  }

  private Map<Object, List<Object>> elements(SideInputSpec input) throws IOException {
    Map<Object, List<Object>> loaded = elementsByView.get(input.viewId());
    if (loaded != null) {
      return loaded;
    }
    Coder<BoundedWindow> windowCoder = windowCoder(input);
    Map<Object, List<Object>> byWindow = new HashMap<>();
    List<Integer> producers = context.spec().viewProducers().get(input.viewId());
    if (producers == null) {
      throw new IllegalStateException("No producing stage recorded for side input " + input.view());
    }
    for (int stage : producers) {
      CommitRecord commit =
          JobObjects.read(
              context.store(), context.layout().commitRecord(stage), CommitRecord.class);
      for (CommittedTask accepted : commit.accepted()) {
        String key = accepted.viewOutputs().get(input.viewId());
        if (key == null) {
          continue;
        }
        try (InputStream in = new BufferedInputStream(context.store().open(key), 1 << 16)) {
          WindowedValueStreams.readAll(
              in,
              input.elementCoder(),
              key,
              element -> {
                for (BoundedWindow w : element.getWindows()) {
                  byWindow
                      .computeIfAbsent(windowCoder.structuralValue(w), x -> new ArrayList<>())
                      .add(element.getValue());
                }
              });
        }
      }
    }
    elementsByView.put(input.viewId(), byWindow);
    return byWindow;
  }
}

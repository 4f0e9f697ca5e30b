package dev.redwood.examples.acoustics.pipeline;

import dev.redwood.examples.acoustics.BakeInputs;
import dev.redwood.examples.acoustics.BakeSettings;
import dev.redwood.examples.acoustics.encoding.BakeHeader;
import dev.redwood.examples.acoustics.encoding.BakeIndex;
import dev.redwood.examples.acoustics.scene.FloorPlanText;
import dev.redwood.examples.acoustics.scene.Probe;
import java.util.Set;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * The bake as a Beam pipeline, runner-agnostic:
 *
 * <pre>
 * probes --BakeProbes (simulate, extract, encode; one probe per element)--> baked probes
 * baked --IndexEntries--> Combine BakeIndex --------------------------------> index (side input)
 * baked --one key--> GroupByKey --WriteBake (index side input)--------------> bake.rwbake
 * baked --ProbeStatistics--> Combine SceneStatistics --WriteStatistics------> statistics.txt, histograms.csv
 * baked --chosen probes--> DrawMaps ----------------------------------------> probe-NNNN-*.png
 * </pre>
 */
public final class BakePipeline {
  private BakePipeline() {}

  public static void build(Pipeline pipeline, BakeInputs inputs) {
    BakeSettings settings = inputs.settings();
    String output = inputs.outputDirectory();
    PCollection<Probe> probes =
        pipeline.apply(
            "Probes", Create.of(inputs.probes()).withCoder(SerializableCoder.of(Probe.class)));
    PCollection<BakedProbe> baked =
        probes
            .apply("BakeProbes", ParDo.of(new BakeProbeFn(settings)))
            .setCoder(SerializableCoder.of(BakedProbe.class));

    PCollectionView<BakeIndex> index =
        baked
            .apply(
                "IndexEntries",
                MapElements.into(TypeDescriptor.of(BakeIndex.Entry.class))
                    .via(BakedProbe::indexEntry))
            .setCoder(SerializableCoder.of(BakeIndex.Entry.class))
            .apply("BakeIndex", Combine.globally(new BakeIndexFn()).asSingletonView());

    BakeHeader header =
        new BakeHeader(
            settings.plan().name(),
            FloorPlanText.format(settings.plan()),
            settings.grid().maxFrequency(),
            settings.duration(),
            settings.grid().spacing(),
            settings.cells());
    baked
        .apply(
            "OneFile", WithKeys.<Integer, BakedProbe>of(0).withKeyType(TypeDescriptors.integers()))
        .setCoder(KvCoder.of(VarIntCoder.of(), SerializableCoder.of(BakedProbe.class)))
        .apply("GatherProbes", GroupByKey.create())
        .apply("WriteBake", ParDo.of(new WriteBakeFn(output, header, index)).withSideInputs(index));

    baked
        .apply(
            "ProbeStatistics",
            MapElements.into(TypeDescriptor.of(SceneStatistics.class)).via(BakedProbe::statistics))
        .setCoder(SerializableCoder.of(SceneStatistics.class))
        .apply("SceneStatistics", Combine.globally(new SceneStatisticsFn()))
        .apply("WriteStatistics", ParDo.of(new WriteStatisticsFn(output)));

    Set<Integer> draw = inputs.drawProbes();
    baked
        .apply("ChosenProbes", Filter.by(new ChosenProbe(draw)))
        .apply("DrawMaps", ParDo.of(new DrawProbeFn(settings, output)));
  }

  /** Keeps the probes whose maps are drawn. */
  private static final class ChosenProbe
      implements org.apache.beam.sdk.transforms.SerializableFunction<BakedProbe, Boolean> {
    private final Set<Integer> ids;

    ChosenProbe(Set<Integer> ids) {
      this.ids = Set.copyOf(ids);
    }

    @Override
    public Boolean apply(BakedProbe probe) {
      return ids.contains(probe.probe().id());
    }
  }
}

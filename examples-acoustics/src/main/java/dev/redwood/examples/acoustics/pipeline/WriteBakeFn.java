package dev.redwood.examples.acoustics.pipeline;

import dev.redwood.examples.acoustics.encoding.BakeFile;
import dev.redwood.examples.acoustics.encoding.BakeHeader;
import dev.redwood.examples.acoustics.encoding.BakeIndex;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollectionView;

/**
 * Writes the one bake file from all baked probes (grouped under one key) and the index (a side
 * input, from {@link BakeIndexFn}). The probes' encoded fields are held in memory while the file is
 * written in index order: a few tens of kilobytes per probe, about a hundred megabytes for a large
 * game level, within one worker's heap.
 */
public final class WriteBakeFn extends DoFn<KV<Integer, Iterable<BakedProbe>>, String> {
  public static final String FILE_NAME = "bake.rwbake";

  private final String outputDirectory;
  private final BakeHeader header;
  private final PCollectionView<BakeIndex> index;

  public WriteBakeFn(String outputDirectory, BakeHeader header, PCollectionView<BakeIndex> index) {
    this.outputDirectory = outputDirectory;
    this.header = header;
    this.index = index;
  }

  @ProcessElement
  public void process(ProcessContext context) throws IOException {
    BakeIndex bakeIndex = context.sideInput(index);
    Map<Integer, byte[]> data = new HashMap<>();
    for (BakedProbe probe : context.element().getValue()) {
      // A retried bake task may have delivered a probe twice; both copies are the same.
      data.put(probe.probe().id(), probe.encoded());
    }
    if (data.size() != bakeIndex.size()) {
      throw new IllegalStateException(
          "the index lists " + bakeIndex.size() + " probes but " + data.size() + " arrived");
    }
    OutputFiles.write(
        outputDirectory,
        FILE_NAME,
        "application/octet-stream",
        out -> {
          BufferedOutputStream buffered = new BufferedOutputStream(out, 1 << 16);
          BakeFile.write(buffered, header, bakeIndex, data::get);
          buffered.flush();
        });
    context.output(
        FILE_NAME
            + ": "
            + bakeIndex.size()
            + " probes, "
            + bakeIndex.dataBytes()
            + " bytes of probe data");
  }
}

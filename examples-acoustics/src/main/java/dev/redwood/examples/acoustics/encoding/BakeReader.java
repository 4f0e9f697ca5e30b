package dev.redwood.examples.acoustics.encoding;

import dev.redwood.examples.acoustics.parameters.CellParameters;
import dev.redwood.examples.acoustics.parameters.ProbeField;
import dev.redwood.examples.acoustics.scene.FloorPlan;
import dev.redwood.examples.acoustics.scene.FloorPlanText;
import dev.redwood.examples.acoustics.scene.Probe;
import dev.redwood.examples.acoustics.scene.ReceiverGrid;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Answers queries on a bake file: the parameters between a probe and a cell, as a game's audio
 * engine would ask them at run time. Reads the header and index when opened and a probe's data when
 * first asked for; the last few decoded probes stay cached.
 */
public final class BakeReader implements AutoCloseable {
  private static final int CACHED_PROBES = 8;

  private final Path file;
  private final FileChannel channel;
  private final BakeHeader header;
  private final BakeIndex index;
  private final long dataStart;
  private final Map<Integer, ProbeField> cache =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, ProbeField> eldest) {
          return size() > CACHED_PROBES;
        }
      };

  public BakeReader(Path file) throws IOException {
    this.file = file;
    this.channel = FileChannel.open(file, StandardOpenOption.READ);
    try {
      BakeFile.Preamble preamble =
          BakeFile.readPreamble(
              new BufferedInputStream(Channels.newInputStream(channel.position(0)), 1 << 16),
              file.toString());
      this.header = preamble.header();
      this.index = preamble.index();
      this.dataStart = preamble.dataStart();
      if (dataStart + index.dataBytes() != channel.size()) {
        throw new IOException(
            file
                + " is "
                + channel.size()
                + " bytes; its index expects "
                + (dataStart + index.dataBytes()));
      }
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  public BakeHeader header() {
    return header;
  }

  public ReceiverGrid cells() {
    return header.cells();
  }

  /** The scene the bake was made for. */
  public FloorPlan plan() {
    return FloorPlanText.parse(header.planText().lines().toList(), file + " (plan)");
  }

  public List<Probe> probes() {
    List<Probe> probes = new ArrayList<>();
    for (BakeIndex.Entry e : index.entries()) {
      probes.add(new Probe(e.probe(), e.x(), e.y()));
    }
    return probes;
  }

  /** The probe nearest to (x, y) metres, the one a listener there would use. */
  public Probe nearestProbe(double x, double y) {
    Probe best = null;
    double bestDistance = Double.MAX_VALUE;
    for (BakeIndex.Entry e : index.entries()) {
      double d = Math.hypot(e.x() - x, e.y() - y);
      if (d < bestDistance) {
        bestDistance = d;
        best = new Probe(e.probe(), e.x(), e.y());
      }
    }
    return best;
  }

  /** Every cell's parameters for one probe. */
  public synchronized ProbeField field(int probe) {
    ProbeField field = cache.get(probe);
    if (field == null) {
      field = ProbeEncoder.decode(encoded(probe), header.cells());
      cache.put(probe, field);
    }
    return field;
  }

  /**
   * The parameters between a probe and cell (i, j), or null if the probe's sound does not reach it.
   */
  public CellParameters parameters(int probe, int i, int j) {
    ReceiverGrid cells = header.cells();
    if (i < 0 || j < 0 || i >= cells.columns() || j >= cells.rows()) {
      throw new IllegalArgumentException(
          "cell ("
              + i
              + ", "
              + j
              + ") is outside the bake's "
              + cells.columns()
              + " x "
              + cells.rows()
              + " cells");
    }
    return field(probe).get(i, j);
  }

  /** The parameters between a probe and the cell under (x, y) metres, or null. */
  public CellParameters parametersAt(int probe, double x, double y) {
    ReceiverGrid cells = header.cells();
    int i = cells.columnAt(x);
    int j = cells.rowAt(y);
    if (i < 0 || j < 0) {
      return null;
    }
    return parameters(probe, i, j);
  }

  /** The encoded bytes of a probe, checked against the index's CRC. */
  public byte[] encoded(int probe) {
    int position = index.find(probe);
    if (position < 0) {
      throw new IllegalArgumentException("the bake " + file + " has no probe " + probe);
    }
    BakeIndex.Entry entry = index.entries().get(position);
    ByteBuffer buffer = ByteBuffer.allocate(entry.length());
    try {
      long at = dataStart + index.offset(position);
      while (buffer.hasRemaining()) {
        int n = channel.read(buffer, at + buffer.position());
        if (n < 0) {
          throw new IOException(file + " ends inside probe " + probe);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    byte[] bytes = buffer.array();
    if (BakeFile.crc(bytes) != entry.crc()) {
      throw new IllegalStateException("probe " + probe + " of " + file + " fails its CRC check");
    }
    return bytes;
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}

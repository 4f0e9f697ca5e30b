package dev.redwood.examples.acoustics.encoding;

import dev.redwood.examples.acoustics.scene.ReceiverGrid;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import java.util.zip.CRC32;

/**
 * The bake file's layout, written in one pass:
 *
 * <pre>
 * magic "RWBAKE" + format version (short)
 * header: scene name, frequency, duration, grid spacing, cell grid, plan text
 * index:  probe count, then per probe id, x, y, data offset, length, CRC-32
 * data:   the probes' encoded fields, in index order
 * </pre>
 *
 * Big-endian throughout (DataOutput). A reader finds any probe with one seek.
 */
public final class BakeFile {
  static final byte[] MAGIC = "RWBAKE".getBytes(StandardCharsets.US_ASCII);
  static final short FORMAT = 1;

  private BakeFile() {}

  /** Writes header, index and data; {@code data} gives the encoded bytes of a probe id. */
  public static void write(
      OutputStream stream, BakeHeader header, BakeIndex index, IntFunction<byte[]> data)
      throws IOException {
    DataOutputStream out = new DataOutputStream(stream);
    out.write(MAGIC);
    out.writeShort(FORMAT);
    out.writeUTF(header.sceneName());
    out.writeDouble(header.frequency());
    out.writeDouble(header.duration());
    out.writeDouble(header.gridSpacing());
    out.writeInt(header.cells().columns());
    out.writeInt(header.cells().rows());
    out.writeDouble(header.cells().spacing());
    byte[] plan = header.planText().getBytes(StandardCharsets.UTF_8);
    out.writeInt(plan.length);
    out.write(plan);
    out.writeInt(index.size());
    for (int i = 0; i < index.size(); i++) {
      BakeIndex.Entry e = index.entries().get(i);
      out.writeInt(e.probe());
      out.writeDouble(e.x());
      out.writeDouble(e.y());
      out.writeLong(index.offset(i));
      out.writeInt(e.length());
      out.writeInt(e.crc());
    }
    for (BakeIndex.Entry e : index.entries()) {
      byte[] bytes = data.apply(e.probe());
      if (bytes == null) {
        throw new IOException("no data for probe " + e.probe() + ", which the index lists");
      }
      if (bytes.length != e.length() || crc(bytes) != e.crc()) {
        throw new IOException("data of probe " + e.probe() + " does not match its index entry");
      }
      out.write(bytes);
    }
    out.flush();
  }

  /** What {@link #readPreamble} finds: header, index and where the data section starts. */
  record Preamble(BakeHeader header, BakeIndex index, long dataStart) {}

  static Preamble readPreamble(InputStream stream, String source) throws IOException {
    CountingInput counting = new CountingInput(stream);
    DataInputStream in = new DataInputStream(counting);
    byte[] magic = new byte[MAGIC.length];
    in.readFully(magic);
    if (!java.util.Arrays.equals(magic, MAGIC)) {
      throw new IOException(source + " is not a Redwood bake file");
    }
    short format = in.readShort();
    if (format != FORMAT) {
      throw new IOException(
          source + " has bake format " + format + "; this reader reads " + FORMAT);
    }
    String name = in.readUTF();
    double frequency = in.readDouble();
    double duration = in.readDouble();
    double gridSpacing = in.readDouble();
    ReceiverGrid cells = new ReceiverGrid(in.readInt(), in.readInt(), in.readDouble());
    int planLength = in.readInt();
    if (planLength < 0 || planLength > 1 << 28) {
      throw new IOException(source + ": corrupt header (plan of " + planLength + " bytes)");
    }
    byte[] plan = new byte[planLength];
    in.readFully(plan);
    int count = in.readInt();
    if (count < 0 || count > 1 << 24) {
      throw new IOException(source + ": corrupt index (" + count + " probes)");
    }
    List<BakeIndex.Entry> entries = new ArrayList<>(count);
    long expected = 0;
    for (int i = 0; i < count; i++) {
      int id = in.readInt();
      double x = in.readDouble();
      double y = in.readDouble();
      long offset = in.readLong();
      int length = in.readInt();
      int crc = in.readInt();
      if (offset != expected) {
        throw new IOException(source + ": corrupt index at probe " + id);
      }
      expected += length;
      entries.add(new BakeIndex.Entry(id, x, y, length, crc));
    }
    BakeHeader header =
        new BakeHeader(
            name,
            new String(plan, StandardCharsets.UTF_8),
            frequency,
            duration,
            gridSpacing,
            cells);
    return new Preamble(header, new BakeIndex(entries), counting.count);
  }

  public static int crc(byte[] bytes) {
    CRC32 crc = new CRC32();
    crc.update(bytes);
    return (int) crc.getValue();
  }

  /** Counts bytes read, so the reader knows where the data section starts. */
  private static final class CountingInput extends java.io.FilterInputStream {
    long count;

    CountingInput(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        count++;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) {
        count += n;
      }
      return n;
    }
  }
}

package dev.redwood.examples.acoustics.encoding;

import dev.redwood.examples.acoustics.parameters.CellParameters;
import dev.redwood.examples.acoustics.parameters.ProbeField;
import dev.redwood.examples.acoustics.scene.ReceiverGrid;
import java.io.ByteArrayOutputStream;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * Encodes one probe's parameter fields: quantise ({@link Quantizer}), delta-code over the cell grid
 * ({@link FieldCodec}), then compress the lot with Deflate. Quantisation is the only loss; decoding
 * gives back exactly the quantised values.
 *
 * <p>Layout before compression: a version byte, the cell count, the masks of reached cells, of
 * cells with an EDT, with a T30 and with a direction, then the coded fields in the order onset,
 * direct loudness, reflections loudness, EDT, T30, direction.
 */
public final class ProbeEncoder {
  private static final int VERSION = 1;

  private ProbeEncoder() {}

  public static byte[] encode(ProbeField field) {
    ReceiverGrid grid = field.grid();
    int n = grid.cellCount();
    boolean[] reached = new boolean[n];
    boolean[] hasEdt = new boolean[n];
    boolean[] hasT30 = new boolean[n];
    boolean[] hasDirection = new boolean[n];
    int[] onset = new int[n];
    int[] direct = new int[n];
    int[] reflections = new int[n];
    int[] edt = new int[n];
    int[] t30 = new int[n];
    int[] direction = new int[n];
    for (int i = 0; i < n; i++) {
      CellParameters p = field.get(i);
      if (p == null) {
        continue;
      }
      reached[i] = true;
      onset[i] = Quantizer.delay(p.onsetDelay());
      direct[i] = Quantizer.loudness(p.directLoudness());
      reflections[i] = Quantizer.loudness(p.reflectionsLoudness());
      if (p.earlyDecayTime() > 0) {
        hasEdt[i] = true;
        edt[i] = Quantizer.decay(p.earlyDecayTime());
      }
      if (p.reverberationTime() > 0) {
        hasT30[i] = true;
        t30[i] = Quantizer.decay(p.reverberationTime());
      }
      if (p.arrivalX() != 0 || p.arrivalY() != 0) {
        hasDirection[i] = true;
        direction[i] = Quantizer.direction(p.arrivalAngle());
      }
    }
    ByteArrayOutputStream raw = new ByteArrayOutputStream(n * 4);
    raw.write(VERSION);
    FieldCodec.writeVarint(raw, n);
    FieldCodec.writeMask(reached, raw);
    FieldCodec.writeMask(hasEdt, raw);
    FieldCodec.writeMask(hasT30, raw);
    FieldCodec.writeMask(hasDirection, raw);
    int columns = grid.columns();
    FieldCodec.encode(onset, reached, columns, 0, raw);
    FieldCodec.encode(direct, reached, columns, 0, raw);
    FieldCodec.encode(reflections, reached, columns, 0, raw);
    FieldCodec.encode(edt, hasEdt, columns, 0, raw);
    FieldCodec.encode(t30, hasT30, columns, 0, raw);
    FieldCodec.encode(direction, hasDirection, columns, Quantizer.DIRECTIONS, raw);
    return deflate(raw.toByteArray());
  }

  public static ProbeField decode(byte[] encoded, ReceiverGrid grid) {
    byte[] data = inflate(encoded);
    if (data.length < 2 || data[0] != VERSION) {
      throw new IllegalArgumentException(
          "unknown probe data version " + (data.length > 0 ? data[0] : -1));
    }
    int[] position = {1};
    int n = FieldCodec.readVarint(data, position);
    if (n != grid.cellCount()) {
      throw new IllegalArgumentException(
          "probe data has " + n + " cells, the bake's grid " + grid.cellCount());
    }
    boolean[] reached = new boolean[n];
    boolean[] hasEdt = new boolean[n];
    boolean[] hasT30 = new boolean[n];
    boolean[] hasDirection = new boolean[n];
    int offset = FieldCodec.readMask(data, position[0], reached);
    offset = FieldCodec.readMask(data, offset, hasEdt);
    offset = FieldCodec.readMask(data, offset, hasT30);
    offset = FieldCodec.readMask(data, offset, hasDirection);
    int columns = grid.columns();
    int[] onset = new int[n];
    int[] direct = new int[n];
    int[] reflections = new int[n];
    int[] edt = new int[n];
    int[] t30 = new int[n];
    int[] direction = new int[n];
    offset = FieldCodec.decode(data, offset, onset, reached, columns, 0);
    offset = FieldCodec.decode(data, offset, direct, reached, columns, 0);
    offset = FieldCodec.decode(data, offset, reflections, reached, columns, 0);
    offset = FieldCodec.decode(data, offset, edt, hasEdt, columns, 0);
    offset = FieldCodec.decode(data, offset, t30, hasT30, columns, 0);
    offset =
        FieldCodec.decode(data, offset, direction, hasDirection, columns, Quantizer.DIRECTIONS);
    if (offset != data.length) {
      throw new IllegalArgumentException(
          "probe data has " + (data.length - offset) + " bytes too many");
    }
    ProbeField field = new ProbeField(grid);
    for (int i = 0; i < n; i++) {
      if (!reached[i]) {
        continue;
      }
      double angle = Quantizer.direction(direction[i]);
      field.set(
          i,
          new CellParameters(
              Quantizer.delay(onset[i]),
              Quantizer.loudness(direct[i]),
              Quantizer.loudness(reflections[i]),
              hasEdt[i] ? Quantizer.decay(edt[i]) : Double.NaN,
              hasT30[i] ? Quantizer.decay(t30[i]) : Double.NaN,
              hasDirection[i] ? Math.cos(angle) : 0,
              hasDirection[i] ? Math.sin(angle) : 0));
    }
    return field;
  }

  private static byte[] deflate(byte[] data) {
    Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION);
    try {
      deflater.setInput(data);
      deflater.finish();
      ByteArrayOutputStream out = new ByteArrayOutputStream(data.length / 2 + 64);
      byte[] buffer = new byte[8192];
      while (!deflater.finished()) {
        out.write(buffer, 0, deflater.deflate(buffer));
      }
      return out.toByteArray();
    } finally {
      deflater.end();
    }
  }

  private static byte[] inflate(byte[] data) {
    Inflater inflater = new Inflater();
    try {
      inflater.setInput(data);
      ByteArrayOutputStream out = new ByteArrayOutputStream(data.length * 4);
      byte[] buffer = new byte[8192];
      while (!inflater.finished()) {
        int n = inflater.inflate(buffer);
        if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
          throw new IllegalArgumentException("truncated probe data");
        }
        out.write(buffer, 0, n);
      }
      return out.toByteArray();
    } catch (DataFormatException e) {
      throw new IllegalArgumentException("corrupt probe data: " + e.getMessage(), e);
    } finally {
      inflater.end();
    }
  }
}

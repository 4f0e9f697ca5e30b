package dev.redwood.examples.rtm.io;

import dev.redwood.examples.rtm.survey.ShotGeometry;
import dev.redwood.examples.rtm.survey.ShotRecord;
import dev.redwood.examples.rtm.wave.TimeAxis;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.List;

/**
 * Shot records as SEG-Y revision 1 files with IEEE float samples (data format code 5): a 3200-byte
 * textual header (EBCDIC, 40 card images), a 400-byte binary header and, per trace, a 240-byte
 * trace header followed by the samples, all big-endian.
 *
 * <p>Geometry goes where rev1 puts it: source and receiver X in bytes 73-76 and 81-84 with the
 * coordinate scalar (bytes 71-72) at -100 (centimetres); source depth below the surface in bytes
 * 49-52 and receiver depth as a negative receiver group elevation in bytes 41-44, both with the
 * elevation scalar (bytes 69-70) at -100; the shot number (from 1) as field record number.
 */
public final class SegyFormat {

  static final int TEXT_HEADER = 3200;
  static final int BINARY_HEADER = 400;
  static final int TRACE_HEADER = 240;
  static final int IEEE_FLOAT = 5;
  static final short SCALAR = -100;
  private static final Charset EBCDIC = Charset.forName("IBM037");

  private SegyFormat() {}

  public static byte[] encode(ShotRecord record) {
    ShotGeometry g = record.geometry();
    TimeAxis time = record.time();
    int ns = time.samples();
    int traces = g.receivers();
    if (ns > Short.MAX_VALUE || time.microseconds() > Short.MAX_VALUE || traces > Short.MAX_VALUE) {
      throw new IllegalArgumentException(
          "SEG-Y rev1 holds at most 32767 samples, traces and microseconds per sample: " + record);
    }
    ByteBuffer out =
        ByteBuffer.allocate(TEXT_HEADER + BINARY_HEADER + traces * (TRACE_HEADER + 4 * ns))
            .order(ByteOrder.BIG_ENDIAN);
    out.put(textHeader(record));

    int b = TEXT_HEADER;
    out.putInt(b, 1); // 3201 job identification number
    out.putInt(b + 4, 1); // 3205 line number
    out.putInt(b + 8, 1); // 3209 reel number
    out.putShort(b + 12, (short) traces); // 3213 data traces per ensemble
    out.putShort(b + 14, (short) 0); // 3215 auxiliary traces per ensemble
    out.putShort(b + 16, (short) time.microseconds()); // 3217 sample interval (us)
    out.putShort(b + 18, (short) time.microseconds()); // 3219 original field sample interval
    out.putShort(b + 20, (short) ns); // 3221 samples per trace
    out.putShort(b + 22, (short) ns); // 3223 original samples per trace
    out.putShort(b + 24, (short) IEEE_FLOAT); // 3225 data sample format code
    out.putShort(b + 26, (short) 1); // 3227 ensemble fold
    out.putShort(b + 28, (short) 1); // 3229 trace sorting: as recorded
    out.putShort(b + 54, (short) 1); // 3255 measurement system: metres
    out.putShort(b + 300, (short) 0x0100); // 3501 SEG-Y format revision 1.0
    out.putShort(b + 302, (short) 1); // 3503 fixed length traces
    out.putShort(b + 304, (short) 0); // 3505 extended textual headers

    int shotNumber = g.shot() + 1;
    for (int t = 0; t < traces; t++) {
      int h = TEXT_HEADER + BINARY_HEADER + t * (TRACE_HEADER + 4 * ns);
      out.putInt(h, t + 1); // 1 trace sequence number within line
      out.putInt(h + 4, t + 1); // 5 trace sequence number within file
      out.putInt(h + 8, shotNumber); // 9 original field record number
      out.putInt(h + 12, t + 1); // 13 trace number within the field record
      out.putInt(h + 16, shotNumber); // 17 energy source point number
      out.putInt(h + 20, shotNumber); // 21 ensemble number
      out.putInt(h + 24, t + 1); // 25 trace number within the ensemble
      out.putShort(h + 28, (short) 1); // 29 trace identification: seismic data
      out.putShort(h + 34, (short) 1); // 35 data use: production
      out.putInt(h + 36, (int) Math.round(g.receiverX(t) - g.sourceX())); // 37 offset (m)
      out.putInt(h + 40, scaled(-g.receiverZ(t))); // 41 receiver group elevation
      out.putInt(h + 48, scaled(g.sourceZ())); // 49 source depth below surface
      out.putShort(h + 68, SCALAR); // 69 scalar for elevations and depths
      out.putShort(h + 70, SCALAR); // 71 scalar for coordinates
      out.putInt(h + 72, scaled(g.sourceX())); // 73 source X
      out.putInt(h + 80, scaled(g.receiverX(t))); // 81 group X
      out.putShort(h + 88, (short) 1); // 89 coordinate units: length
      out.putShort(h + 114, (short) ns); // 115 samples in this trace
      out.putShort(h + 116, (short) time.microseconds()); // 117 sample interval (us)
      int data = h + TRACE_HEADER;
      for (int n = 0; n < ns; n++) {
        out.putFloat(data + 4 * n, record.sample(t, n));
      }
    }
    return out.array();
  }

  public static ShotRecord decode(byte[] file) {
    if (file.length < TEXT_HEADER + BINARY_HEADER) {
      throw new IllegalArgumentException("not a SEG-Y file: " + file.length + " bytes");
    }
    ByteBuffer in = ByteBuffer.wrap(file).order(ByteOrder.BIG_ENDIAN);
    int b = TEXT_HEADER;
    int format = in.getShort(b + 24);
    if (format != IEEE_FLOAT) {
      throw new IllegalArgumentException(
          "only IEEE float SEG-Y (data format code 5) is read here; this file has code " + format);
    }
    int extended = in.getShort(b + 304);
    int first = TEXT_HEADER + BINARY_HEADER + Math.max(0, extended) * TEXT_HEADER;
    int interval = Short.toUnsignedInt(in.getShort(b + 16));
    int ns = Short.toUnsignedInt(in.getShort(b + 20));
    List<float[]> traces = new ArrayList<>();
    List<double[]> receivers = new ArrayList<>();
    double sourceX = 0;
    double sourceZ = 0;
    int shot = 0;
    int at = first;
    while (at + TRACE_HEADER <= file.length) {
      int traceSamples = Short.toUnsignedInt(in.getShort(at + 114));
      int traceInterval = Short.toUnsignedInt(in.getShort(at + 116));
      if (traceSamples == 0) {
        traceSamples = ns;
      }
      if (traceInterval == 0) {
        traceInterval = interval;
      }
      if (traceSamples != ns || traceInterval != interval) {
        throw new IllegalArgumentException(
            "trace "
                + (traces.size() + 1)
                + " has "
                + traceSamples
                + " samples at "
                + traceInterval
                + " us; a shot record needs one time axis ("
                + ns
                + " at "
                + interval
                + " us)");
      }
      if (at + TRACE_HEADER + 4 * ns > file.length) {
        throw new IllegalArgumentException("SEG-Y file ends inside trace " + (traces.size() + 1));
      }
      short elevationScalar = in.getShort(at + 68);
      short coordinateScalar = in.getShort(at + 70);
      if (traces.isEmpty()) {
        shot = in.getInt(at + 8) - 1;
        sourceX = unscaled(in.getInt(at + 72), coordinateScalar);
        sourceZ = unscaled(in.getInt(at + 48), elevationScalar);
      }
      receivers.add(
          new double[] {
            unscaled(in.getInt(at + 80), coordinateScalar),
            -unscaled(in.getInt(at + 40), elevationScalar)
          });
      float[] trace = new float[ns];
      for (int n = 0; n < ns; n++) {
        trace[n] = in.getFloat(at + TRACE_HEADER + 4 * n);
      }
      traces.add(trace);
      at += TRACE_HEADER + 4 * ns;
    }
    if (traces.isEmpty()) {
      throw new IllegalArgumentException("SEG-Y file holds no traces");
    }
    double[] rx = new double[traces.size()];
    double[] rz = new double[traces.size()];
    float[] samples = new float[traces.size() * ns];
    for (int t = 0; t < traces.size(); t++) {
      rx[t] = receivers.get(t)[0];
      rz[t] = receivers.get(t)[1];
      System.arraycopy(traces.get(t), 0, samples, t * ns, ns);
    }
    return new ShotRecord(
        new ShotGeometry(shot, sourceX, sourceZ, rx, rz), new TimeAxis(interval, ns), samples);
  }

  /** The textual header of the file: 40 EBCDIC card images of 80 characters. */
  static byte[] textHeader(ShotRecord record) {
    ShotGeometry g = record.geometry();
    String[] lines = {
      "REDWOOD RTM EXAMPLE: SYNTHETIC 2D SHOT RECORD (ACOUSTIC, CONSTANT DENSITY)",
      String.format(
          "SHOT %d  SOURCE X %.2f M  SOURCE DEPTH %.2f M", g.shot() + 1, g.sourceX(), g.sourceZ()),
      String.format(
          "%d TRACES  %d SAMPLES  SAMPLE INTERVAL %d US",
          g.receivers(), record.time().samples(), record.time().microseconds()),
      "DATA FORMAT 5: 4-BYTE IEEE FLOATING POINT, BIG-ENDIAN",
      "COORDINATES: SOURCE X BYTES 73-76, GROUP X 81-84, SCALAR -100 (CENTIMETRES)",
      "DEPTHS: SOURCE 49-52, RECEIVER AS NEGATIVE GROUP ELEVATION 41-44, SCALAR -100",
      "SOURCE WAVELET: RICKER",
    };
    StringBuilder text = new StringBuilder(TEXT_HEADER);
    for (int card = 1; card <= 40; card++) {
      String body;
      if (card == 39) {
        body = "SEG Y REV1";
      } else if (card == 40) {
        body = "END TEXTUAL HEADER";
      } else {
        body = card <= lines.length ? lines[card - 1] : "";
      }
      String line = String.format("C%2d %s", card, body);
      text.append(String.format("%-80s", line.length() > 80 ? line.substring(0, 80) : line));
    }
    return text.toString().getBytes(EBCDIC);
  }

  /** The textual header decoded from EBCDIC, one card per line. */
  public static String readTextHeader(byte[] file) {
    String text = new String(file, 0, TEXT_HEADER, EBCDIC);
    StringBuilder lines = new StringBuilder();
    for (int card = 0; card < 40; card++) {
      lines.append(text, card * 80, card * 80 + 80).append('\n');
    }
    return lines.toString();
  }

  private static int scaled(double metres) {
    return (int) Math.round(metres * -SCALAR);
  }

  /**
   * A header value with its rev1 scalar applied: positive multiplies, negative divides, zero means
   * one. Dividing (rather than multiplying by 1/100) gives back exactly the centimetre-rounded
   * positions {@link dev.redwood.examples.rtm.survey.Acquisition} lays out.
   */
  private static double unscaled(int value, short scalar) {
    if (scalar == 0) {
      return value;
    }
    return scalar > 0 ? (double) value * scalar : value / (double) -scalar;
  }
}

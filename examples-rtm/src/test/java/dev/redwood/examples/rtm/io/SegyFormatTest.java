package dev.redwood.examples.rtm.io;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.redwood.examples.rtm.survey.ShotGeometry;
import dev.redwood.examples.rtm.survey.ShotRecord;
import dev.redwood.examples.rtm.wave.TimeAxis;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SEG-Y rev1 writing and reading back, and the header bytes where the standard puts them. */
class SegyFormatTest {

  static ShotRecord record() {
    int traces = 7;
    TimeAxis time = new TimeAxis(2218, 11);
    double[] rx = new double[traces];
    double[] rz = new double[traces];
    for (int r = 0; r < traces; r++) {
      rx[r] = 12.5 + 25 * r;
      rz[r] = 40;
    }
    float[] samples = new float[traces * time.samples()];
    Random random = new Random(4);
    for (int i = 0; i < samples.length; i++) {
      samples[i] = (float) random.nextGaussian() * 1e-3f;
    }
    samples[3] = Float.MIN_VALUE;
    samples[4] = -0f;
    return new ShotRecord(new ShotGeometry(4, 531.25, 20, rx, rz), time, samples);
  }

  @Test
  void recordRoundTrips(@TempDir Path dir) throws Exception {
    ShotRecord record = record();
    String path = dir.resolve("shot.sgy").toString();
    Storage.write(path, SegyFormat.encode(record));
    ShotRecord back = SegyFormat.decode(Storage.read(path));
    assertThat(back, equalTo(record));
    assertThat(Files.size(Path.of(path)), equalTo(3600L + 7 * (240 + 4 * 11)));
  }

  @Test
  void headersFollowRevisionOne() {
    byte[] file = SegyFormat.encode(record());
    ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.BIG_ENDIAN);
    // Binary header (byte positions of the standard, 1-based, minus one).
    assertThat((int) b.getShort(3212), equalTo(7)); // 3213-3214 traces per ensemble
    assertThat((int) b.getShort(3216), equalTo(2218)); // 3217-3218 sample interval (us)
    assertThat((int) b.getShort(3220), equalTo(11)); // 3221-3222 samples per trace
    assertThat((int) b.getShort(3224), equalTo(5)); // 3225-3226 format: IEEE float
    assertThat((int) b.getShort(3254), equalTo(1)); // 3255-3256 metres
    assertThat((int) b.getShort(3500), equalTo(0x0100)); // 3501-3502 revision 1.0
    assertThat((int) b.getShort(3502), equalTo(1)); // 3503-3504 fixed-length traces
    // First trace header.
    int t = 3600;
    assertThat(b.getInt(t + 8), equalTo(5)); // 9-12 field record: shot 5 (from 1)
    assertThat(b.getInt(t + 12), equalTo(1)); // 13-16 trace in record
    assertThat((int) b.getShort(t + 70), equalTo(-100)); // 71-72 coordinate scalar
    assertThat(b.getInt(t + 72), equalTo(53125)); // 73-76 source X in cm
    assertThat(b.getInt(t + 80), equalTo(1250)); // 81-84 group X in cm
    assertThat(b.getInt(t + 48), equalTo(2000)); // 49-52 source depth in cm
    assertThat(b.getInt(t + 40), equalTo(-4000)); // 41-44 receiver elevation (negative depth)
    assertThat((int) b.getShort(t + 114), equalTo(11)); // 115-116 samples
    // Samples: big-endian IEEE floats right after the trace header.
    assertThat(b.getFloat(t + 240 + 4 * 3), equalTo(Float.MIN_VALUE));
    // Textual header: EBCDIC card images; 'C' is 0xC3 in EBCDIC.
    assertThat(file[0] & 0xff, equalTo(0xC3));
    String text = SegyFormat.readTextHeader(file);
    assertThat(text, containsString("C 1 REDWOOD RTM EXAMPLE"));
    assertThat(text, containsString("C39 SEG Y REV1"));
    assertThat(text.split("\n").length, equalTo(40));
  }

  @Test
  void otherSampleFormatsAreRejectedClearly() {
    byte[] file = SegyFormat.encode(record());
    ByteBuffer.wrap(file).order(ByteOrder.BIG_ENDIAN).putShort(3224, (short) 1);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> SegyFormat.decode(file));
    assertThat(e.getMessage(), containsString("data format code 5"));
    assertThat(e.getMessage(), containsString("code 1"));
  }

  @Test
  void truncatedFilesAreRejected() {
    byte[] file = SegyFormat.encode(record());
    byte[] cut = java.util.Arrays.copyOf(file, file.length - 10);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> SegyFormat.decode(cut));
    assertThat(e.getMessage(), containsString("ends inside trace 7"));
  }
}

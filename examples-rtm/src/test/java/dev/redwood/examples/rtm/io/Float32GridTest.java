package dev.redwood.examples.rtm.io;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.redwood.examples.rtm.model.MarmousiLikeModel;
import dev.redwood.examples.rtm.model.VelocityModel;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Raw float32 grids: the Marmousi size round trip, byte orders, units, bad sizes. */
class Float32GridTest {

  @Test
  void marmousiSizedModelRoundTrips(@TempDir Path dir) throws Exception {
    VelocityModel model = MarmousiLikeModel.create(176, 851, 20, 7);
    String path = dir.resolve("marmousi.bin").toString();
    Float32Grid.writeModel(path, model, ByteOrder.LITTLE_ENDIAN);
    assertThat(Files.size(Path.of(path)), equalTo(176L * 851 * 4));
    VelocityModel back = Float32Grid.readModel(path, 176, 20, ByteOrder.LITTLE_ENDIAN, 1);
    assertThat(back, equalTo(model));
    assertThat(back.nx(), equalTo(851));
    // Depth fastest: the second value in the file is row 1 of column 0.
    ByteBuffer bytes =
        ByteBuffer.wrap(Files.readAllBytes(Path.of(path))).order(ByteOrder.LITTLE_ENDIAN);
    assertThat(bytes.getFloat(4), equalTo(model.at(1, 0)));
    assertThat(bytes.getFloat(176 * 4), equalTo(model.at(0, 1)));
  }

  @Test
  void bigEndianKilometresPerSecond(@TempDir Path dir) throws Exception {
    float[] kms = {1.5f, 1.6f, 2.0f, 2.5f, 3.0f, 4.5f};
    String path = dir.resolve("km.bin").toString();
    Float32Grid.write(path, kms, ByteOrder.BIG_ENDIAN);
    VelocityModel model = Float32Grid.readModel(path, 3, 10, ByteOrder.BIG_ENDIAN, 1000);
    assertThat(model.nx(), equalTo(2));
    assertThat((double) model.at(2, 1), closeTo(4500, 1e-3));
  }

  @Test
  void sizeThatIsNotWholeColumnsIsRejected(@TempDir Path dir) throws Exception {
    String path = dir.resolve("odd.bin").toString();
    Float32Grid.write(path, new float[10], ByteOrder.LITTLE_ENDIAN);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Float32Grid.readModel(path, 3, 10, ByteOrder.LITTLE_ENDIAN, 1));
    assertThat(e.getMessage(), containsString("not a whole number of columns of 3"));
  }
}

package dev.redwood.examples.rtm.pictures;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import dev.redwood.examples.rtm.model.LayeredModel;
import dev.redwood.examples.rtm.model.VelocityModel;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PNG pictures: sizes, the grayscale clip, colours following velocity. */
class PicturesTest {

  @TempDir Path dir;

  @Test
  void seismicPictureClipsSymmetricallyAtThePercentile() throws Exception {
    int nz = 10;
    int nx = 20;
    float[] values = new float[nz * nx];
    for (int i = 0; i < values.length; i++) {
      values[i] = (i % 2 == 0 ? 1 : -1) * (i + 1); // |x| from 1 to 200
    }
    assertThat(Clip.percentileOfAbs(values, 50), equalTo(100f));
    Path file = dir.resolve("image.png");
    Pictures.seismic(values, nz, nx, 50, 2, file.toString());
    BufferedImage picture = ImageIO.read(file.toFile());
    assertThat(picture.getWidth(), equalTo(40));
    assertThat(picture.getHeight(), equalTo(20));
    // Cell (iz, ix) is values[ix * nz + iz], drawn at pixel (2 ix, 2 iz).
    assertThat(grey(picture, 0, 0), equalTo(129)); // +1 of 100: 127.5 * 1.01, just above mid-grey
    assertThat(grey(picture, 2 * 19, 2 * 9), equalTo(0)); // -200: clipped black
    assertThat(grey(picture, 2 * 19, 2 * 8), equalTo(255)); // +199: clipped white
    assertThat(grey(picture, 2 * 9, 2 * 9), equalTo(0)); // -100: exactly the clip, black
  }

  @Test
  void velocityPictureHasAColourBarAndFollowsVelocity() throws Exception {
    VelocityModel model = LayeredModel.twoLayers(30, 40, 10, 150, 1500f, 4000f);
    Path file = dir.resolve("model.png");
    Pictures.velocity(model, 1, file.toString());
    BufferedImage picture = ImageIO.read(file.toFile());
    assertThat(picture.getWidth(), equalTo(40));
    assertThat(picture.getHeight(), equalTo(30 + 28));
    assertThat(picture.getRGB(5, 2) & 0xffffff, equalTo(ColourMap.rgb(0)));
    assertThat(picture.getRGB(5, 25) & 0xffffff, equalTo(ColourMap.rgb(1)));
    assertThat(ColourMap.rgb(0), not(equalTo(ColourMap.rgb(1))));
  }

  private static int grey(BufferedImage picture, int x, int y) {
    return picture.getRaster().getSample(x, y, 0);
  }
}

package dev.redwood.examples.acoustics.scene;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FloorPlanImageTest {
  @TempDir Path temp;

  @Test
  void coloursBecomeTilesAndMaterials() throws Exception {
    BufferedImage image = new BufferedImage(4, 3, BufferedImage.TYPE_INT_ARGB);
    for (int y = 0; y < 3; y++) {
      for (int x = 0; x < 4; x++) {
        image.setRGB(x, y, 0xff000000 | FloorPlanImage.FLOOR_RGB);
      }
    }
    image.setRGB(0, 0, 0xff000000); // concrete
    image.setRGB(1, 0, 0xff000000 | (MaterialLibrary.CURTAIN.rgb() + 0x050505)); // near curtain
    image.setRGB(2, 0, 0xff000000 | FloorPlanImage.OPEN_RGB);
    image.setRGB(3, 0, 0x00000000); // transparent: open
    Path file = temp.resolve("plan.png");
    ImageIO.write(image, "png", file.toFile());

    FloorPlan plan = FloorPlanImage.read(file, 0.2);
    assertThat(plan.width(), is(4));
    assertThat(plan.material(plan.code(0, 0)), is(MaterialLibrary.CONCRETE));
    assertThat(plan.material(plan.code(1, 0)), is(MaterialLibrary.CURTAIN));
    assertThat(plan.code(2, 0), is(FloorPlan.OPEN));
    assertThat(plan.code(3, 0), is(FloorPlan.OPEN));
    assertThat(plan.isWalkable(2, 2), is(true));
  }

  @Test
  void unknownColourNamesThePixel() throws Exception {
    BufferedImage image = new BufferedImage(3, 2, BufferedImage.TYPE_INT_RGB);
    image.setRGB(2, 1, 0xff00ff);
    Path file = temp.resolve("bad.png");
    ImageIO.write(image, "png", file.toFile());
    SceneFormatException e =
        assertThrows(SceneFormatException.class, () -> FloorPlanImage.read(file, 0.1));
    assertThat(e.getMessage(), containsString("bad.png: pixel (2, 1) has colour #ff00ff"));
  }

  @Test
  void notAnImageIsReported() throws Exception {
    Path file = temp.resolve("text.png");
    java.nio.file.Files.writeString(file, "not a picture");
    SceneFormatException e =
        assertThrows(SceneFormatException.class, () -> FloorPlanImage.read(file, 0.1));
    assertThat(e.getMessage(), containsString("text.png: not an image"));
  }
}

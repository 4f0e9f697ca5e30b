package dev.redwood.examples.acoustics.scene;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * Reads a floor plan drawn as an image (PNG, GIF or BMP): one pixel per tile. White is walkable
 * floor, transparent pixels or {@link #OPEN_RGB} (light blue) are open air, and each built-in
 * material has its colour ({@link MaterialLibrary}; black is concrete). Colours within a small
 * distance of one of these count as it, so anti-aliased or JPEG-touched drawings still load; any
 * other colour is an error that names the pixel.
 */
public final class FloorPlanImage {
  public static final int FLOOR_RGB = 0xffffff;
  public static final int OPEN_RGB = 0xbfe3ff;

  /** Largest RGB distance at which a pixel still counts as a known colour. */
  private static final double TOLERANCE = 48;

  private FloorPlanImage() {}

  /** Reads an image floor plan whose pixels are {@code tileSize} metres wide. */
  public static FloorPlan read(Path file, double tileSize) {
    BufferedImage image;
    try {
      if (!Files.isRegularFile(file)) {
        throw new SceneFormatException("floor plan image " + file + " does not exist");
      }
      image = ImageIO.read(file.toFile());
    } catch (IOException e) {
      throw new SceneFormatException("cannot read floor plan image " + file + ": " + e, e);
    }
    if (image == null) {
      throw new SceneFormatException(
          file + ": not an image this JDK can read (use PNG, GIF or BMP)");
    }
    return fromImage(image, tileSize, file.toString());
  }

  static FloorPlan fromImage(BufferedImage image, double tileSize, String source) {
    int w = image.getWidth();
    int h = image.getHeight();
    List<Material> library = MaterialLibrary.all();
    List<Material> used = new ArrayList<>();
    byte[] codeOfLibrary = new byte[library.size()];
    byte[] tiles = new byte[w * h];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int argb = image.getRGB(x, y);
        byte code;
        if ((argb >>> 24) < 128) {
          code = FloorPlan.OPEN;
        } else {
          int rgb = argb & 0xffffff;
          double best = distance(rgb, FLOOR_RGB);
          code = FloorPlan.FLOOR;
          double open = distance(rgb, OPEN_RGB);
          if (open < best) {
            best = open;
            code = FloorPlan.OPEN;
          }
          int bestMaterial = -1;
          for (int m = 0; m < library.size(); m++) {
            double d = distance(rgb, library.get(m).rgb());
            if (d < best) {
              best = d;
              bestMaterial = m;
            }
          }
          if (best > TOLERANCE) {
            throw new SceneFormatException(
                String.format(
                    "%s: pixel (%d, %d) has colour #%06x, which is neither floor (#%06x), open air"
                        + " (#%06x) nor a material colour %s",
                    source, x, y, rgb, FLOOR_RGB, OPEN_RGB, materialColours(library)));
          }
          if (bestMaterial >= 0) {
            if (codeOfLibrary[bestMaterial] == 0) {
              used.add(library.get(bestMaterial));
              codeOfLibrary[bestMaterial] = (byte) (FloorPlan.FIRST_MATERIAL + used.size() - 1);
            }
            code = codeOfLibrary[bestMaterial];
          }
        }
        tiles[y * w + x] = code;
      }
    }
    String name = Path.of(source).getFileName().toString();
    return new FloorPlan(name, w, h, tileSize, tiles, used);
  }

  private static String materialColours(List<Material> library) {
    StringBuilder out = new StringBuilder("(");
    for (Material m : library) {
      if (out.length() > 1) {
        out.append(", ");
      }
      out.append(m.name()).append(String.format(" #%06x", m.rgb()));
    }
    return out.append(')').toString();
  }

  private static double distance(int a, int b) {
    int dr = ((a >> 16) & 0xff) - ((b >> 16) & 0xff);
    int dg = ((a >> 8) & 0xff) - ((b >> 8) & 0xff);
    int db = (a & 0xff) - (b & 0xff);
    return Math.sqrt(dr * dr + dg * dg + db * db);
  }
}

package dev.redwood.examples.rtm.pictures;

import dev.redwood.examples.rtm.io.Storage;
import dev.redwood.examples.rtm.model.VelocityModel;
import dev.redwood.examples.rtm.survey.ShotRecord;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import javax.imageio.ImageIO;

/**
 * PNG pictures: velocity models in colour with a colour bar, migrated images and shot records in
 * grayscale clipped symmetrically at a high percentile of |x| (black negative, white positive).
 * Depth runs down the picture; one cell is {@code scale} x {@code scale} pixels.
 */
public final class Pictures {

  private static final int BAR = 28;

  /** Power of time in the display gain of shot records. */
  public static final double GAIN_POWER = 1.5;

  private Pictures() {}

  /** The model in colour, with a colour bar labelled in m/s underneath. */
  public static void velocity(VelocityModel model, int scale, String file) throws IOException {
    velocity(model, model.min(), model.max(), scale, file);
  }

  /** The model in colour over a given velocity range (to compare several models). */
  public static void velocity(VelocityModel model, float low, float high, int scale, String file)
      throws IOException {
    int w = model.nx() * scale;
    int h = model.nz() * scale;
    BufferedImage picture = new BufferedImage(w, h + BAR, BufferedImage.TYPE_INT_RGB);
    double range = Math.max(1e-6, high - low);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        picture.setRGB(x, y, ColourMap.rgb((model.at(y / scale, x / scale) - low) / range));
      }
    }
    Graphics2D g = picture.createGraphics();
    g.setColor(Color.WHITE);
    g.fillRect(0, h, w, BAR);
    int left = Math.min(90, w / 4);
    int right = w - left;
    for (int x = left; x < right; x++) {
      g.setColor(new Color(ColourMap.rgb((x - left) / (double) Math.max(1, right - left - 1))));
      g.drawLine(x, h + 6, x, h + BAR - 6);
    }
    g.setColor(Color.BLACK);
    g.setRenderingHint(
        RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    String lowText = String.format("%.0f m/s", low);
    String highText = String.format("%.0f m/s", high);
    g.drawString(lowText, Math.max(2, left - 4 - g.getFontMetrics().stringWidth(lowText)), h + 18);
    g.drawString(highText, right + 4, h + 18);
    g.dispose();
    write(picture, file);
  }

  /**
   * A depth-fastest grid ({@code nz} x {@code nx}) in grayscale, clipped at the {@code percentile}
   * of |x|.
   */
  public static void seismic(
      float[] values, int nz, int nx, double percentile, int scale, String file)
      throws IOException {
    float clip = Clip.percentileOfAbs(values, percentile);
    BufferedImage picture = new BufferedImage(nx * scale, nz * scale, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < nz * scale; y++) {
      for (int x = 0; x < nx * scale; x++) {
        float value = values[(x / scale) * nz + y / scale];
        double t = clip > 0 ? Math.max(-1, Math.min(1, value / clip)) : 0;
        int grey = (int) Math.round(127.5 * (1 + t));
        picture.getRaster().setSample(x, y, 0, grey);
      }
    }
    write(picture, file);
  }

  /**
   * A shot record, time down and receivers across, with a display gain of t^{@value #GAIN_POWER} so
   * late reflections show beside the strong direct wave; the time axis is thinned to at most {@code
   * maxRows} rows so long records stay a reasonable size.
   */
  public static void shotRecord(ShotRecord record, double percentile, int maxRows, String file)
      throws IOException {
    int nt = record.time().samples();
    int traces = record.geometry().receivers();
    int step = Math.max(1, (nt + maxRows - 1) / maxRows);
    int rows = (nt + step - 1) / step;
    float[] thinned = new float[rows * traces];
    for (int r = 0; r < traces; r++) {
      for (int k = 0; k < rows; k++) {
        double t = record.time().time(k * step);
        thinned[r * rows + k] = (float) (record.sample(r, k * step) * Math.pow(t, GAIN_POWER));
      }
    }
    seismic(thinned, rows, traces, percentile, 1, file);
  }

  /** Writes a PNG through Beam's file systems: a local path or, e.g., an azfs:// blob. */
  private static void write(BufferedImage picture, String file) throws IOException {
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    if (!ImageIO.write(picture, "png", png)) {
      throw new IOException("no PNG writer in this JVM");
    }
    Storage.write(file, png.toByteArray());
  }
}

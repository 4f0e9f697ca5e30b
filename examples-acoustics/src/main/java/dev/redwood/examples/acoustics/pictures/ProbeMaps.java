package dev.redwood.examples.acoustics.pictures;

import dev.redwood.examples.acoustics.parameters.CellParameters;
import dev.redwood.examples.acoustics.parameters.ProbeField;
import dev.redwood.examples.acoustics.scene.FloorPlan;
import dev.redwood.examples.acoustics.scene.Material;
import dev.redwood.examples.acoustics.scene.Probe;
import dev.redwood.examples.acoustics.scene.ReceiverGrid;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.function.ToDoubleFunction;
import javax.imageio.ImageIO;

/**
 * Draws one probe's parameters over the floor plan as PNG maps: direct loudness, decay time, and
 * arrows for the direction the direct sound arrives from. Each cell is a flat block (what the bake
 * stores, unsmoothed); walls are drawn on top in their material's colour, the probe as a ringed
 * dot, and a colour bar with its scale sits under the map. Scales are fixed, so maps of different
 * probes compare directly.
 */
public final class ProbeMaps {
  public static final double LOUDNESS_MIN = -45;
  public static final double LOUDNESS_MAX = 5;
  public static final double DECAY_MIN = 0;
  public static final double DECAY_MAX = 1.2;
  private static final int LEGEND = 46;
  private static final int UNREACHED = 0x6b6b6b;

  private final FloorPlan plan;
  private final ReceiverGrid cells;
  private final double scale;

  /**
   * @param pixelsPerMetre picture resolution
   */
  public ProbeMaps(FloorPlan plan, ReceiverGrid cells, double pixelsPerMetre) {
    this.plan = plan;
    this.cells = cells;
    this.scale = pixelsPerMetre;
  }

  /** Direct loudness (dB re the free field at 1 m). */
  public byte[] loudness(Probe probe, ProbeField field) {
    BufferedImage image =
        heatMap(field, CellParameters::directLoudness, ColorMap.HEAT, LOUDNESS_MIN, LOUDNESS_MAX);
    Graphics2D g = graphics(image);
    drawWalls(g);
    drawProbe(g, probe);
    legend(
        g,
        image,
        ColorMap.HEAT,
        LOUDNESS_MIN,
        LOUDNESS_MAX,
        "%.0f dB",
        "Direct loudness, probe " + probe.id() + " (dB re free field at 1 m)");
    g.dispose();
    return png(image);
  }

  /** Reverberation time (T30, or EDT where no T30 was measured). */
  public byte[] decay(Probe probe, ProbeField field) {
    BufferedImage image =
        heatMap(field, CellParameters::decayTime, ColorMap.DEPTH, DECAY_MIN, DECAY_MAX);
    Graphics2D g = graphics(image);
    drawWalls(g);
    drawProbe(g, probe);
    legend(
        g,
        image,
        ColorMap.DEPTH,
        DECAY_MIN,
        DECAY_MAX,
        "%.1f s",
        "Reverberation time, probe "
            + probe.id()
            + " (s; T30, or T20 where the response ends first)");
    g.dispose();
    return png(image);
  }

  /** Arrows pointing to where the direct sound comes from, over a dimmed loudness map. */
  public byte[] arrival(Probe probe, ProbeField field) {
    BufferedImage image =
        heatMap(
            field,
            CellParameters::directLoudness,
            ColorMap.HEAT,
            LOUDNESS_MIN - 25,
            LOUDNESS_MAX + 10);
    Graphics2D g = graphics(image);
    drawWalls(g);
    // One arrow per metre or so: every cell would be a thicket.
    int every = Math.max(1, (int) Math.round(1.0 / cells.spacing()));
    double length = every * cells.spacing() * scale * 0.8;
    g.setStroke(new BasicStroke(1.4f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
    for (int j = every / 2; j < cells.rows(); j += every) {
      for (int i = every / 2; i < cells.columns(); i += every) {
        CellParameters p = field.get(i, j);
        if (p == null || (p.arrivalX() == 0 && p.arrivalY() == 0)) {
          continue;
        }
        double cx = cells.centreX(i) * scale;
        double cy = cells.centreY(j) * scale;
        if (Math.hypot(cells.centreX(i) - probe.x(), cells.centreY(j) - probe.y()) < 0.75) {
          continue; // at the probe itself there is no direction
        }
        arrow(g, cx, cy, p.arrivalX(), p.arrivalY(), length);
      }
    }
    drawProbe(g, probe);
    legendText(
        g,
        image,
        "Arrival direction of the direct sound, probe "
            + probe.id()
            + " (arrows point to where it comes from)");
    g.dispose();
    return png(image);
  }

  /** The plan with every probe's position, for an overview of the bake. */
  public byte[] overview(List<Probe> probes) {
    int w = (int) Math.ceil(plan.widthMetres() * scale);
    int h = (int) Math.ceil(plan.heightMetres() * scale);
    BufferedImage image = new BufferedImage(w, h + LEGEND, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = graphics(image);
    g.setColor(new Color(0xf4f1ea));
    g.fillRect(0, 0, w, h);
    for (int ty = 0; ty < plan.height(); ty++) {
      for (int tx = 0; tx < plan.width(); tx++) {
        if (plan.code(tx, ty) == FloorPlan.OPEN) {
          g.setColor(new Color(0xd6e9f5));
          fillTile(g, tx, ty);
        }
      }
    }
    drawWalls(g);
    for (Probe p : probes) {
      g.setColor(new Color(0xc0392b));
      double r = Math.max(2.5, scale * 0.15);
      g.fill(
          new java.awt.geom.Ellipse2D.Double(p.x() * scale - r, p.y() * scale - r, 2 * r, 2 * r));
    }
    legendText(g, image, plan.name() + ": " + probes.size() + " probes");
    g.dispose();
    return png(image);
  }

  private BufferedImage heatMap(
      ProbeField field,
      ToDoubleFunction<CellParameters> value,
      ColorMap map,
      double min,
      double max) {
    int w = (int) Math.ceil(plan.widthMetres() * scale);
    int h = (int) Math.ceil(plan.heightMetres() * scale);
    BufferedImage image = new BufferedImage(w, h + LEGEND, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      int j = Math.min(cells.rows() - 1, (int) ((y + 0.5) / scale / cells.spacing()));
      for (int x = 0; x < w; x++) {
        int i = Math.min(cells.columns() - 1, (int) ((x + 0.5) / scale / cells.spacing()));
        CellParameters p = field.get(i, j);
        double v = p == null ? Double.NaN : value.applyAsDouble(p);
        image.setRGB(x, y, Double.isNaN(v) ? UNREACHED : map.rgb(v, min, max));
      }
    }
    return image;
  }

  private void drawWalls(Graphics2D g) {
    for (int ty = 0; ty < plan.height(); ty++) {
      for (int tx = 0; tx < plan.width(); tx++) {
        byte code = plan.code(tx, ty);
        if (code >= FloorPlan.FIRST_MATERIAL) {
          Material m = plan.material(code);
          g.setColor(new Color(m.rgb()));
          fillTile(g, tx, ty);
        }
      }
    }
  }

  private void fillTile(Graphics2D g, int tx, int ty) {
    double t = plan.tileSize() * scale;
    int x0 = (int) Math.floor(tx * t);
    int y0 = (int) Math.floor(ty * t);
    int x1 = (int) Math.floor((tx + 1) * t);
    int y1 = (int) Math.floor((ty + 1) * t);
    g.fillRect(x0, y0, Math.max(1, x1 - x0), Math.max(1, y1 - y0));
  }

  private void drawProbe(Graphics2D g, Probe probe) {
    double r = Math.max(4, scale * 0.25);
    double x = probe.x() * scale;
    double y = probe.y() * scale;
    g.setColor(Color.WHITE);
    g.fill(new java.awt.geom.Ellipse2D.Double(x - r, y - r, 2 * r, 2 * r));
    g.setColor(Color.BLACK);
    g.setStroke(new BasicStroke(2f));
    g.draw(new java.awt.geom.Ellipse2D.Double(x - r, y - r, 2 * r, 2 * r));
  }

  private static void arrow(
      Graphics2D g, double cx, double cy, double dx, double dy, double length) {
    double x0 = cx - dx * length / 2;
    double y0 = cy - dy * length / 2;
    double x1 = cx + dx * length / 2;
    double y1 = cy + dy * length / 2;
    double head = length * 0.35;
    Path2D.Double path = new Path2D.Double();
    path.moveTo(x0, y0);
    path.lineTo(x1, y1);
    path.moveTo(x1 - head * (dx * 0.87 - dy * 0.5), y1 - head * (dy * 0.87 + dx * 0.5));
    path.lineTo(x1, y1);
    path.lineTo(x1 - head * (dx * 0.87 + dy * 0.5), y1 - head * (dy * 0.87 - dx * 0.5));
    g.setColor(new Color(0, 0, 0, 150));
    g.setStroke(new BasicStroke(3.2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
    g.draw(path);
    g.setColor(Color.WHITE);
    g.setStroke(new BasicStroke(1.4f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
    g.draw(path);
  }

  private void legend(
      Graphics2D g,
      BufferedImage image,
      ColorMap map,
      double min,
      double max,
      String format,
      String title) {
    int top = image.getHeight() - LEGEND;
    int w = image.getWidth();
    g.setColor(Color.WHITE);
    g.fillRect(0, top, w, LEGEND);
    int barLeft = 10;
    int barWidth = Math.max(100, w / 2);
    for (int x = 0; x < barWidth; x++) {
      g.setColor(new Color(map.rgb(min + (max - min) * x / (barWidth - 1.0), min, max)));
      g.fillRect(barLeft + x, top + 26, 1, 12);
    }
    text(g, title, barLeft, top + 18);
    text(g, String.format(format, min), barLeft + barWidth + 8, top + 37);
    text(
        g,
        String.format(format, max) + "  (grey: sound does not reach)",
        barLeft + barWidth + 60,
        top + 37);
  }

  private void legendText(Graphics2D g, BufferedImage image, String title) {
    int top = image.getHeight() - LEGEND;
    g.setColor(Color.WHITE);
    g.fillRect(0, top, image.getWidth(), LEGEND);
    text(g, title, 10, top + 26);
  }

  /** Text is a nicety: a JDK without usable fonts still gets its pictures, without labels. */
  private static void text(Graphics2D g, String s, int x, int y) {
    try {
      g.setColor(Color.BLACK);
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
      g.drawString(s, x, y);
    } catch (RuntimeException | InternalError e) {
      // No fonts on this machine.
    }
  }

  private static Graphics2D graphics(BufferedImage image) {
    Graphics2D g = image.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(
        RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    return g;
  }

  private static byte[] png(BufferedImage image) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImageIO.write(image, "png", out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}

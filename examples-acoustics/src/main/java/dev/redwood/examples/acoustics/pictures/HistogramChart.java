package dev.redwood.examples.acoustics.pictures;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * Bar charts of distributions, side by side in one PNG: the scene statistics' loudness and decay
 * time histograms. Each panel shows its bins between the 0.5th and 99.5th percentile, the count
 * scaled to the tallest bar, and the median as a line.
 */
public final class HistogramChart {
  /** What a panel needs from a histogram. */
  public interface Data {
    String title();

    int bins();

    double binLow(int bin);

    double binHigh(int bin);

    long binCount(int bin);

    double quantile(double q);
  }

  private static final int PANEL_WIDTH = 360;
  private static final int HEIGHT = 240;

  private HistogramChart() {}

  public static byte[] draw(List<Data> panels) {
    BufferedImage image =
        new BufferedImage(PANEL_WIDTH * panels.size(), HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(
        RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, image.getWidth(), HEIGHT);
    for (int k = 0; k < panels.size(); k++) {
      panel(g, panels.get(k), k * PANEL_WIDTH);
    }
    g.dispose();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImageIO.write(image, "png", out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static void panel(Graphics2D g, Data data, int left) {
    int x0 = left + 40;
    int x1 = left + PANEL_WIDTH - 15;
    int y0 = 30;
    int y1 = HEIGHT - 40;
    text(g, data.title(), left + 12, 18);
    double lo = data.quantile(0.005);
    double hi = data.quantile(0.995);
    if (Double.isNaN(lo) || !(hi > lo)) {
      text(g, "no data", x0, (y0 + y1) / 2);
      return;
    }
    int first = 0;
    while (first < data.bins() - 1 && data.binHigh(first) <= lo) {
      first++;
    }
    int last = data.bins() - 1;
    while (last > first && data.binLow(last) >= hi) {
      last--;
    }
    long tallest = 1;
    for (int b = first; b <= last; b++) {
      tallest = Math.max(tallest, data.binCount(b));
    }
    double from = data.binLow(first);
    double to = data.binHigh(last);
    g.setColor(new Color(0x3a6ea5));
    for (int b = first; b <= last; b++) {
      int bx0 = x0 + (int) Math.round((data.binLow(b) - from) / (to - from) * (x1 - x0));
      int bx1 = x0 + (int) Math.round((data.binHigh(b) - from) / (to - from) * (x1 - x0));
      int h = (int) Math.round((double) data.binCount(b) / tallest * (y1 - y0));
      g.fillRect(bx0, y1 - h, Math.max(1, bx1 - bx0 - 1), h);
    }
    double median = data.quantile(0.5);
    int mx = x0 + (int) Math.round((median - from) / (to - from) * (x1 - x0));
    g.setColor(new Color(0xc0392b));
    g.setStroke(new BasicStroke(2f));
    g.drawLine(mx, y0, mx, y1);
    g.setColor(Color.DARK_GRAY);
    g.drawLine(x0, y1, x1, y1);
    text(g, String.format(Locale.ROOT, "%.2f", from), x0 - 10, y1 + 16);
    text(g, String.format(Locale.ROOT, "%.2f", to), x1 - 30, y1 + 16);
    text(g, String.format(Locale.ROOT, "median %.2f", median), Math.min(mx + 4, x1 - 90), y0 + 12);
  }

  private static void text(Graphics2D g, String s, int x, int y) {
    try {
      g.setColor(Color.BLACK);
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
      g.drawString(s, x, y);
    } catch (RuntimeException | InternalError e) {
      // No fonts on this machine: the chart stays without labels.
    }
  }
}

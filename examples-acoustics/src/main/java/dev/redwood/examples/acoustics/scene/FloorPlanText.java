package dev.redwood.examples.acoustics.scene;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads and writes the text floor-plan format: a few header lines, then the plan drawn with one
 * character per tile.
 *
 * <pre>
 * # comment lines start with '#' (in the header only: inside the map '#' is concrete)
 * name  small flat
 * tile  0.25                       (metres per character)
 * material  k  0.40  kitchen tiles (symbol, normal-incidence absorption, name)
 * storey  3.0  0.25                (optional: storey height in m, floor/ceiling absorption)
 * map
 * ##########
 * #....c...#
 * #........g
 * ####.#####
 * ~~~~.~~~~~
 * end
 * </pre>
 *
 * In the map, {@code .} is walkable floor, {@code ~} is open air nobody walks on, and every other
 * character is a wall of the material with that symbol: a built-in one ({@link MaterialLibrary}) or
 * one declared with {@code material}. Every map row must be equally long.
 */
public final class FloorPlanText {
  public static final char FLOOR = '.';
  public static final char OPEN = '~';

  private FloorPlanText() {}

  /** Reads a text floor plan; errors name the file and line. */
  public static FloorPlan read(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new SceneFormatException("cannot read floor plan " + file + ": " + e, e);
    }
    return parse(lines, file.toString());
  }

  /** Parses the lines of a text floor plan; {@code source} names it in error messages. */
  public static FloorPlan parse(List<String> lines, String source) {
    Map<Character, Material> bySymbol = new LinkedHashMap<>();
    for (Material m : MaterialLibrary.all()) {
      bySymbol.put(m.symbol(), m);
    }
    String name = baseName(source);
    double tile = Double.NaN;
    double storeyHeight = 0;
    double storeyAbsorption = 0;
    int lineNo = 0;
    int mapStart = -1;
    while (lineNo < lines.size()) {
      String raw = lines.get(lineNo++);
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] words = line.split("\\s+");
      String key = words[0].toLowerCase(Locale.ROOT);
      switch (key) {
        case "name" -> name = line.substring(words[0].length()).strip();
        case "tile" -> {
          if (words.length != 2) {
            throw error(source, lineNo, "expected 'tile <metres>', got '" + line + "'");
          }
          tile = number(source, lineNo, words[1], "tile size");
          if (!(tile >= 0.01 && tile <= 10)) {
            throw error(
                source, lineNo, "tile size must be between 0.01 and 10 metres, got " + words[1]);
          }
        }
        case "material" -> {
          if (words.length < 4 || words[1].length() != 1) {
            throw error(
                source,
                lineNo,
                "expected 'material <one-character symbol> <absorption 0..1> <name>', got '"
                    + line
                    + "'");
          }
          char symbol = words[1].charAt(0);
          if (symbol == FLOOR || symbol == OPEN) {
            throw error(
                source, lineNo, "symbol '" + symbol + "' is reserved for floor or open air");
          }
          double absorption = number(source, lineNo, words[2], "absorption");
          if (!(absorption >= 0 && absorption <= 1)) {
            throw error(source, lineNo, "absorption must be between 0 and 1, got " + words[2]);
          }
          String materialName = String.join(" ", List.of(words).subList(3, words.length));
          bySymbol.put(
              symbol, new Material(symbol, materialName, absorption, colourOf(materialName)));
        }
        case "storey" -> {
          if (words.length != 3) {
            throw error(
                source,
                lineNo,
                "expected 'storey <height m> <floor/ceiling absorption>', got '" + line + "'");
          }
          storeyHeight = number(source, lineNo, words[1], "storey height");
          storeyAbsorption = number(source, lineNo, words[2], "floor/ceiling absorption");
          if (!(storeyHeight >= 1 && storeyHeight <= 100)) {
            throw error(
                source, lineNo, "storey height must be between 1 and 100 m, got " + words[1]);
          }
          if (!(storeyAbsorption >= 0 && storeyAbsorption <= 1)) {
            throw error(
                source,
                lineNo,
                "floor/ceiling absorption must be between 0 and 1, got " + words[2]);
          }
        }
        case "map" -> {
          mapStart = lineNo;
        }
        default ->
            throw error(
                source,
                lineNo,
                "unknown header line '"
                    + line
                    + "' (expected name, tile, material, storey or map)");
      }
      if (mapStart >= 0) {
        break;
      }
    }
    if (mapStart < 0) {
      throw new SceneFormatException(source + ": no 'map' line (the plan starts after it)");
    }
    if (Double.isNaN(tile)) {
      throw new SceneFormatException(source + ": no 'tile <metres>' line before the map");
    }
    List<String> rows = new ArrayList<>();
    int endLine = -1;
    for (int i = mapStart; i < lines.size(); i++) {
      String row = lines.get(i);
      if (row.strip().equals("end")) {
        endLine = i + 1;
        break;
      }
      rows.add(row);
    }
    if (endLine < 0) {
      throw new SceneFormatException(
          source + ": the map that starts at line " + mapStart + " has no 'end' line");
    }
    for (int i = endLine; i < lines.size(); i++) {
      if (!lines.get(i).isBlank()) {
        throw error(source, i + 1, "nothing may follow the map's 'end' line");
      }
    }
    if (rows.isEmpty()) {
      throw error(source, mapStart, "the map is empty");
    }
    int width = rows.get(0).length();
    List<Material> used = new ArrayList<>();
    Map<Character, Byte> codes = new LinkedHashMap<>();
    byte[] tiles = new byte[width * rows.size()];
    for (int y = 0; y < rows.size(); y++) {
      String row = rows.get(y);
      int rowLine = mapStart + 1 + y;
      if (row.length() != width) {
        throw error(
            source,
            rowLine,
            "map row is "
                + row.length()
                + " characters long, the first row is "
                + width
                + " (every row must be equally long)");
      }
      for (int x = 0; x < width; x++) {
        char ch = row.charAt(x);
        byte code;
        if (ch == FLOOR) {
          code = FloorPlan.FLOOR;
        } else if (ch == OPEN) {
          code = FloorPlan.OPEN;
        } else {
          Byte known = codes.get(ch);
          if (known == null) {
            Material material = bySymbol.get(ch);
            if (material == null) {
              throw error(
                  source,
                  rowLine,
                  "unknown map symbol '"
                      + ch
                      + "' in column "
                      + (x + 1)
                      + " (declare it with"
                      + " 'material "
                      + ch
                      + " <absorption> <name>' or use one of "
                      + bySymbol.keySet()
                      + ", '.' or '~')");
            }
            used.add(material);
            known = (byte) (FloorPlan.FIRST_MATERIAL + used.size() - 1);
            codes.put(ch, known);
          }
          code = known;
        }
        tiles[y * width + x] = code;
      }
    }
    return new FloorPlan(
        name, width, rows.size(), tile, tiles, used, storeyHeight, storeyAbsorption);
  }

  /** Writes a plan in the text format (generated plans are saved so they can be edited). */
  public static String format(FloorPlan plan) {
    StringBuilder out = new StringBuilder();
    out.append(
        "# Redwood acoustics floor plan: '.' floor, '~' open air, other symbols are walls\n");
    out.append("name ").append(plan.name()).append('\n');
    out.append("tile ").append(plan.tileSize()).append('\n');
    if (plan.storeyHeight() > 0) {
      out.append("storey ")
          .append(plan.storeyHeight())
          .append(' ')
          .append(plan.floorCeilingAbsorption())
          .append('\n');
    }
    for (Material m : plan.materials()) {
      if (MaterialLibrary.all().contains(m)) {
        continue; // built in: known to every reader
      }
      out.append("material ")
          .append(m.symbol())
          .append(' ')
          .append(m.absorption())
          .append(' ')
          .append(m.name())
          .append('\n');
    }
    out.append("map\n");
    for (int y = 0; y < plan.height(); y++) {
      for (int x = 0; x < plan.width(); x++) {
        byte code = plan.code(x, y);
        out.append(
            code == FloorPlan.FLOOR
                ? FLOOR
                : code == FloorPlan.OPEN ? OPEN : plan.material(code).symbol());
      }
      out.append('\n');
    }
    out.append("end\n");
    return out.toString();
  }

  private static double number(String source, int line, String word, String what) {
    try {
      return Double.parseDouble(word);
    } catch (NumberFormatException e) {
      throw error(source, line, what + " must be a number, got '" + word + "'");
    }
  }

  private static SceneFormatException error(String source, int line, String message) {
    return new SceneFormatException(source + ":" + line + ": " + message);
  }

  private static String baseName(String source) {
    String base = Path.of(source).getFileName().toString();
    int dot = base.lastIndexOf('.');
    return dot > 0 ? base.substring(0, dot) : base;
  }

  /** A stable colour for a declared material, so pictures tell materials apart. */
  static int colourOf(String name) {
    int h = name.hashCode() * 0x9E3779B1;
    int r = 60 + ((h >>> 24) & 0x7f);
    int g = 60 + ((h >>> 16) & 0x7f);
    int b = 60 + ((h >>> 8) & 0x7f);
    return (r << 16) | (g << 8) | b;
  }
}

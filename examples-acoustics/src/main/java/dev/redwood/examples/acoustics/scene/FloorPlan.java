package dev.redwood.examples.acoustics.scene;

import java.io.Serializable;
import java.util.Arrays;
import java.util.List;

/**
 * A 2D scene: a grid of square tiles, each open air that players walk on, open air that nobody
 * walks on (a void, a lake, the space above a stairwell), or a wall of some material.
 *
 * <p>Coordinates are metres from the plan's top-left corner, x to the right and y down, as the plan
 * is drawn in a text file or an image. Beyond the plan's edges lies open air that goes on for ever:
 * sound that leaves the plan never comes back.
 */
public final class FloorPlan implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Tile code of open air that is not walkable. */
  public static final byte OPEN = 0;

  /** Tile code of walkable floor. */
  public static final byte FLOOR = 1;

  /** Tile codes from this one up are walls: code - FIRST_MATERIAL indexes {@link #materials()}. */
  public static final byte FIRST_MATERIAL = 2;

  private final String name;
  private final int width;
  private final int height;
  private final double tileSize;
  private final byte[] tiles;
  private final List<Material> materials;
  private final double storeyHeight;
  private final double floorCeilingAbsorption;

  /** A plan without floor and ceiling losses. */
  public FloorPlan(
      String name, int width, int height, double tileSize, byte[] tiles, List<Material> materials) {
    this(name, width, height, tileSize, tiles, materials, 0, 0);
  }

  /**
   * @param tiles row-major tile codes, {@code width * height} of them
   * @param materials the walls' materials, indexed by tile code minus {@link #FIRST_MATERIAL}
   * @param storeyHeight metres from floor to ceiling, or 0 for a plan without them
   * @param floorCeilingAbsorption average absorption coefficient of floor and ceiling
   */
  public FloorPlan(
      String name,
      int width,
      int height,
      double tileSize,
      byte[] tiles,
      List<Material> materials,
      double storeyHeight,
      double floorCeilingAbsorption) {
    if (width < 1 || height < 1 || tiles.length != width * height) {
      throw new IllegalArgumentException(
          "floor plan "
              + name
              + ": "
              + width
              + " x "
              + height
              + " tiles need "
              + width * height
              + " codes, got "
              + tiles.length);
    }
    if (!(tileSize > 0)) {
      throw new IllegalArgumentException("floor plan " + name + ": tile size must be positive");
    }
    if (materials.size() > 120) {
      throw new IllegalArgumentException("floor plan " + name + ": at most 120 materials");
    }
    for (byte code : tiles) {
      if (code < 0 || code >= FIRST_MATERIAL + materials.size()) {
        throw new IllegalArgumentException("floor plan " + name + ": unknown tile code " + code);
      }
    }
    this.name = name;
    this.width = width;
    this.height = height;
    this.tileSize = tileSize;
    this.tiles = tiles.clone();
    this.materials = List.copyOf(materials);
    if (!(storeyHeight >= 0) || !(floorCeilingAbsorption >= 0 && floorCeilingAbsorption <= 1)) {
      throw new IllegalArgumentException(
          "floor plan "
              + name
              + ": storey height must be >= 0 and floor/ceiling absorption in [0, 1]");
    }
    if (storeyHeight > 0 && storeyHeight < 1) {
      throw new IllegalArgumentException("floor plan " + name + ": a storey is at least 1 m high");
    }
    this.storeyHeight = storeyHeight;
    this.floorCeilingAbsorption = storeyHeight > 0 ? floorCeilingAbsorption : 0;
  }

  /** The same plan with another storey (height 0: no floor and ceiling losses). */
  public FloorPlan withStorey(double newHeight, double newAbsorption) {
    return new FloorPlan(name, width, height, tileSize, tiles, materials, newHeight, newAbsorption);
  }

  /** Metres from floor to ceiling; 0 if the plan declares no storey. */
  public double storeyHeight() {
    return storeyHeight;
  }

  public double floorCeilingAbsorption() {
    return floorCeilingAbsorption;
  }

  /** Energy decay rate (1/s) floor and ceiling impose on the plan's air; 0 without a storey. */
  public double storeyLossRate() {
    return storeyHeight > 0 ? 343.0 * floorCeilingAbsorption / (2 * storeyHeight) : 0;
  }

  public String name() {
    return name;
  }

  /** Width in tiles. */
  public int width() {
    return width;
  }

  /** Height in tiles. */
  public int height() {
    return height;
  }

  /** Edge of one tile, in metres. */
  public double tileSize() {
    return tileSize;
  }

  public double widthMetres() {
    return width * tileSize;
  }

  public double heightMetres() {
    return height * tileSize;
  }

  public List<Material> materials() {
    return materials;
  }

  /** The code of tile (tx, ty); tiles outside the plan are {@link #OPEN}. */
  public byte code(int tx, int ty) {
    if (tx < 0 || ty < 0 || tx >= width || ty >= height) {
      return OPEN;
    }
    return tiles[ty * width + tx];
  }

  /** The code of the tile under the point (x, y) in metres. */
  public byte codeAt(double x, double y) {
    return code((int) Math.floor(x / tileSize), (int) Math.floor(y / tileSize));
  }

  public boolean isWall(int tx, int ty) {
    return code(tx, ty) >= FIRST_MATERIAL;
  }

  public boolean isWalkable(int tx, int ty) {
    return code(tx, ty) == FLOOR;
  }

  /** The material of a wall tile code. */
  public Material material(byte code) {
    if (code < FIRST_MATERIAL) {
      throw new IllegalArgumentException("tile code " + code + " is not a wall");
    }
    return materials.get(code - FIRST_MATERIAL);
  }

  /** Tiles per material code, for summaries and for Sabine-type estimates. */
  public int[] tileCounts() {
    int[] counts = new int[FIRST_MATERIAL + materials.size()];
    for (byte code : tiles) {
      counts[code]++;
    }
    return counts;
  }

  /** Row-major tile codes (a copy). */
  public byte[] tiles() {
    return tiles.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FloorPlan other
        && width == other.width
        && height == other.height
        && tileSize == other.tileSize
        && Arrays.equals(tiles, other.tiles)
        && materials.equals(other.materials)
        && storeyHeight == other.storeyHeight
        && floorCeilingAbsorption == other.floorCeilingAbsorption;
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(tiles) * 31 + materials.hashCode();
  }

  @Override
  public String toString() {
    return String.format(
        "%s (%d x %d tiles of %.2f m = %.1f x %.1f m, %d materials)",
        name, width, height, tileSize, widthMetres(), heightMetres(), materials.size());
  }
}

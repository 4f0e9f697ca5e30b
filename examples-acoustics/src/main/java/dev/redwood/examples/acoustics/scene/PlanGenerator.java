package dev.redwood.examples.acoustics.scene;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Generates a floor plan of rooms along a corridor, as a game level might have: a building with
 * concrete outer walls standing in open ground, a corridor across it open to the outside at each
 * end, and rooms on both sides, each with a door to the corridor. Rooms differ in size and
 * furnishing (curtains, acoustic panels, glass, wood panelling, pillars), so decay times and
 * loudness vary across the level. The same seed gives the same plan.
 */
public final class PlanGenerator {
  /** Edge of a generated tile: walls are one tile (25 cm) thick. */
  public static final double TILE = 0.25;

  /** Open ground around the building, in metres: nobody walks there, but sound goes there. */
  public static final double YARD = 2.0;

  /** Storey height (m) and floor/ceiling absorption: carpet and a plastered ceiling on average. */
  public static final double STOREY_HEIGHT = 3.0;

  public static final double FLOOR_CEILING_ABSORPTION = 0.25;

  private final Random random;
  private final int w;
  private final int h;
  private final byte[] tiles;
  private final List<Material> materials = new ArrayList<>();

  private PlanGenerator(double buildingWidth, double buildingHeight, long seed) {
    this.random = new Random(seed);
    this.w = tiles(buildingWidth + 2 * YARD);
    this.h = tiles(buildingHeight + 2 * YARD);
    this.tiles = new byte[w * h];
  }

  /**
   * A plan of a {@code buildingWidth x buildingHeight} metre building (at least 12 x 9) in a 2 m
   * yard.
   */
  public static FloorPlan generate(double buildingWidth, double buildingHeight, long seed) {
    if (!(buildingWidth >= 12 && buildingHeight >= 9)) {
      throw new IllegalArgumentException(
          "a generated building must be at least 12 x 9 m, got "
              + buildingWidth
              + " x "
              + buildingHeight);
    }
    if (buildingWidth > 400 || buildingHeight > 400) {
      throw new IllegalArgumentException("a generated building must be at most 400 x 400 m");
    }
    return new PlanGenerator(buildingWidth, buildingHeight, seed)
        .build(buildingWidth, buildingHeight, seed);
  }

  private FloorPlan build(double buildingWidth, double buildingHeight, long seed) {
    fill(0, 0, w, h, FloorPlan.OPEN);
    int x0 = tiles(YARD);
    int y0 = tiles(YARD);
    int x1 = x0 + tiles(buildingWidth) - 1; // inclusive outer wall columns and rows
    int y1 = y0 + tiles(buildingHeight) - 1;
    byte concrete = code(MaterialLibrary.CONCRETE);
    fill(x0, y0, x1 - x0 + 1, y1 - y0 + 1, FloorPlan.FLOOR);
    rectOutline(x0, y0, x1, y1, concrete);

    // The corridor: 2 m wide, somewhere around the middle, open to the yard at both ends.
    int corridorWidth = tiles(2.0);
    int span = y1 - y0 - 1;
    int north = y0 + 1 + (span - corridorWidth) / 2 + random.nextInt(5) - 2; // first corridor row
    int south = north + corridorWidth - 1;
    byte plaster = code(MaterialLibrary.PLASTER);
    hLine(x0, x1, north - 1, plaster);
    hLine(x0, x1, south + 1, plaster);
    fill(x0, north, 1, corridorWidth, FloorPlan.FLOOR);
    fill(x1, north, 1, corridorWidth, FloorPlan.FLOOR);
    // Outer wall ends of the corridor walls stay concrete.
    set(x0, north - 1, concrete);
    set(x0, south + 1, concrete);
    set(x1, north - 1, concrete);
    set(x1, south + 1, concrete);

    rooms(x0, x1, y0, north - 1, true);
    rooms(x0, x1, south + 1, y1, false);
    return new FloorPlan(
        "generated-" + (int) buildingWidth + "x" + (int) buildingHeight + "-seed" + seed,
        w,
        h,
        TILE,
        tiles,
        materials,
        STOREY_HEIGHT,
        FLOOR_CEILING_ABSORPTION);
  }

  /** One row of rooms between the wall rows {@code top} and {@code bottom} (both walls). */
  private void rooms(int x0, int x1, int top, int bottom, boolean aboveCorridor) {
    int doorRow = aboveCorridor ? bottom : top;
    int outerRow = aboveCorridor ? top : bottom;
    int left = x0;
    while (left < x1) {
      int width = tiles(3.5 + random.nextDouble() * 4.0);
      int right = Math.min(left + width, x1);
      if (x1 - right < tiles(3.0)) {
        right = x1; // no sliver rooms at the end
      }
      if (right < x1) {
        byte partition =
            random.nextInt(3) == 0 ? code(MaterialLibrary.WOOD) : code(MaterialLibrary.PLASTER);
        vLine(right, top + 1, bottom - 1, partition);
      }
      furnish(left, right, top, bottom, outerRow);
      // A 1 m door to the corridor, away from the room's corners.
      int doorWidth = tiles(1.0);
      int room = right - left - 1;
      int doorLeft =
          left + 1 + tiles(0.5) + random.nextInt(Math.max(1, room - doorWidth - 2 * tiles(0.5)));
      hLine(doorLeft, doorLeft + doorWidth - 1, doorRow, FloorPlan.FLOOR);
      left = right;
    }
  }

  /** Gives a room its character: what its walls are lined with and what stands in it. */
  private void furnish(int left, int right, int top, int bottom, int outerRow) {
    int kind = random.nextInt(5);
    switch (kind) {
      case 0 -> { // a living room: curtains along the outer wall
        hLine(
            left + 1,
            right - 1,
            outerRow == top ? top + 1 : bottom - 1,
            code(MaterialLibrary.CURTAIN));
      }
      case 1 -> { // a studio: acoustic panels on one side wall
        vLine(left + 1, top + 2, bottom - 2, code(MaterialLibrary.ACOUSTIC_PANEL));
      }
      case 2 -> { // an office: windows in the outer wall
        int a = left + tiles(1.0);
        int b = right - tiles(1.0);
        if (b > a) {
          hLine(a, b, outerRow, code(MaterialLibrary.GLASS));
        }
      }
      case 3 -> { // a hall: bare walls and a pillar or two
        int cy = (top + bottom) / 2;
        int pillars = (right - left) > tiles(5) ? 2 : 1;
        for (int p = 1; p <= pillars; p++) {
          int cx = left + p * (right - left) / (pillars + 1);
          fill(cx - 1, cy - 1, 2, 2, code(MaterialLibrary.CONCRETE));
        }
      }
      default -> { // a wood-panelled room
        hLine(
            left + 1,
            right - 1,
            outerRow == top ? top + 1 : bottom - 1,
            code(MaterialLibrary.WOOD));
      }
    }
  }

  private byte code(Material material) {
    int index = materials.indexOf(material);
    if (index < 0) {
      materials.add(material);
      index = materials.size() - 1;
    }
    return (byte) (FloorPlan.FIRST_MATERIAL + index);
  }

  private static int tiles(double metres) {
    return (int) Math.round(metres / TILE);
  }

  private void set(int x, int y, byte code) {
    if (x >= 0 && y >= 0 && x < w && y < h) {
      tiles[y * w + x] = code;
    }
  }

  private void fill(int x, int y, int width, int height, byte code) {
    for (int j = y; j < y + height; j++) {
      for (int i = x; i < x + width; i++) {
        set(i, j, code);
      }
    }
  }

  private void hLine(int xa, int xb, int y, byte code) {
    for (int x = xa; x <= xb; x++) {
      set(x, y, code);
    }
  }

  private void vLine(int x, int ya, int yb, byte code) {
    for (int y = ya; y <= yb; y++) {
      set(x, y, code);
    }
  }

  private void rectOutline(int xa, int ya, int xb, int yb, byte code) {
    hLine(xa, xb, ya, code);
    hLine(xa, xb, yb, code);
    vLine(xa, ya, yb, code);
    vLine(xb, ya, yb, code);
  }
}

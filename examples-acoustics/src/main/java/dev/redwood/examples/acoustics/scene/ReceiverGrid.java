package dev.redwood.examples.acoustics.scene;

import java.io.Serializable;

/**
 * The cells of the bake: a square grid, coarser than the simulation grid, over the whole plan.
 * Every probe's parameters are stored for every cell; a game looks up the cell of an emitter. Cell
 * (i, j) covers x in [i s, (i + 1) s) and y in [j s, (j + 1) s) for spacing s.
 */
public record ReceiverGrid(int columns, int rows, double spacing) implements Serializable {

  public ReceiverGrid {
    if (columns < 1 || rows < 1 || !(spacing > 0)) {
      throw new IllegalArgumentException(
          "bad receiver grid " + columns + " x " + rows + " at " + spacing);
    }
  }

  /** The grid of cells of edge {@code spacing} that covers the plan. */
  public static ReceiverGrid covering(FloorPlan plan, double spacing) {
    return new ReceiverGrid(
        (int) Math.ceil(plan.widthMetres() / spacing - 1e-9),
        (int) Math.ceil(plan.heightMetres() / spacing - 1e-9),
        spacing);
  }

  public int cellCount() {
    return columns * rows;
  }

  public int index(int i, int j) {
    return j * columns + i;
  }

  public double centreX(int i) {
    return (i + 0.5) * spacing;
  }

  public double centreY(int j) {
    return (j + 0.5) * spacing;
  }

  /** The cell column under x metres, or -1 off the grid. */
  public int columnAt(double x) {
    int i = (int) Math.floor(x / spacing);
    return i >= 0 && i < columns ? i : -1;
  }

  /** The cell row under y metres, or -1 off the grid. */
  public int rowAt(double y) {
    int j = (int) Math.floor(y / spacing);
    return j >= 0 && j < rows ? j : -1;
  }
}

package dev.redwood.examples.acoustics.fdtd;

import dev.redwood.examples.acoustics.scene.FloorPlan;
import java.io.Serializable;

/**
 * A floor plan sampled onto the simulation grid: each cell takes the tile under its centre. Built
 * once per bake and shared by every probe; each probe's {@link SimulationDomain} is cut from it.
 */
public final class SceneRaster implements Serializable {
  private static final long serialVersionUID = 1L;

  private final int nx;
  private final int ny;
  private final double spacing;
  private final byte[] codes;

  /** Normalised admittance per tile code; 0 for floor and open air, which are not walls. */
  private final double[] admittance;

  /** Energy loss rate of walkable cells to floor and ceiling, 1/s. */
  private final double storeyLossRate;

  public SceneRaster(FloorPlan plan, double spacing) {
    this.spacing = spacing;
    this.nx = (int) Math.ceil(plan.widthMetres() / spacing - 1e-9);
    this.ny = (int) Math.ceil(plan.heightMetres() / spacing - 1e-9);
    this.codes = new byte[nx * ny];
    for (int iy = 0; iy < ny; iy++) {
      for (int ix = 0; ix < nx; ix++) {
        codes[iy * nx + ix] = plan.codeAt((ix + 0.5) * spacing, (iy + 0.5) * spacing);
      }
    }
    this.storeyLossRate = plan.storeyLossRate();
    this.admittance = new double[FloorPlan.FIRST_MATERIAL + plan.materials().size()];
    for (int m = 0; m < plan.materials().size(); m++) {
      admittance[FloorPlan.FIRST_MATERIAL + m] = plan.materials().get(m).admittance();
    }
  }

  public int nx() {
    return nx;
  }

  public int ny() {
    return ny;
  }

  public double spacing() {
    return spacing;
  }

  public boolean isWall(int ix, int iy) {
    return codes[iy * nx + ix] >= FloorPlan.FIRST_MATERIAL;
  }

  /** Energy loss rate (1/s) to floor and ceiling in cell (ix, iy): walkable floor only. */
  public double storeyLossRate(int ix, int iy) {
    return codes[iy * nx + ix] == FloorPlan.FLOOR ? storeyLossRate : 0;
  }

  /** Admittance of the wall in cell (ix, iy). */
  public double admittance(int ix, int iy) {
    return admittance[codes[iy * nx + ix]];
  }

  /** The cell column under x metres (may be off the raster). */
  public int column(double x) {
    return (int) Math.floor(x / spacing);
  }

  /** The cell row under y metres (may be off the raster). */
  public int row(double y) {
    return (int) Math.floor(y / spacing);
  }

  public boolean contains(int ix, int iy) {
    return ix >= 0 && iy >= 0 && ix < nx && iy < ny;
  }
}

package dev.redwood.examples.acoustics.parameters;

import dev.redwood.examples.acoustics.scene.ReceiverGrid;
import java.util.Arrays;

/**
 * One probe's parameters over every cell of the bake, one array per parameter (the layout the
 * encoder compresses). A cell the probe's sound does not reach holds NaN onset.
 */
public final class ProbeField {
  private final ReceiverGrid grid;
  final float[] onset;
  final float[] direct;
  final float[] reflections;
  final float[] edt;
  final float[] t30;
  final float[] arrivalX;
  final float[] arrivalY;

  public ProbeField(ReceiverGrid grid) {
    this.grid = grid;
    int n = grid.cellCount();
    onset = nan(n);
    direct = nan(n);
    reflections = nan(n);
    edt = nan(n);
    t30 = nan(n);
    arrivalX = new float[n];
    arrivalY = new float[n];
  }

  private static float[] nan(int n) {
    float[] a = new float[n];
    Arrays.fill(a, Float.NaN);
    return a;
  }

  public ReceiverGrid grid() {
    return grid;
  }

  public void set(int cell, CellParameters p) {
    onset[cell] = (float) p.onsetDelay();
    direct[cell] = (float) p.directLoudness();
    reflections[cell] = (float) p.reflectionsLoudness();
    edt[cell] = (float) p.earlyDecayTime();
    t30[cell] = (float) p.reverberationTime();
    arrivalX[cell] = (float) p.arrivalX();
    arrivalY[cell] = (float) p.arrivalY();
  }

  public boolean reached(int cell) {
    return !Float.isNaN(onset[cell]);
  }

  /** The parameters of a cell, or null where the sound does not reach. */
  public CellParameters get(int cell) {
    if (!reached(cell)) {
      return null;
    }
    return new CellParameters(
        onset[cell],
        direct[cell],
        reflections[cell],
        edt[cell],
        t30[cell],
        arrivalX[cell],
        arrivalY[cell]);
  }

  /** The parameters of cell (i, j), or null. */
  public CellParameters get(int i, int j) {
    return get(grid.index(i, j));
  }

  public int reachedCells() {
    int n = 0;
    for (float v : onset) {
      n += Float.isNaN(v) ? 0 : 1;
    }
    return n;
  }
}

package dev.redwood.examples.acoustics.fdtd;

/**
 * The grid one probe's simulation runs on, with the update coefficients of every cell.
 *
 * <p>Only the air the probe's sound can reach matters, and walls do not transmit sound in this
 * model, so the domain is cut to the bounding box of the air connected to the probe (plus the walls
 * around it): a probe in a closed room simulates that room only. Where the connected air touches
 * the plan's edge, sound leaves the scene; there the domain gets a perfectly matched layer (PML) of
 * {@link #LAYER} cells and, at its outer edge, a boundary whose admittance matches air at normal
 * incidence. A frame of one solid cell closes the array so the update loop needs no bounds checks.
 *
 * <p>Inside the scene the scheme is the standard second-order one for p_tt = c^2 lap(p), with walls
 * as locally reacting surfaces half a cell from the centre of the air cell beside them. A finite
 * volume view gives the update of an air cell with K air neighbours: the flux through a wall face
 * is -(beta / c) p_t per unit length, so with lambda = c dt / h and g = (lambda / 2) (sum of beta
 * over wall faces) + eta dt / 2, where eta is the storey's loss to floor and ceiling ({@link
 * dev.redwood.examples.acoustics.scene.FloorPlan#storeyLossRate()}),
 *
 * <pre>p+ = [(2 - K lambda^2) p + lambda^2 (sum of neighbours) - (1 - g) p-] / (1 + g).</pre>
 *
 * Walls hold p = 0, so the neighbour sum can run over all four neighbours, and every cell (walls:
 * all coefficients zero) shares one branch-free loop: p+ = a p + c S - b p-. The underlying
 * operator is symmetric, so the scheme is reciprocal: source and receiver swap without changing the
 * response.
 *
 * <p>The layer stretches the coordinates with damping profiles zeta_x(x), zeta_y(y). For the
 * second-order equation that gives (in the form of Grote and Sim) p_tt + (zeta_x + zeta_y) p_t +
 * zeta_x zeta_y p = c^2 lap(p) + div(phi), with an auxiliary field phi on the cell faces: phi_x' =
 * -zeta_x phi_x + c^2 (zeta_y - zeta_x) dp/dx, and the same for y with x and y swapped. A plain
 * damping term alone (a sponge) reflects the low frequencies of the pulse back into the scene; phi
 * is what makes the layer match air. The damping terms join a, b and c; phi is updated and added
 * only in the {@link #layerRuns}.
 */
public final class SimulationDomain {
  /** Cells of the absorbing layer where sound leaves the scene. */
  public static final int LAYER = 8;

  /**
   * zeta dt at the layer's outer edge. The quadratic profile attenuates a wave that crosses the
   * layer and comes back by exp(-(2/3) LAYER zeta_max dt / lambda), -79 dB, in theory; what the
   * grid's discretisation sends back measures below -70 dB ({@code AbsorbingBoundaryTest}).
   */
  static final double LAYER_DAMPING = 1.2;

  private final int nx;
  private final int ny;
  private final float[] a;
  private final float[] b;
  private final float[] c;
  private final boolean[] air;

  /**
   * Layer faces: phi' = decay phi + gain (p[next] - p[here]), for the face to the right or below.
   */
  private final float[] phiXDecay;

  private final float[] phiXGain;
  private final float[] phiYDecay;
  private final float[] phiYGain;

  /** Runs [start, end) of cell indices where phi lives: cells of the layer and their neighbours. */
  private int[] layerRuns = new int[0];

  private final SceneRaster raster;

  /** Raster coordinates of domain cell (0, 0). */
  private final int rx0;

  private final int ry0;

  /** Raster cells reachable from the source, for mapping raster cells into this domain. */
  private final boolean[] reachable;

  private final int source;

  private SimulationDomain(
      SceneRaster raster, int nx, int ny, int rx0, int ry0, boolean[] reachable, int source) {
    this.raster = raster;
    this.nx = nx;
    this.ny = ny;
    this.rx0 = rx0;
    this.ry0 = ry0;
    this.reachable = reachable;
    this.source = source;
    this.a = new float[nx * ny];
    this.b = new float[nx * ny];
    this.c = new float[nx * ny];
    this.air = new boolean[nx * ny];
    this.phiXDecay = new float[nx * ny];
    this.phiXGain = new float[nx * ny];
    this.phiYDecay = new float[nx * ny];
    this.phiYGain = new float[nx * ny];
  }

  /** The domain of a source at (x, y) metres. */
  public static SimulationDomain around(SceneRaster raster, GridSettings grid, double x, double y) {
    int sx = raster.column(x);
    int sy = raster.row(y);
    if (!raster.contains(sx, sy)) {
      throw new IllegalArgumentException(
          String.format("source (%.2f, %.2f) m is outside the plan", x, y));
    }
    if (raster.isWall(sx, sy)) {
      throw new IllegalArgumentException(
          String.format("source (%.2f, %.2f) m is inside a wall", x, y));
    }
    int rnx = raster.nx();
    int rny = raster.ny();
    boolean[] reachable = new boolean[rnx * rny];
    int[] queue = new int[rnx * rny];
    int head = 0;
    int tail = 0;
    queue[tail++] = sy * rnx + sx;
    reachable[sy * rnx + sx] = true;
    int minX = sx;
    int maxX = sx;
    int minY = sy;
    int maxY = sy;
    while (head < tail) {
      int cell = queue[head++];
      int cx = cell % rnx;
      int cy = cell / rnx;
      minX = Math.min(minX, cx);
      maxX = Math.max(maxX, cx);
      minY = Math.min(minY, cy);
      maxY = Math.max(maxY, cy);
      for (int d = 0; d < 4; d++) {
        int nxc = cx + (d == 0 ? -1 : d == 1 ? 1 : 0);
        int nyc = cy + (d == 2 ? -1 : d == 3 ? 1 : 0);
        if (raster.contains(nxc, nyc)) {
          int n = nyc * rnx + nxc;
          if (!reachable[n] && !raster.isWall(nxc, nyc)) {
            reachable[n] = true;
            queue[tail++] = n;
          }
        }
      }
    }
    int padL = minX == 0 ? LAYER : 0;
    int padR = maxX == rnx - 1 ? LAYER : 0;
    int padT = minY == 0 ? LAYER : 0;
    int padB = maxY == rny - 1 ? LAYER : 0;
    // Crop: the connected air plus the walls around it, clipped to the raster.
    int cx0 = Math.max(0, minX - 1);
    int cx1 = Math.min(rnx - 1, maxX + 1);
    int cy0 = Math.max(0, minY - 1);
    int cy1 = Math.min(rny - 1, maxY + 1);
    int nx = (cx1 - cx0 + 1) + padL + padR + 2;
    int ny = (cy1 - cy0 + 1) + padT + padB + 2;
    int rx0 = cx0 - padL - 1;
    int ry0 = cy0 - padT - 1;
    SimulationDomain domain =
        new SimulationDomain(raster, nx, ny, rx0, ry0, reachable, (sy - ry0) * nx + (sx - rx0));
    domain.build(grid, cx0, cx1, cy0, cy1);
    return domain;
  }

  private void build(GridSettings grid, int cx0, int cx1, int cy0, int cy1) {
    // Which cells are air: reachable raster cells inside the crop, and the whole layer.
    for (int y = 1; y < ny - 1; y++) {
      for (int x = 1; x < nx - 1; x++) {
        int rx = x + rx0;
        int ry = y + ry0;
        boolean inCrop = rx >= cx0 && rx <= cx1 && ry >= cy0 && ry <= cy1;
        air[y * nx + x] = inCrop ? reachable[ry * raster.nx() + rx] : true;
      }
    }
    double lambda = grid.courant();
    double l2 = lambda * lambda;
    for (int y = 1; y < ny - 1; y++) {
      for (int x = 1; x < nx - 1; x++) {
        int i = y * nx + x;
        if (!air[i]) {
          continue;
        }
        int k = 0;
        double betaSum = 0;
        int[] neighbours = {i - 1, i + 1, i - nx, i + nx};
        int[] nxs = {x - 1, x + 1, x, x};
        int[] nys = {y, y, y - 1, y + 1};
        for (int d = 0; d < 4; d++) {
          if (air[neighbours[d]]) {
            k++;
          } else {
            betaSum += faceAdmittance(nxs[d], nys[d]);
          }
        }
        double sx = zeta(depthX(x, cx0, cx1));
        double sy = zeta(depthY(y, cy0, cy1));
        // Walls take lambda beta / 2 per face; floor and ceiling, as a term eta p_t with eta
        // their energy loss rate, take eta dt / 2.
        double g = lambda / 2 * betaSum + storeyLoss(x, y, grid.timeStep());
        double d = 1 + g + (sx + sy) / 2 + sx * sy / 2;
        a[i] = (float) ((2 - k * l2) / d);
        c[i] = (float) (l2 / d);
        b[i] = (float) ((1 - g - (sx + sy) / 2 + sx * sy / 2) / d);
      }
    }
    // phi on the faces of the layer: zeta at the face, half a cell from the cells' centres.
    boolean[] inLayer = new boolean[nx * ny];
    for (int y = 1; y < ny - 1; y++) {
      for (int x = 1; x < nx - 1; x++) {
        int i = y * nx + x;
        double fx = zeta((depthX(x, cx0, cx1) + depthX(x + 1, cx0, cx1)) / 2);
        double fy = zeta((depthY(y, cy0, cy1) + depthY(y + 1, cy0, cy1)) / 2);
        double fxOther = zeta(depthY(y, cy0, cy1));
        double fyOther = zeta(depthX(x, cx0, cx1));
        if ((fx > 0 || fxOther > 0) && air[i] && air[i + 1]) {
          phiXDecay[i] = (float) ((1 - fx / 2) / (1 + fx / 2));
          phiXGain[i] = (float) (l2 * (fxOther - fx) / (1 + fx / 2));
          inLayer[i] = true;
          inLayer[i + 1] = true;
        }
        if ((fy > 0 || fyOther > 0) && air[i] && air[i + nx]) {
          phiYDecay[i] = (float) ((1 - fy / 2) / (1 + fy / 2));
          phiYGain[i] = (float) (l2 * (fyOther - fy) / (1 + fy / 2));
          inLayer[i] = true;
          inLayer[i + nx] = true;
        }
      }
    }
    java.util.List<Integer> runs = new java.util.ArrayList<>();
    for (int y = 1; y < ny - 1; y++) {
      int x = 1;
      while (x < nx - 1) {
        if (!inLayer[y * nx + x]) {
          x++;
          continue;
        }
        int from = x;
        while (x < nx - 1 && inLayer[y * nx + x]) {
          x++;
        }
        runs.add(y * nx + from);
        runs.add(y * nx + x);
      }
    }
    layerRuns = runs.stream().mapToInt(Integer::intValue).toArray();
  }

  /** Depth of column x into the left or right layer, in cells (0 inside the crop). */
  private double depthX(int x, int cx0, int cx1) {
    int rx = x + rx0;
    return Math.max(0, Math.max(cx0 - rx, rx - cx1));
  }

  /** Depth of row y into the top or bottom layer, in cells. */
  private double depthY(int y, int cy0, int cy1) {
    int ry = y + ry0;
    return Math.max(0, Math.max(cy0 - ry, ry - cy1));
  }

  /** zeta dt at a depth (cells) into the layer: quadratic, so the layer's start barely reflects. */
  private static double zeta(double depth) {
    if (depth <= 0) {
      return 0;
    }
    double f = Math.min(depth, LAYER) / LAYER;
    return LAYER_DAMPING * f * f;
  }

  /** eta dt / 2 of a cell: the storey's loss on walkable floor inside the plan, else 0. */
  private double storeyLoss(int x, int y, double dt) {
    int rx = x + rx0;
    int ry = y + ry0;
    return raster.contains(rx, ry) ? raster.storeyLossRate(rx, ry) * dt / 2 : 0;
  }

  /** Admittance of the solid cell (x, y): a wall's material, or air's own (1) at the frame. */
  private double faceAdmittance(int x, int y) {
    int rx = x + rx0;
    int ry = y + ry0;
    if (x == 0 || y == 0 || x == nx - 1 || y == ny - 1 || !raster.contains(rx, ry)) {
      return 1.0;
    }
    return raster.admittance(rx, ry);
  }

  public int nx() {
    return nx;
  }

  public int ny() {
    return ny;
  }

  public int cellCount() {
    return nx * ny;
  }

  /** Air cells: the cells the update changes. */
  public int airCells() {
    int n = 0;
    for (boolean v : air) {
      n += v ? 1 : 0;
    }
    return n;
  }

  public int source() {
    return source;
  }

  public boolean isAir(int index) {
    return air[index];
  }

  float[] a() {
    return a;
  }

  float[] b() {
    return b;
  }

  float[] c() {
    return c;
  }

  float[] phiXDecay() {
    return phiXDecay;
  }

  float[] phiXGain() {
    return phiXGain;
  }

  float[] phiYDecay() {
    return phiYDecay;
  }

  float[] phiYGain() {
    return phiYGain;
  }

  /** Pairs [start, end) of cell index runs where the layer's auxiliary field lives. */
  int[] layerRuns() {
    return layerRuns;
  }

  /** The domain cell of raster cell (rx, ry) if the source's sound can reach it, else -1. */
  public int indexOfRaster(int rx, int ry) {
    if (!raster.contains(rx, ry) || !reachable[ry * raster.nx() + rx]) {
      return -1;
    }
    int x = rx - rx0;
    int y = ry - ry0;
    if (x < 1 || y < 1 || x >= nx - 1 || y >= ny - 1) {
      return -1;
    }
    return y * nx + x;
  }

  /** The domain cell under (x, y) metres, or -1 if no sound reaches it. */
  public int indexAt(double x, double y) {
    return indexOfRaster(raster.column(x), raster.row(y));
  }

  public SceneRaster raster() {
    return raster;
  }

  @Override
  public String toString() {
    return "domain " + nx + " x " + ny + " (" + airCells() + " air cells)";
  }
}

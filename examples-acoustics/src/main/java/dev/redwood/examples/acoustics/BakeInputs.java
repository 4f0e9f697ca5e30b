package dev.redwood.examples.acoustics;

import dev.redwood.examples.acoustics.scene.FloorPlan;
import dev.redwood.examples.acoustics.scene.FloorPlanImage;
import dev.redwood.examples.acoustics.scene.FloorPlanText;
import dev.redwood.examples.acoustics.scene.PlanGenerator;
import dev.redwood.examples.acoustics.scene.Probe;
import dev.redwood.examples.acoustics.scene.ProbePlacer;
import dev.redwood.examples.acoustics.scene.SceneFormatException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Everything the driver prepares from the options before the pipeline runs: the checked options,
 * the plan (loaded or generated), the probes, the bake settings (with the calibration computed
 * once) and the probes to draw. Bad options and bad scene files fail here, naming the option or the
 * file and line.
 */
public record BakeInputs(
    BakeSettings settings, List<Probe> probes, Set<Integer> drawProbes, String outputDirectory) {
  /** A probe's recording may use at most this much memory. */
  static final long MAX_RECORDING_BYTES = 1L << 30;

  public FloorPlan plan() {
    return settings.plan();
  }

  public static BakeInputs from(AcousticsOptions options) {
    range("frequency", options.getFrequency(), 50, 4000, "Hz");
    range("duration", options.getDuration(), 0.05, 10, "s");
    range("probeSpacing", options.getProbeSpacing(), 0.5, 1000, "m");
    range("cellSpacing", options.getCellSpacing(), 0.05, 100, "m");
    range("imageTileSize", options.getImageTileSize(), 0.01, 10, "m");
    range("floorCeilingAbsorption", options.getFloorCeilingAbsorption(), 0, 1, "");
    if (options.getMaxProbes() < 0) {
      throw invalid("maxProbes", options.getMaxProbes(), "must be 0 (every probe) or more");
    }
    if (options.getOutput() == null || options.getOutput().isBlank()) {
      throw invalid("output", options.getOutput(), "must name a directory");
    }
    FloorPlan plan = plan(options);
    Double storey = options.getStoreyHeight();
    if (storey != null) {
      if (!(storey == 0 || (storey >= 1 && storey <= 100))) {
        throw invalid("storeyHeight", storey, "must be 0 (no storey) or between 1 and 100 m");
      }
      plan = plan.withStorey(storey, options.getFloorCeilingAbsorption());
    }
    BakeSettings settings =
        BakeSettings.of(
            plan, options.getFrequency(), options.getDuration(), options.getCellSpacing());
    if (options.getCellSpacing() < settings.grid().spacing()) {
      throw invalid(
          "cellSpacing",
          options.getCellSpacing(),
          String.format(
              Locale.ROOT,
              "must be at least the simulation grid spacing, %.3f m at %.0f Hz",
              settings.grid().spacing(),
              options.getFrequency()));
    }
    long recording = 12L * settings.steps() * settings.cells().cellCount();
    if (recording > MAX_RECORDING_BYTES) {
      throw new IllegalArgumentException(
          String.format(
              Locale.ROOT,
              "a probe would record %d MiB (%d steps x %d cells x 12 bytes): shorten --duration=%s or"
                  + " coarsen --cellSpacing=%s",
              recording >> 20,
              settings.steps(),
              settings.cells().cellCount(),
              options.getDuration(),
              options.getCellSpacing()));
    }
    List<Probe> probes = ProbePlacer.place(plan, options.getProbeSpacing());
    if (probes.isEmpty()) {
      throw new IllegalArgumentException(
          "no probe fits on the plan's walkable floor at --probeSpacing="
              + options.getProbeSpacing()
              + " (probes keep "
              + ProbePlacer.CLEARANCE
              + " m from walls): is any floor ('.') there?");
    }
    probes = spread(probes, options.getMaxProbes());
    Set<Integer> draw = drawProbes(options.getDrawProbes(), probes, plan);
    // Tasks on other machines resolve relative paths against their own directory; paths with a
    // scheme (azfs://...) are the same everywhere.
    String output =
        options.getOutput().matches("^[a-zA-Z][a-zA-Z0-9+.-]+://.*")
            ? options.getOutput()
            : Path.of(options.getOutput()).toAbsolutePath().normalize().toString();
    return new BakeInputs(settings, probes, draw, output);
  }

  private static FloorPlan plan(AcousticsOptions options) {
    String file = options.getSceneFile();
    if (file == null || file.isBlank()) {
      try {
        return PlanGenerator.generate(
            options.getBuildingWidth(), options.getBuildingHeight(), options.getSeed());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "Invalid --buildingWidth="
                + options.getBuildingWidth()
                + " / --buildingHeight="
                + options.getBuildingHeight()
                + ": "
                + e.getMessage(),
            e);
      }
    }
    Path path = Path.of(file);
    if (!Files.isRegularFile(path)) {
      throw new SceneFormatException("Invalid --sceneFile=" + file + ": no such file");
    }
    String lower = file.toLowerCase(Locale.ROOT);
    if (lower.endsWith(".png") || lower.endsWith(".gif") || lower.endsWith(".bmp")) {
      return FloorPlanImage.read(path, options.getImageTileSize());
    }
    return FloorPlanText.read(path);
  }

  /** At most {@code max} probes, every k-th of them, so they still cover the plan. */
  static List<Probe> spread(List<Probe> probes, int max) {
    if (max == 0 || probes.size() <= max) {
      return probes;
    }
    List<Probe> chosen = new ArrayList<>();
    for (int k = 0; k < max; k++) {
      chosen.add(probes.get((int) ((long) k * probes.size() / max)));
    }
    return chosen;
  }

  private static Set<Integer> drawProbes(
      List<Integer> requested, List<Probe> probes, FloorPlan plan) {
    Set<Integer> ids = probes.stream().map(Probe::id).collect(Collectors.toSet());
    if (requested != null && !requested.isEmpty()) {
      for (Integer id : requested) {
        if (id == null || !ids.contains(id)) {
          throw invalid(
              "drawProbes",
              requested,
              "probe "
                  + id
                  + " is not baked (ids run from 0 to "
                  + probes.get(probes.size() - 1).id()
                  + " with this plan and --probeSpacing)");
        }
      }
      return new LinkedHashSet<>(requested);
    }
    // Three probes across the plan: upper left, middle, lower right.
    Set<Integer> chosen = new LinkedHashSet<>();
    double[][] spots = {{0.3, 0.3}, {0.5, 0.5}, {0.7, 0.7}};
    for (double[] spot : spots) {
      double x = spot[0] * plan.widthMetres();
      double y = spot[1] * plan.heightMetres();
      Probe best = null;
      for (Probe p : probes) {
        if (!chosen.contains(p.id())
            && (best == null
                || Math.hypot(p.x() - x, p.y() - y) < Math.hypot(best.x() - x, best.y() - y))) {
          best = p;
        }
      }
      if (best != null) {
        chosen.add(best.id());
      }
    }
    return chosen;
  }

  private static void range(String option, double value, double min, double max, String unit) {
    if (!(value >= min && value <= max)) {
      throw invalid(
          option,
          value,
          "must be between " + min + " and " + max + (unit.isEmpty() ? "" : " " + unit));
    }
  }

  private static IllegalArgumentException invalid(String option, Object value, String why) {
    return new IllegalArgumentException("Invalid --" + option + "=" + value + ": " + why);
  }
}

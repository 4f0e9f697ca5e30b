package dev.redwood.examples.rtm;

import dev.redwood.examples.rtm.io.Float32Grid;
import dev.redwood.examples.rtm.model.LayeredModel;
import dev.redwood.examples.rtm.model.MarmousiLikeModel;
import dev.redwood.examples.rtm.model.VelocityModel;
import dev.redwood.examples.rtm.survey.Acquisition;
import java.io.IOException;
import java.nio.ByteOrder;

/**
 * Turns the shared options into the objects both examples start from: the true velocity model and
 * the acquisition layout, checking the option values on the way.
 */
public final class SurveySetup {

  private SurveySetup() {}

  /** The true model the options describe, {@code nz} x {@code nx} cells at {@code spacing} m. */
  public static VelocityModel model(SurveyOptions options, int nz, int nx, double spacing) {
    OptionChecks.atLeast("modelNz", nz, 2 * 4 + 2);
    OptionChecks.positive("gridSpacing", spacing);
    ModelKind kind = options.getModel();
    if (kind != ModelKind.FILE) {
      OptionChecks.atLeast("modelNx", nx, 2 * 4 + 2);
      if (options.getModelFile() != null) {
        throw new IllegalArgumentException(
            "--modelFile is read only with --model=FILE (got --model=" + kind + ")");
      }
    }
    switch (kind) {
      case MARMOUSI_LIKE:
        return MarmousiLikeModel.create(nz, nx, spacing, options.getModelSeed());
      case LAYERED:
        return LayeredModel.sedimentary(nz, nx, spacing);
      case TWO_LAYER:
        return LayeredModel.twoLayers(nz, nx, spacing, 0.6 * (nz - 1) * spacing, 1500f, 2500f);
      case FILE:
        return load(options, nz, spacing);
      default:
        throw new IllegalArgumentException("--model=" + kind + " is not known");
    }
  }

  private static VelocityModel load(SurveyOptions options, int nz, double spacing) {
    String file = options.getModelFile();
    if (file == null || file.isBlank()) {
      throw new IllegalArgumentException("--model=FILE needs --modelFile=<float32 grid>");
    }
    ByteOrder order =
        options.getModelByteOrder() == SurveyOptions.FileByteOrder.BIG_ENDIAN
            ? ByteOrder.BIG_ENDIAN
            : ByteOrder.LITTLE_ENDIAN;
    VelocityModel model;
    try {
      model =
          Float32Grid.readModel(
              file, nz, spacing, order, options.getModelUnit().toMetresPerSecond());
    } catch (IOException e) {
      throw new IllegalArgumentException("--modelFile=" + file + " could not be read: " + e, e);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--modelFile=" + file + ": " + e.getMessage(), e);
    }
    if (model.min() < 300 || model.max() > 10000) {
      throw new IllegalArgumentException(
          String.format(
              "--modelFile=%s holds velocities from %.4g to %.4g m/s, not rock: check --modelUnit"
                  + " (M_PER_S or KM_PER_S), --modelByteOrder and --modelNz",
              file, model.min(), model.max()));
    }
    return model;
  }

  /** The acquisition layout over a model. */
  public static Acquisition acquisition(SurveyOptions options, int shots, VelocityModel model) {
    OptionChecks.atLeast("shots", shots, 1);
    OptionChecks.depthInModel("sourceDepth", options.getSourceDepth(), model);
    OptionChecks.depthInModel("receiverDepth", options.getReceiverDepth(), model);
    OptionChecks.notNegative("receiverSpacing", options.getReceiverSpacing());
    OptionChecks.atLeast("spongeCells", options.getSpongeCells(), 0);
    OptionChecks.within("courantFraction", options.getCourantFraction(), 0, 1);
    double spacing =
        options.getReceiverSpacing() == 0 ? model.spacing() : options.getReceiverSpacing();
    return new Acquisition(shots, options.getSourceDepth(), options.getReceiverDepth(), spacing);
  }
}

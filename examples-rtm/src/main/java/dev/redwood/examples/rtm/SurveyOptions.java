package dev.redwood.examples.rtm;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * Options both examples share: the model source and the acquisition layout. Sizes, shots and
 * frequencies, whose defaults differ between migration and inversion, are in {@link RtmOptions} and
 * {@link FwiOptions}.
 */
public interface SurveyOptions extends PipelineOptions {

  /** Units of a model file's values. */
  enum VelocityUnit {
    M_PER_S(1),
    KM_PER_S(1000);

    private final double toMetresPerSecond;

    VelocityUnit(double toMetresPerSecond) {
      this.toMetresPerSecond = toMetresPerSecond;
    }

    public double toMetresPerSecond() {
      return toMetresPerSecond;
    }
  }

  /** Byte order of a model file. */
  enum FileByteOrder {
    LITTLE_ENDIAN,
    BIG_ENDIAN
  }

  @Description(
      "Velocity model: MARMOUSI_LIKE (generated: water over faulted, folded sediments with a salt"
          + " body), LAYERED (water over flat layers), TWO_LAYER (1.5 over 2.5 km/s) or FILE (a"
          + " float32 grid, see --modelFile).")
  @Default.Enum("MARMOUSI_LIKE")
  ModelKind getModel();

  void setModel(ModelKind value);

  @Description(
      "Float32 binary grid for --model=FILE: --modelNz values per column (depth fastest), columns"
          + " across; the number of columns follows from the file size. Any path Beam's file"
          + " systems read.")
  String getModelFile();

  void setModelFile(String value);

  @Description("Unit of the values in --modelFile: M_PER_S or KM_PER_S.")
  @Default.Enum("M_PER_S")
  VelocityUnit getModelUnit();

  void setModelUnit(VelocityUnit value);

  @Description("Byte order of --modelFile: LITTLE_ENDIAN or BIG_ENDIAN.")
  @Default.Enum("LITTLE_ENDIAN")
  FileByteOrder getModelByteOrder();

  void setModelByteOrder(FileByteOrder value);

  @Description("Seed of the Marmousi-like model generator (bed velocities and thicknesses).")
  @Default.Long(7)
  long getModelSeed();

  void setModelSeed(long value);

  @Description("Depth of the sources below the top of the model, metres.")
  @Default.Double(40)
  double getSourceDepth();

  void setSourceDepth(double value);

  @Description("Depth of the receivers below the top of the model, metres.")
  @Default.Double(40)
  double getReceiverDepth();

  void setReceiverDepth(double value);

  @Description(
      "Distance between receivers, metres; they span the whole model for every shot. 0: one per"
          + " grid column.")
  @Default.Double(0)
  double getReceiverSpacing();

  void setReceiverSpacing(double value);

  @Description("Thickness of the absorbing sponge layer around the model, in grid cells.")
  @Default.Integer(40)
  int getSpongeCells();

  void setSpongeCells(int value);

  @Description(
      "Time step as a fraction of the stability (CFL) limit of the eighth-order stencil,"
          + " in (0, 1].")
  @Default.Double(0.9)
  double getCourantFraction();

  void setCourantFraction(double value);
}

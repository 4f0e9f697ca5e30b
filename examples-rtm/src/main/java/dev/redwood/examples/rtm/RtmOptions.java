package dev.redwood.examples.rtm;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;

/**
 * Options of the reverse-time migration example ({@link ReverseTimeMigration}). The defaults
 * migrate 32 shots over the 176 x 851 Marmousi-like model at 20 m in a minute or two on this
 * machine's local backend.
 */
public interface RtmOptions extends SurveyOptions {

  @Description("Depth samples (rows) of the model; for --model=FILE, the rows of each column.")
  @Default.Integer(176)
  int getModelNz();

  void setModelNz(int value);

  @Description("Lateral samples (columns) of a generated model (a file's follow from its size).")
  @Default.Integer(851)
  int getModelNx();

  void setModelNx(int value);

  @Description("Grid spacing of the model in metres, the same across and in depth.")
  @Default.Double(20)
  double getGridSpacing();

  void setGridSpacing(double value);

  @Description("Number of shots, spread evenly across the model; each is one element and one task.")
  @Default.Integer(32)
  int getShots();

  void setShots(int value);

  @Description("Peak frequency of the Ricker source wavelet, Hz.")
  @Default.Double(8)
  double getFrequency();

  void setFrequency(double value);

  @Description("Recording time of each shot, seconds.")
  @Default.Double(3)
  double getRecordingTime();

  void setRecordingTime(double value);

  @Description(
      "Standard deviation, in metres, of the Gaussian that smooths the true model into the"
          + " migration velocity (the water layer is kept).")
  @Default.Double(150)
  double getSmoothing();

  void setSmoothing(double value);

  @Description("Divide each shot's image by its source illumination (sum of u^2) before stacking.")
  @Default.Boolean(true)
  boolean getIlluminationNormalisation();

  void setIlluminationNormalisation(boolean value);

  @Description("Apply the Laplacian filter to the stacked image (removes low-wavenumber noise).")
  @Default.Boolean(true)
  boolean getLaplacianFilter();

  void setLaplacianFilter(boolean value);

  @Description(
      "Zero the image in the water column, a few cells above the seafloor and up, where only"
          + " source and receiver artefacts image.")
  @Default.Boolean(true)
  boolean getMuteWater();

  void setMuteWater(boolean value);

  @Description(
      "Percentile of |image| where the image picture clips to black and white, in (0, 100].")
  @Default.Double(98)
  double getClipPercentile();

  void setClipPercentile(double value);

  @Description(
      "Migrate these SEG-Y shot records (a glob) instead of modelling a survey in the true model."
          + " Their coordinates must lie in the model given by --model.")
  String getShotRecords();

  void setShotRecords(String value);

  @Description(
      "Directory for the outputs: shot records (shots/), model and image grids (float32) and the"
          + " PNG pictures; a local path or, on Azure, an azfs://ACCOUNT/CONTAINER/path.")
  @Default.String("target/rtm")
  String getOutputDirectory();

  void setOutputDirectory(String value);
}

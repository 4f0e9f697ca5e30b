package dev.redwood.examples.rtm;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;

/**
 * Options of the full-waveform inversion example ({@link FullWaveformInversion}). The defaults
 * invert 8 shots over a 50 x 120 Marmousi-like model at 25 m for 8 iterations, one pipeline per
 * misfit and gradient evaluation, in a minute or two on this machine's local backend.
 */
public interface FwiOptions extends SurveyOptions {

  @Description("Depth samples (rows) of the model; for --model=FILE, the rows of each column.")
  @Default.Integer(50)
  int getModelNz();

  void setModelNz(int value);

  @Description("Lateral samples (columns) of a generated model (a file's follow from its size).")
  @Default.Integer(120)
  int getModelNx();

  void setModelNx(int value);

  @Description("Grid spacing of the model in metres, the same across and in depth.")
  @Default.Double(25)
  double getGridSpacing();

  void setGridSpacing(double value);

  @Description("Number of shots, spread evenly across the model; each is one element and one task.")
  @Default.Integer(8)
  int getShots();

  void setShots(int value);

  @Description("Peak frequency of the Ricker source wavelet, Hz (low frequencies suit FWI).")
  @Default.Double(5)
  double getFrequency();

  void setFrequency(double value);

  @Description("Recording time of each shot, seconds.")
  @Default.Double(2)
  double getRecordingTime();

  void setRecordingTime(double value);

  @Description(
      "Standard deviation, in metres, of the Gaussian that smooths the true model into the"
          + " starting model (the water layer is kept and held fixed).")
  @Default.Double(250)
  double getSmoothing();

  void setSmoothing(double value);

  @Description("L-BFGS iterations.")
  @Default.Integer(8)
  int getIterations();

  void setIterations(int value);

  @Description("L-BFGS memory: the number of recent steps whose curvature shapes the direction.")
  @Default.Integer(5)
  int getLbfgsMemory();

  void setLbfgsMemory(int value);

  @Description("Lowest velocity the inversion may put in a cell, m/s.")
  @Default.Double(1400)
  double getMinVelocity();

  void setMinVelocity(double value);

  @Description(
      "Highest velocity the inversion may put in a cell, m/s; also sets the time step, which must"
          + " stay stable for every model the inversion tries.")
  @Default.Double(4800)
  double getMaxVelocity();

  void setMaxVelocity(double value);

  @Description(
      "Directory for the outputs: shot records (shots/), each evaluation's misfit and gradient"
          + " (evaluations/), the models as float32 grids and PNG pictures, and the misfit history;"
          + " a local path or, on Azure, an azfs://ACCOUNT/CONTAINER/path.")
  @Default.String("target/fwi")
  String getOutputDirectory();

  void setOutputDirectory(String value);
}

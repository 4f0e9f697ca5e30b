package dev.redwood.examples.acoustics;

import java.util.List;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * Options of the acoustic bake; the defaults bake a generated level in a few minutes on 2 cores.
 */
public interface AcousticsOptions extends PipelineOptions {

  @Description(
      "Floor plan to bake: a text plan (see FloorPlanText; any extension but .png/.gif/.bmp) or an"
          + " image plan (.png, .gif, .bmp; one pixel per tile, see --imageTileSize). Empty: generate"
          + " a building of rooms and corridors (--buildingWidth, --buildingHeight, --seed).")
  @Default.String("")
  String getSceneFile();

  void setSceneFile(String value);

  @Description("Image floor plans: the width of one pixel, in metres.")
  @Default.Double(0.1)
  double getImageTileSize();

  void setImageTileSize(double value);

  @Description("Generated plan: width of the building in metres (at least 12).")
  @Default.Double(32)
  double getBuildingWidth();

  void setBuildingWidth(double value);

  @Description("Generated plan: depth of the building in metres (at least 9).")
  @Default.Double(20)
  double getBuildingHeight();

  void setBuildingHeight(double value);

  @Description("Generated plan: random seed; the same seed gives the same building.")
  @Default.Long(7)
  long getSeed();

  void setSeed(long value);

  @Description(
      "Storey height in metres, overriding the plan's: floor and ceiling absorb energy at the rate"
          + " c * absorption / (2 * height). 0 removes the storey (pure 2D). Unset: the plan's own.")
  Double getStoreyHeight();

  void setStoreyHeight(Double value);

  @Description("Average absorption coefficient of floor and ceiling, with --storeyHeight.")
  @Default.Double(0.25)
  double getFloorCeilingAbsorption();

  void setFloorCeilingAbsorption(double value);

  @Description("Distance between probes (listener positions) on the walkable floor, in metres.")
  @Default.Double(3.0)
  double getProbeSpacing();

  void setProbeSpacing(double value);

  @Description(
      "Bake at most this many probes, spread evenly over the placed ones (0: every probe). For quick"
          + " trials and benchmarks.")
  @Default.Integer(0)
  int getMaxProbes();

  void setMaxProbes(int value);

  @Description(
      "Highest frequency the simulation resolves, in Hz (Triton: 250 coarse, 500 fine). Sets the"
          + " grid spacing (343 / (7 f) m) and the pulse; cost grows with its cube.")
  @Default.Double(500)
  double getFrequency();

  void setFrequency(double value);

  @Description(
      "Simulated time per probe, in seconds: long enough for the reverberation to decay 35 dB.")
  @Default.Double(0.5)
  double getDuration();

  void setDuration(double value);

  @Description("Edge of a bake cell (where parameters are stored for every probe), in metres.")
  @Default.Double(0.5)
  double getCellSpacing();

  void setCellSpacing(double value);

  @Description(
      "Directory for the bake file, the statistics and the pictures: a local path (relative paths"
          + " are resolved against the working directory of the driver) or, on Azure, an"
          + " azfs://ACCOUNT/CONTAINER/path that the nodes can reach.")
  @Default.String("target/acoustics")
  String getOutput();

  void setOutput(String value);

  @Description(
      "Probe ids to draw maps of (loudness, decay time, arrival directions), e.g. --drawProbes=3,17."
          + " Empty: three probes spread over the plan.")
  @Default.InstanceFactory(NoProbes.class)
  List<Integer> getDrawProbes();

  void setDrawProbes(List<Integer> value);

  /** No probes chosen: draw three spread over the plan. */
  class NoProbes implements org.apache.beam.sdk.options.DefaultValueFactory<List<Integer>> {
    @Override
    public List<Integer> create(PipelineOptions options) {
      return List.of();
    }
  }
}

package dev.redwood.examples.rtm.pipeline;

import dev.redwood.examples.rtm.imaging.LaplacianFilter;
import dev.redwood.examples.rtm.imaging.WaterMute;
import dev.redwood.examples.rtm.io.Float32Grid;
import dev.redwood.examples.rtm.io.Storage;
import java.io.IOException;
import java.nio.ByteOrder;
import org.apache.beam.sdk.transforms.DoFn;

/**
 * Writes the stacked image as float32 grids (little-endian, depth fastest): the plain stack ({@code
 * image-stack.bin}) and the final image ({@code image.bin}): Laplacian-filtered and muted above the
 * seafloor, each if asked for. Outputs the final image's path.
 */
public final class WriteImageFn extends DoFn<float[], String> {
  private static final long serialVersionUID = 1L;

  public static final String STACK = "image-stack.bin";
  public static final String IMAGE = "image.bin";

  private final String directory;
  private final int nz;
  private final int nx;
  private final boolean laplacian;
  private final int[] seafloorRows;

  /** {@code seafloorRows} null: no water mute. */
  public WriteImageFn(String directory, int nz, int nx, boolean laplacian, int[] seafloorRows) {
    this.directory = directory;
    this.nz = nz;
    this.nx = nx;
    this.laplacian = laplacian;
    this.seafloorRows = seafloorRows;
  }

  @ProcessElement
  public void process(@Element float[] stack, OutputReceiver<String> out) throws IOException {
    if (stack.length != nz * nx) {
      throw new IllegalArgumentException(
          "stack has " + stack.length + " cells, the model " + nz + " x " + nx);
    }
    Float32Grid.write(Storage.resolve(directory, STACK), stack, ByteOrder.LITTLE_ENDIAN);
    float[] image = laplacian ? LaplacianFilter.apply(stack, nz, nx) : stack.clone();
    if (seafloorRows != null) {
      WaterMute.apply(image, nz, seafloorRows);
    }
    String path = Storage.resolve(directory, IMAGE);
    Float32Grid.write(path, image, ByteOrder.LITTLE_ENDIAN);
    out.output(path);
  }
}

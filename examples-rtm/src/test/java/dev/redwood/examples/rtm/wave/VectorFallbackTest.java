package dev.redwood.examples.rtm.wave;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Without {@code --add-modules=jdk.incubator.vector} the examples still run, on the plain-loop
 * kernel, and model the same shot as the vector kernel does here.
 */
class VectorFallbackTest {

  @Test
  void jvmWithoutTheVectorModuleFallsBackToPlainLoops() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process process =
        new ProcessBuilder(
                List.of(
                    java,
                    "-cp",
                    System.getProperty("java.class.path"),
                    FallbackProbe.class.getName()))
            .redirectErrorStream(true)
            .start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS), equalTo(true));
    assertThat(output, process.exitValue(), equalTo(0));
    assertThat(output, containsString("kernel=scalar Java"));
    assertThat(output, containsString("jdk.incubator.vector is not in this JVM"));

    // Same shot here, with the vector kernel: the records' peaks agree.
    java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
    java.io.PrintStream previous = System.out;
    System.setOut(new java.io.PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      FallbackProbe.main(new String[0]);
    } finally {
      System.setOut(previous);
    }
    String here = captured.toString(StandardCharsets.UTF_8);
    assertThat(here, containsString("kernel=Java Vector API"));
    float peakThere = peak(output);
    float peakHere = peak(here);
    assertThat(Math.abs(peakThere - peakHere) <= 1e-5f * peakHere, equalTo(true));
  }

  private static float peak(String output) {
    int at = output.lastIndexOf("peak=");
    return Float.parseFloat(output.substring(at + 5).trim().split("\\s")[0]);
  }
}

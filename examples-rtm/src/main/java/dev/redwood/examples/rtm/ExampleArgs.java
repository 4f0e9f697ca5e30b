package dev.redwood.examples.rtm;

import dev.redwood.examples.rtm.wave.StencilKernels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Command-line defaults of the examples: they run on Redwood ({@code --runner=AzureBatchRunner})
 * unless {@code --runner} says otherwise, and on Redwood their worker JVMs get the Vector API
 * module ({@code --workerJvmFlags=--add-modules=jdk.incubator.vector}) when this JVM has it and no
 * worker flags were given, so the stencil runs vectorised on the nodes too.
 */
final class ExampleArgs {

  static final String VECTOR_FLAG = "--add-modules=jdk.incubator.vector";

  private ExampleArgs() {}

  static String[] withDefaults(String[] args) {
    List<String> all = new ArrayList<>(Arrays.asList(args));
    String runner = null;
    boolean workerFlags = false;
    for (String arg : args) {
      if (arg.startsWith("--runner=")) {
        runner = arg.substring("--runner=".length());
      }
      workerFlags |= arg.startsWith("--workerJvmFlags");
    }
    if (runner == null) {
      runner = "AzureBatchRunner";
      all.add(0, "--runner=" + runner);
    }
    boolean redwood = runner.endsWith("AzureBatchRunner") || runner.equals("AzureBatch");
    if (redwood && !workerFlags && StencilKernels.vectorApiAvailable()) {
      all.add("--workerJvmFlags=" + VECTOR_FLAG);
    }
    return all.toArray(new String[0]);
  }
}

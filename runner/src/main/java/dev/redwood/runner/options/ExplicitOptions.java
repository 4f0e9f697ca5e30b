package dev.redwood.runner.options;

import java.util.HashSet;
import java.util.Set;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.display.DisplayData;

/**
 * Which options the user set, as opposed to defaults: Beam's options display data lists only values
 * that were set (on the command line or by a setter), so a default such as Beam's generated {@code
 * --jobName} does not count as the user's choice.
 */
public final class ExplicitOptions {
  private ExplicitOptions() {}

  public static Set<String> names(PipelineOptions options) {
    Set<String> names = new HashSet<>();
    for (DisplayData.Item item : DisplayData.from(options).items()) {
      names.add(item.getKey());
    }
    return names;
  }

  public static boolean isSet(PipelineOptions options, String name) {
    return names(options).contains(name);
  }
}

package dev.redwood.runner.storage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.util.common.ReflectHelpers;

/**
 * The containers a pipeline reaches through Beam's {@code azfs://account/container/path}
 * filesystem, as its option values name them ({@code --outputDirectory=azfs://...}). On the Azure
 * backend each job's tasks are granted a SAS token for exactly these containers, since nodes hold
 * no account key ({@link TaskAzfsClients}).
 */
public final class AzfsContainers {
  private static final Pattern AZFS = Pattern.compile("azfs://([^/\\s\"]+)/([^/\\s\"]+)");

  private static final ObjectMapper JSON =
      new ObjectMapper()
          .registerModules(ObjectMapper.findModules(ReflectHelpers.findClassLoader()));

  private AzfsContainers() {}

  /**
   * Container name -> the option that names it.
   *
   * @param account the storage account tasks can be granted ({@link BlobStore#azfsAccount()})
   * @throws IllegalArgumentException when an option names another account
   */
  public static Map<String, String> namedIn(PipelineOptions options, String account) {
    Map<String, String> containers = new TreeMap<>();
    JsonNode values = JSON.valueToTree(options).get("options");
    if (values == null) {
      return containers;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = values.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> option = it.next();
      collect(option.getKey(), option.getValue(), account, containers);
    }
    return containers;
  }

  private static void collect(
      String option, JsonNode value, String account, Map<String, String> containers) {
    if (value.isTextual()) {
      Matcher m = AZFS.matcher(value.asText());
      while (m.find()) {
        if (!m.group(1).equals(account)) {
          throw new IllegalArgumentException(
              "Option --"
                  + option
                  + " names azfs://"
                  + m.group(1)
                  + "/"
                  + m.group(2)
                  + ", but tasks can reach only storage account '"
                  + account
                  + "', the one the Azure backend stages to");
        }
        containers.putIfAbsent(m.group(2), option);
      }
    } else if (value.isContainerNode()) {
      for (JsonNode element : value) {
        collect(option, element, account, containers);
      }
    }
  }
}

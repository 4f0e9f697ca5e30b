package dev.redwood.runner.options;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.redwood.runner.storage.TaskAzfsClients;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.util.common.ReflectHelpers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pipeline options as remote nodes receive them: the driver's options without those that hold
 * credentials. Stage specs carry the options to every task, so a storage key or client secret
 * passed on the driver's command line (io-azure's {@code --accessKey}, {@code
 * --azureConnectionString}, ...) would otherwise be written into the job's container and read on
 * every node. Tasks reach storage with the SAS tokens the driver grants instead, through {@link
 * TaskAzfsClients}, which the copy names as io-azure's client factory.
 *
 * <p>An option holds a credential when its name ends in one of {@link #SECRET_NAME}'s words (Key,
 * Secret, Password, Token, ConnectionString, Credential(s), CredentialsProvider); its value is
 * dropped from the options and from their display data.
 */
public final class NodeOptions {
  private static final Logger LOG = LoggerFactory.getLogger(NodeOptions.class);

  static final Pattern SECRET_NAME =
      Pattern.compile(
          ".*(Key|Secret|Password|Token|ConnectionString|Credentials?|CredentialsProvider)$",
          Pattern.CASE_INSENSITIVE);

  private static final ObjectMapper JSON =
      new ObjectMapper()
          .registerModules(ObjectMapper.findModules(ReflectHelpers.findClassLoader()));

  private NodeOptions() {}

  /** A copy of {@code options} without the options that hold credentials. */
  public static PipelineOptions withoutSecrets(PipelineOptions options) {
    ObjectNode tree = JSON.valueToTree(options);
    List<String> dropped = new ArrayList<>();
    JsonNode values = tree.get("options");
    if (values instanceof ObjectNode o) {
      for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> option = it.next();
        if (isSecret(option.getKey())) {
          if (!option.getValue().isNull()) {
            dropped.add(option.getKey());
          }
          it.remove();
        }
      }
    }
    if (values instanceof ObjectNode o) {
      // A copy of its own: Beam keys its filesystem registration on the options id, and the
      // driver must be able to switch back to its own options after the copy was registered.
      o.remove("optionsId");
    }
    JsonNode display = tree.get("display_data");
    if (display instanceof ArrayNode items) {
      for (Iterator<JsonNode> it = items.elements(); it.hasNext(); ) {
        JsonNode item = it.next();
        if (item.hasNonNull("key") && isSecret(item.get("key").asText())) {
          it.remove();
        }
      }
    }
    if (!dropped.isEmpty()) {
      LOG.info(
          "Options {} hold credentials and stay on this machine: nodes get the other options only",
          dropped);
    }
    PipelineOptions copy;
    try {
      copy = JSON.treeToValue(tree, PipelineOptions.class);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("Could not copy the pipeline options for the nodes", e);
    }
    // The driver's io-azure client factory may need the credentials just dropped.
    TaskAzfsClients.useOnNodes(copy);
    return copy;
  }

  static boolean isSecret(String optionName) {
    return SECRET_NAME.matcher(optionName).matches();
  }
}

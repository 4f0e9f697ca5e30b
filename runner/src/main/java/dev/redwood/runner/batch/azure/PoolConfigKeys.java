package dev.redwood.runner.batch.azure;

import com.microsoft.azure.batch.protocol.models.BatchErrorDetail;
import com.microsoft.azure.batch.protocol.models.BatchErrorException;
import com.microsoft.azure.batch.protocol.models.CloudPool;
import com.microsoft.azure.batch.protocol.models.ImageReference;
import com.microsoft.azure.batch.protocol.models.VirtualMachineConfiguration;
import dev.redwood.runner.config.PoolConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Between a pool's configuration keys and Batch's pool properties: which configured settings an
 * existing pool differs in (a reused pool must be the pool the user described), and which key a
 * property Batch refused comes from (so the user knows what to change).
 */
final class PoolConfigKeys {
  /** Batch pool properties, as error messages and values name them, and their config keys. */
  private static final Map<String, String> KEY_OF_PROPERTY = new LinkedHashMap<>();

  static {
    KEY_OF_PROPERTY.put("targetlowprioritynodes", "spotNodes");
    KEY_OF_PROPERTY.put("targetdedicatednodes", "dedicatedNodes");
    KEY_OF_PROPERTY.put("taskslotspernode", "taskSlotsPerNode");
    KEY_OF_PROPERTY.put("autoscaleformula", "autoscaleFormula");
    KEY_OF_PROPERTY.put("autoscaleevaluationinterval", "autoscaleFormula");
    KEY_OF_PROPERTY.put("containerconfiguration", "containerImage");
    KEY_OF_PROPERTY.put("imagereference", "image");
    KEY_OF_PROPERTY.put("nodeagentskuid", "nodeAgentSku");
    KEY_OF_PROPERTY.put("vmsize", "vmSize");
    KEY_OF_PROPERTY.put("lowpriority", "spotNodes");
    KEY_OF_PROPERTY.put("core", "vmSize");
  }

  private PoolConfigKeys() {}

  /** Each configured setting {@code existing} differs in, as "key is X (configured: Y)". */
  static List<String> differences(PoolConfig config, CloudPool existing) {
    List<String> found = new ArrayList<>();
    if (existing.vmSize() != null && !existing.vmSize().equalsIgnoreCase(config.vmSize())) {
      found.add(differs("vmSize", existing.vmSize(), config.vmSize()));
    }
    if (existing.taskSlotsPerNode() != null
        && existing.taskSlotsPerNode() != config.taskSlotsPerNode()) {
      found.add(
          differs(
              "taskSlotsPerNode",
              "" + existing.taskSlotsPerNode(),
              "" + config.taskSlotsPerNode()));
    }
    VirtualMachineConfiguration vm = existing.virtualMachineConfiguration();
    if (vm != null && vm.imageReference() != null && config.image().publisher() != null) {
      ImageReference image = vm.imageReference();
      String have = image(image.publisher(), image.offer(), image.sku());
      String want = image(config.image().publisher(), config.image().offer(), config.image().sku());
      if (!have.equalsIgnoreCase(want)) {
        found.add(differs("image", have, want));
      }
    }
    List<String> containers =
        vm != null && vm.containerConfiguration() != null
            ? vm.containerConfiguration().containerImageNames()
            : null;
    boolean hasContainers = vm != null && vm.containerConfiguration() != null;
    if (config.containerImage() != null && !hasContainers) {
      found.add(
          "containerImage: the pool has no container configuration (configured: "
              + config.containerImage()
              + ")");
    } else if (config.containerImage() != null
        && containers != null
        && !containers.contains(config.containerImage())) {
      found.add(
          "containerImage: the pool prefetches "
              + containers
              + " (configured: "
              + config.containerImage()
              + "); tasks would pull it on every node");
    }
    return found;
  }

  /**
   * " (configuration key pools[].K)" for the key behind the property Batch refused, or "" when the
   * error names none Redwood sets.
   */
  static String keyAtFault(BatchErrorException e) {
    StringBuilder text = new StringBuilder();
    if (e.body() != null) {
      text.append(e.body().code()).append(' ');
      if (e.body().message() != null) {
        text.append(e.body().message().value()).append(' ');
      }
      if (e.body().values() != null) {
        for (BatchErrorDetail d : e.body().values()) {
          text.append(d.key()).append('=').append(d.value()).append(' ');
        }
      }
    }
    String lower = text.toString().toLowerCase(Locale.ROOT);
    for (Map.Entry<String, String> k : KEY_OF_PROPERTY.entrySet()) {
      if (lower.contains(k.getKey())) {
        return " (configuration key \"" + k.getValue() + "\")";
      }
    }
    return "";
  }

  private static String differs(String key, String have, String want) {
    return key + " is " + have + " (configured: " + want + ")";
  }

  private static String image(String publisher, String offer, String sku) {
    return Objects.toString(publisher) + "/" + offer + "/" + sku;
  }
}

package dev.redwood.runner.config;

import static dev.redwood.runner.config.ClusterlessHpcKeys.CONTAINER;
import static dev.redwood.runner.config.ClusterlessHpcKeys.INTER_NODE_CONNECTION;
import static dev.redwood.runner.config.ClusterlessHpcKeys.NODE_COUNT_PER_POOL;
import static dev.redwood.runner.config.ClusterlessHpcKeys.NODE_OS_OFFER;
import static dev.redwood.runner.config.ClusterlessHpcKeys.NODE_OS_PUBLISHER;
import static dev.redwood.runner.config.ClusterlessHpcKeys.NODE_OS_SKU;
import static dev.redwood.runner.config.ClusterlessHpcKeys.POOL_VM_SIZE;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The settings of a pool other than its id and account, layered: Redwood's defaults, then
 * AzureClusterlessHPC's flat keys, then {@code "poolDefaults"}, then the pool's own entry in {@code
 * "pools"}. Each layer reads the structured keys in {@link #KEYS}.
 *
 * @param image the node image; its {@code nodeAgentSku} is null while it cannot be derived
 * @param imageSource the key the image (or its agent) came from, for errors and warnings
 */
record PoolSettings(
    String vmSize,
    int dedicatedNodes,
    int spotNodes,
    int taskSlotsPerNode,
    String autoscaleFormula,
    NodeImage image,
    String imageSource,
    String containerImage,
    boolean interNodeCommunication) {

  static final String VM_SIZE = "vmSize";
  static final String DEDICATED_NODES = "dedicatedNodes";
  static final String SPOT_NODES = "spotNodes";
  static final String TASK_SLOTS_PER_NODE = "taskSlotsPerNode";
  static final String AUTOSCALE_FORMULA = "autoscaleFormula";
  static final String IMAGE = "image";
  static final String CONTAINER_IMAGE = "containerImage";
  static final String INTER_NODE_COMMUNICATION = "interNodeCommunication";

  static final String PUBLISHER = "publisher";
  static final String OFFER = "offer";
  static final String SKU = "sku";
  static final String NODE_AGENT_SKU = "nodeAgentSku";

  static final List<String> KEYS =
      List.of(
          VM_SIZE,
          DEDICATED_NODES,
          SPOT_NODES,
          TASK_SLOTS_PER_NODE,
          AUTOSCALE_FORMULA,
          IMAGE,
          CONTAINER_IMAGE,
          INTER_NODE_COMMUNICATION);

  static final List<String> IMAGE_KEYS = List.of(PUBLISHER, OFFER, SKU, NODE_AGENT_SKU);

  /** Which flat key each structured key stands for, when given in {@code "poolDefaults"}. */
  static final Map<String, List<String>> FLAT_EQUIVALENTS =
      Map.of(
          VM_SIZE, List.of(POOL_VM_SIZE),
          DEDICATED_NODES, List.of(NODE_COUNT_PER_POOL),
          CONTAINER_IMAGE, List.of(CONTAINER),
          INTER_NODE_COMMUNICATION, List.of(INTER_NODE_CONNECTION),
          IMAGE, List.of(NODE_OS_PUBLISHER, NODE_OS_OFFER, NODE_OS_SKU));

  /** Most tasks a node runs at once that Batch allows (it also caps it at 256). */
  static final int MAX_TASK_SLOTS = 256;

  static final String DEFAULT_VM_SIZE = "Standard_E2s_v3";
  static final NodeImage DEFAULT_IMAGE =
      new NodeImage(
          "canonical", "0001-com-ubuntu-server-jammy", "22_04-lts", "batch.node.ubuntu 22.04");

  /** A Docker image reference: [registry[:port]/]path[:tag][@sha256:digest]. */
  private static final Pattern CONTAINER_REF =
      Pattern.compile(
          "[a-z0-9]+(?:[._-][a-z0-9]+)*(?::[0-9]+)?"
              + "(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*"
              + "(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?"
              + "(?:@sha256:[0-9a-f]{64})?");

  /** Redwood's defaults, then AzureClusterlessHPC's flat keys of the parameters file. */
  static PoolSettings fromFlatKeys(ConfigObject params) {
    String vmSize = params.string(POOL_VM_SIZE).orElse(DEFAULT_VM_SIZE);
    checkVmSize(params, POOL_VM_SIZE, vmSize);
    int nodes = params.flatWholeNumber(NODE_COUNT_PER_POOL, 0).orElse(1);
    String container = params.string(CONTAINER).orElse(null);
    // AzureClusterlessHPC writes "None" for no container; an empty string means the same.
    if (container != null && (container.isBlank() || container.equals("None"))) {
      container = null;
    }
    if (container != null) {
      checkContainer(params, CONTAINER, container);
    }
    boolean interNode = params.flatFlag(INTER_NODE_CONNECTION).orElse(false);

    List<String> osKeys = List.of(NODE_OS_PUBLISHER, NODE_OS_OFFER, NODE_OS_SKU);
    long given = osKeys.stream().filter(params::has).count();
    NodeImage image = DEFAULT_IMAGE;
    String imageSource = "(default image)";
    if (given > 0) {
      for (String key : osKeys) {
        if (!params.has(key)) {
          throw params.fail(
              key,
              "is missing: give "
                  + String.join(", ", osKeys)
                  + " together (or none of them for Redwood's default image, "
                  + describe(DEFAULT_IMAGE)
                  + ")");
        }
      }
      String publisher = nonBlank(params, NODE_OS_PUBLISHER);
      String offer = nonBlank(params, NODE_OS_OFFER);
      String sku = nonBlank(params, NODE_OS_SKU);
      image =
          new NodeImage(
              publisher, offer, sku, NodeAgentSkus.derive(publisher, offer, sku).orElse(null));
      imageSource = String.join("/", osKeys);
    }
    return new PoolSettings(vmSize, nodes, 0, 1, null, image, imageSource, container, interNode);
  }

  /**
   * These settings overridden by the structured keys of {@code o} (a {@code "poolDefaults"} or
   * {@code "pools"} entry). For {@code "poolDefaults"}, {@code flat} is the parameters file's top
   * level: a key given both there (as a flat key) and in {@code o} is an error.
   */
  PoolSettings overlay(ConfigObject o, Optional<ConfigObject> flat) {
    flat.ifPresent(
        top -> {
          for (Map.Entry<String, List<String>> e : FLAT_EQUIVALENTS.entrySet()) {
            if (!o.has(e.getKey())) {
              continue;
            }
            if (e.getKey().equals(IMAGE)
                && o.object(IMAGE, Set.of(), "the node image")
                    .map(i -> !i.has(PUBLISHER) && !i.has(OFFER) && !i.has(SKU))
                    .orElse(true)) {
              continue; // only a nodeAgentSku: it refines the flat image
            }
            for (String flatKey : e.getValue()) {
              if (top.has(flatKey)) {
                throw o.fail(
                    e.getKey(),
                    "is also given as "
                        + flatKey
                        + " at the top of the file; give the setting once");
              }
            }
          }
        });

    String vmSize = o.string(VM_SIZE).orElse(this.vmSize);
    checkVmSize(o, VM_SIZE, vmSize);
    int dedicated = o.wholeNumber(DEDICATED_NODES, 0, Integer.MAX_VALUE).orElse(dedicatedNodes);
    int spot = o.wholeNumber(SPOT_NODES, 0, Integer.MAX_VALUE).orElse(spotNodes);
    int slots = o.wholeNumber(TASK_SLOTS_PER_NODE, 1, MAX_TASK_SLOTS).orElse(taskSlotsPerNode);
    String formula = o.string(AUTOSCALE_FORMULA).orElse(autoscaleFormula);
    if (o.has(AUTOSCALE_FORMULA) && formula.isBlank()) {
      throw o.fail(AUTOSCALE_FORMULA, "is empty; leave it out for a pool of fixed size");
    }
    String container = o.string(CONTAINER_IMAGE).orElse(containerImage);
    if (o.has(CONTAINER_IMAGE)) {
      checkContainer(o, CONTAINER_IMAGE, container);
    }
    boolean interNode = o.flag(INTER_NODE_COMMUNICATION).orElse(interNodeCommunication);

    NodeImage newImage = image;
    String newSource = imageSource;
    Optional<ConfigObject> img = o.object(IMAGE, Set.of(), "the node image");
    if (img.isPresent()) {
      ConfigObject i = img.get();
      i.checkKeys(IMAGE_KEYS, List.of(), "", w -> {}, k -> null);
      List<String> osKeys = List.of(PUBLISHER, OFFER, SKU);
      long given = osKeys.stream().filter(i::has).count();
      String agent = i.string(NODE_AGENT_SKU).orElse(null);
      if (agent != null && !agent.startsWith("batch.node.")) {
        throw i.fail(
            NODE_AGENT_SKU,
            "must be a Batch node agent SKU such as \"batch.node.ubuntu 22.04\""
                + i.got(NODE_AGENT_SKU, agent));
      }
      if (given > 0 && given < 3) {
        String missing = osKeys.stream().filter(k -> !i.has(k)).findFirst().orElseThrow();
        throw i.fail(missing, "is missing: give publisher, offer and sku together");
      }
      if (given == 3) {
        String publisher = nonBlank(i, PUBLISHER);
        String offer = nonBlank(i, OFFER);
        String sku = nonBlank(i, SKU);
        if (agent == null) {
          agent = NodeAgentSkus.derive(publisher, offer, sku).orElse(null);
        }
        newImage = new NodeImage(publisher, offer, sku, agent);
        newSource = i.path();
      } else if (agent != null) {
        newImage = new NodeImage(image.publisher(), image.offer(), image.sku(), agent);
        newSource = i.at(NODE_AGENT_SKU);
      }
    }
    return new PoolSettings(
        vmSize, dedicated, spot, slots, formula, newImage, newSource, container, interNode);
  }

  static String describe(NodeImage image) {
    return image.publisher() + " / " + image.offer() + " / " + image.sku();
  }

  private static void checkVmSize(ConfigObject o, String key, String size) {
    String problem = AzureNames.vmSize(size);
    if (problem != null) {
      throw o.fail(key, problem + o.got(key, size));
    }
  }

  private static void checkContainer(ConfigObject o, String key, String ref) {
    if (!CONTAINER_REF.matcher(ref).matches()) {
      throw o.fail(
          key,
          "must be a container image reference such as"
              + " \"myregistry.azurecr.io/redwood-worker:1.0\""
              + o.got(key, ref));
    }
  }

  private static String nonBlank(ConfigObject o, String key) {
    String value = o.string(key).orElseThrow();
    if (value.isBlank()) {
      throw o.fail(key, "is empty");
    }
    return value;
  }
}

package dev.redwood.runner.config;

import static java.util.Map.entry;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One Batch pool a pipeline's tasks run on: an entry of {@code "pools"} (or one of the {@code
 * _POOL_COUNT} pools) over the settings it inherits. A new setting is a component (its name is its
 * JSON key), its check in the constructor and its default in {@link #DEFAULTS}.
 *
 * @param poolId the pool's id in its account ({@code "id"}); an existing pool with it is reused
 * @param account the {@link BatchAccount#name()} the pool lives in
 * @param dedicatedNodes target dedicated nodes (ignored when {@code autoscaleFormula} is set)
 * @param spotNodes target spot (low-priority) nodes; preempted tasks are requeued by Batch
 * @param taskSlotsPerNode tasks one node runs at the same time (Batch allows at most 256)
 * @param autoscaleFormula a Batch autoscale formula, or null for a fixed size
 * @param containerImage a container image the tasks run in (it must provide Java 17), or null to
 *     run on the host (a start task then installs a Java runtime if the image has none)
 * @param startTaskCommand a shell command every node runs as the pool's administrator when it joins
 *     the pool, after Redwood's own setup (e.g. to install what a PROCESS SDK environment needs),
 *     or null
 */
public record PoolConfig(
    @JsonProperty("id") String poolId,
    String account,
    String vmSize,
    int dedicatedNodes,
    int spotNodes,
    int taskSlotsPerNode,
    String autoscaleFormula,
    NodeImage image,
    String containerImage,
    boolean interNodeCommunication,
    String startTaskCommand) {

  static final NodeImage DEFAULT_IMAGE =
      new NodeImage(
          "canonical", "0001-com-ubuntu-server-jammy", "22_04-lts", "batch.node.ubuntu 22.04");

  /** The settings a pool has where the parameters file gives none. */
  static final Map<String, Object> DEFAULTS =
      Map.ofEntries(
          entry("vmSize", "Standard_E2s_v3"),
          entry("dedicatedNodes", 1),
          entry("spotNodes", 0),
          entry("taskSlotsPerNode", 1),
          entry("image", DEFAULT_IMAGE),
          entry("interNodeCommunication", false));

  /** The JSON keys of a pool. */
  static final List<String> KEYS = ConfigFile.keys(PoolConfig.class);

  /** A Docker image reference: [registry[:port]/]path[:tag][@sha256:digest]. */
  private static final Pattern CONTAINER_REF =
      Pattern.compile(
          "[a-z0-9]+(?:[._-][a-z0-9]+)*(?::[0-9]+)?(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*"
              + "(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[0-9a-f]{64})?");

  public PoolConfig {
    Problem.unless(poolId != null, "id", "is missing (the pool's Batch id)");
    AzureNames.BATCH_ID.check("id", poolId);
    AzureNames.VM_SIZE.check("vmSize", vmSize);
    Problem.whole("dedicatedNodes", dedicatedNodes, 0, Integer.MAX_VALUE);
    Problem.whole("spotNodes", spotNodes, 0, Integer.MAX_VALUE);
    Problem.whole("taskSlotsPerNode", taskSlotsPerNode, 1, 256);
    Problem.unless(
        autoscaleFormula == null || !autoscaleFormula.isBlank(),
        "autoscaleFormula",
        "is empty; leave it out for a pool of fixed size");
    Problem.unless(
        startTaskCommand == null || !startTaskCommand.isBlank(),
        "startTaskCommand",
        "is empty; leave it out when the nodes need no setup of yours");
    if (containerImage != null && !CONTAINER_REF.matcher(containerImage).matches()) {
      String example = "\"myregistry.azurecr.io/redwood-worker:1.0\"";
      String problem = "must be a container image reference such as " + example;
      throw Problem.got("containerImage", problem, containerImage);
    }
    Problem.unless(
        image.nodeAgentSku() != null,
        "image",
        """
        names an image whose Batch node agent Redwood cannot derive (%s): give it, e.g. \
        "poolDefaults": {"image": {"nodeAgentSku": "batch.node.ubuntu 22.04"}}"""
            .formatted(image.label()));
    // The start task installs Java with apt-get on every node: tasks on the host run on it, and
    // on container pools the job preparation fetches the classpath with it.
    Problem.unless(
        NodeAgentSkus.hasApt(image.nodeAgentSku()),
        "image",
        """
        is an image without apt-get (node agent "%s"), so the start task cannot install Java on \
        the nodes of pool "%s": use a Debian or Ubuntu image such as canonical / \
        0001-com-ubuntu-server-jammy / 22_04-lts (or, for containers, microsoft-dsvm / ubuntu-hpc \
        / 2204)"""
            .formatted(image.nodeAgentSku(), poolId));
  }

  /**
   * Why a task of this pool cannot start Docker containers on its node (a DOCKER SDK environment
   * does), or null when it can: the task must run on the host of an image with a container runtime.
   */
  public String whyTasksCannotUseDocker() {
    if (containerImage != null) {
      return "runs its tasks inside container image "
          + Problem.quote(containerImage)
          + ", where there is no Docker to start another container: leave containerImage out";
    }
    if (DockerCompatibleImages.lacksRuntime(image)) {
      NodeImage docker = DockerCompatibleImages.DEFAULT;
      return "runs on image "
          + image.label()
          + ", which has no container runtime: give it an image with one, e.g. \"image\": "
          + "{\"publisher\": \""
          + docker.publisher()
          + "\", \"offer\": \""
          + docker.offer()
          + "\", \"sku\": \""
          + docker.sku()
          + "\"}";
    }
    return null;
  }

  /** The pool's task slots at its target size: what the driver plans its spread with. */
  public int targetSlots() {
    return (dedicatedNodes + spotNodes) * taskSlotsPerNode;
  }
}

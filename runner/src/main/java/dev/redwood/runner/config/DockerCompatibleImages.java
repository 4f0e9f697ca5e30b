package dev.redwood.runner.config;

import java.util.Locale;

/**
 * Which marketplace images give a Batch node a Docker-compatible container runtime, the
 * prerequisite of a pool that runs its tasks in a container image. Azure Batch lists them as
 * container-capable (checked 2026-12-07): {@code microsoft-dsvm} {@code ubuntu-hpc}, the {@code
 * microsoft-azure-batch} {@code *-container} offers (with and without {@code -rdma}) and Windows
 * Server SKUs {@code *-with-containers*}. Plain OS images (Canonical Ubuntu, Debian, Red Hat,
 * Windows Server without containers) have none. Other images (custom or unknown to this class) may
 * or may not: they are the user's responsibility.
 */
final class DockerCompatibleImages {
  private DockerCompatibleImages() {}

  /** Redwood's image for a container pool that names none. */
  static final NodeImage DEFAULT =
      new NodeImage("microsoft-dsvm", "ubuntu-hpc", "2204", "batch.node.ubuntu 22.04");

  /** Whether the image is known to have no container runtime (an unknown image may have one). */
  static boolean lacksRuntime(NodeImage image) {
    String publisher = String.valueOf(image.publisher()).toLowerCase(Locale.ROOT);
    String sku = String.valueOf(image.sku()).toLowerCase(Locale.ROOT);
    return publisher.matches("canonical|debian|redhat")
        || publisher.equals("microsoftwindowsserver") && !sku.contains("with-containers");
  }
}

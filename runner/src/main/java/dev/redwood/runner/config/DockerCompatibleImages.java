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

  /** What Redwood knows about an image's container runtime. */
  enum Runtime {
    DOCKER_COMPATIBLE,
    NONE,
    UNKNOWN
  }

  static Runtime of(NodeImage image) {
    String p = lower(image.publisher());
    String o = lower(image.offer());
    String s = lower(image.sku());
    if (p.equals("microsoft-dsvm") && o.equals("ubuntu-hpc")
        || p.equals("microsoft-azure-batch") && o.contains("-container")
        || p.equals("microsoftwindowsserver") && s.contains("with-containers")) {
      return Runtime.DOCKER_COMPATIBLE;
    }
    if (p.equals("canonical")
        || p.equals("debian")
        || p.equals("redhat")
        || p.equals("microsoftwindowsserver")) {
      return Runtime.NONE;
    }
    return Runtime.UNKNOWN;
  }

  private static String lower(String s) {
    return s == null ? "" : s.toLowerCase(Locale.ROOT);
  }
}

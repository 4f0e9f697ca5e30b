package dev.redwood.runner.config;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Batch node agent SKU that matches a marketplace image, derived from the image's publisher,
 * offer and SKU (Canonical {@code 0001-com-ubuntu-server-jammy} {@code 22_04-lts} is {@code
 * batch.node.ubuntu 22.04}). AzureClusterlessHPC looks the agent up in the account's list of
 * supported images when it creates a pool; Redwood derives it offline, and a pool's {@code
 * image.nodeAgentSku} overrides it for images this class does not know.
 */
final class NodeAgentSkus {
  private NodeAgentSkus() {}

  /** {@code 18.04}, {@code 22_04}, {@code 20-04}, {@code 2204}: an Ubuntu LTS version. */
  private static final Pattern UBUNTU_VERSION =
      Pattern.compile("(?<!\\d)(1[4-9]|[2-9]\\d)[._-]?04(?!\\d)");

  private static final Map<String, String> UBUNTU_NAMES =
      Map.of("xenial", "16", "bionic", "18", "focal", "20", "jammy", "22", "noble", "24");

  private static final Pattern MAJOR = Pattern.compile("(?<!\\d)(\\d{1,2})(?!\\d)");

  /**
   * Agents Azure Batch has retired (no new pools; existing ones may be scaled to zero): Ubuntu up
   * to 20.04 (since April 2025), CentOS and Debian up to 10. AzureClusterlessHPC's default image,
   * UbuntuServer 18.04, is one.
   */
  private static final Pattern RETIRED =
      Pattern.compile("batch\\.node\\.(ubuntu (14|16|18|20)\\.04|centos [78]|debian ([89]|10))");

  /** The node agent SKU for the image, if the image is one this class knows. */
  static Optional<String> derive(String publisher, String offer, String sku) {
    String p = publisher.toLowerCase(Locale.ROOT);
    String o = offer.toLowerCase(Locale.ROOT);
    String s = sku.toLowerCase(Locale.ROOT);
    if (p.equals("microsoftwindowsserver") || o.startsWith("windowsserver")) {
      return Optional.of("batch.node.windows amd64");
    } else if (p.equals("canonical") || o.contains("ubuntu")) {
      return ubuntuVersion(s).or(() -> ubuntuVersion(o)).map(v -> "batch.node.ubuntu " + v);
    } else if (o.contains("centos")) {
      return major(s).map(v -> "batch.node.centos " + v);
    } else if (p.matches("almalinux|redhat") || o.contains("almalinux") || o.contains("rhel")) {
      return major(s).filter(v -> v.matches("[89]")).map(v -> "batch.node.el " + v);
    } else if (p.equals("debian") || o.startsWith("debian")) {
      return major(o).or(() -> major(s)).map(v -> "batch.node.debian " + v);
    }
    return Optional.empty();
  }

  /**
   * Whether images of this node agent have apt-get (Debian and Ubuntu); RHEL, AlmaLinux, Rocky,
   * CentOS and Windows images have not.
   */
  static boolean hasApt(String nodeAgentSku) {
    String sku = nodeAgentSku.toLowerCase(Locale.ROOT);
    return sku.startsWith("batch.node.ubuntu ") || sku.startsWith("batch.node.debian ");
  }

  /** A warning for an image whose node agent Azure Batch has retired, or null. */
  static String retirementWarning(String nodeAgentSku) {
    return !RETIRED.matcher(nodeAgentSku).matches()
        ? null
        : """
          Azure Batch has retired the node agent "%s", so pools with this image cannot be created; \
          use a current image such as canonical / 0001-com-ubuntu-server-jammy / 22_04-lts or \
          canonical / ubuntu-24_04-lts / server"""
            .formatted(nodeAgentSku);
  }

  private static Optional<String> ubuntuVersion(String text) {
    Matcher m = UBUNTU_VERSION.matcher(text);
    return (m.find()
            ? Optional.of(m.group(1))
            : UBUNTU_NAMES.entrySet().stream()
                .filter(name -> text.contains(name.getKey()))
                .map(Map.Entry::getValue)
                .findFirst())
        .map(major -> major + ".04");
  }

  private static Optional<String> major(String text) {
    Matcher m = MAJOR.matcher(text);
    return m.find() ? Optional.of(m.group(1)) : Optional.empty();
  }
}

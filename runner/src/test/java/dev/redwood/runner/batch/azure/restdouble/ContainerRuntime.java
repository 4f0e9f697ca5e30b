package dev.redwood.runner.batch.azure.restdouble;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Docker-compatible container runtime of the double's nodes, as strict as the service where a
 * container pool depends on it:
 *
 * <ul>
 *   <li>Pool_Add refuses a {@code containerConfiguration} (400 {@code InvalidPropertyValue}) on a
 *       marketplace image without a container runtime (Canonical Ubuntu, Debian, Red Hat, Windows
 *       Server without {@code -with-containers}): Batch lists only {@code microsoft-dsvm
 *       ubuntu-hpc}, the {@code microsoft-azure-batch *-container*} offers and Windows {@code
 *       *-with-containers*} SKUs as container-capable. Custom images ({@code
 *       virtualMachineImageId}) pass. A registry needs {@code username} and {@code password}, or an
 *       {@code identityReference} to one of the pool's user-assigned identities.
 *   <li>Images are "pulled" from registries: an image in a registry registered with {@link
 *       #addPrivateRegistry} needs a login to it with its user name and password (the task's {@code
 *       containerSettings.registry}, else the pool's {@code containerRegistries}); any other
 *       registry is public. A failed pull is Batch's {@code ContainerInvalidImage} (category
 *       userError, "One or more container images specified are invalid", details {@code
 *       ContainerImage} and {@code Message}): for a task it completes the task without running it
 *       or retrying; for the pool's {@code containerImageNames} (prefetched when a node starts) it
 *       leaves the node {@code unusable}.
 *   <li>A task without {@code containerSettings} on a container pool completes with {@code
 *       ContainerTaskSettingsNotFound}; start and job preparation tasks may run on the node.
 * </ul>
 *
 * Commands still run as host processes (like the double's other tasks); nothing is pulled.
 */
final class ContainerRuntime {
  /** [registry/]repository[:tag][@digest]: the registry is a first part with a dot or a port. */
  private static final Pattern IMAGE =
      Pattern.compile("(?:((?:[^/]*[.:][^/]*)|localhost)/)?([^:@]+)(?::([^@]+))?(?:@(.+))?");

  /** Private registries of the simulated world: server to {user name, password}. */
  private final Map<String, String[]> privateRegistries = new ConcurrentHashMap<>();

  void addPrivateRegistry(String server, String userName, String password) {
    privateRegistries.put(server.toLowerCase(Locale.ROOT), new String[] {userName, password});
  }

  /** The pool's containerConfiguration, or null. */
  static JsonNode configuration(JsonNode poolSpec) {
    JsonNode c = poolSpec.path("virtualMachineConfiguration").get("containerConfiguration");
    return c == null || c.isNull() ? null : c;
  }

  /** Checks a pool's containerConfiguration as Pool_Add does. */
  static void checkPool(ObjectNode spec) throws ApiException {
    JsonNode containers = configuration(spec);
    if (containers == null) {
      return;
    }
    String type = Json.text(containers, "type");
    if (type == null) {
      throw ApiException.missingProperty("type");
    }
    if (!type.equalsIgnoreCase("dockerCompatible") && !type.equalsIgnoreCase("criCompatible")) {
      throw ApiException.invalidProperty("type", "must be dockerCompatible or criCompatible");
    }
    JsonNode image = spec.path("virtualMachineConfiguration").path("imageReference");
    if (Json.text(image, "virtualMachineImageId") == null && !dockerCompatible(image)) {
      throw ApiException.invalidProperty(
          "containerConfiguration",
          "The image "
              + Json.text(image, "publisher")
              + "/"
              + Json.text(image, "offer")
              + "/"
              + Json.text(image, "sku")
              + " does not support containers: it has no DockerCompatible capability");
    }
    for (JsonNode registry : containers.path("containerRegistries")) {
      JsonNode identity = registry.get("identityReference");
      if (identity != null && !identity.isNull()) {
        String id = Json.text(identity, "resourceId");
        if (id == null || !spec.path("identity").path("userAssignedIdentities").has(id)) {
          throw ApiException.invalidProperty(
              "identityReference",
              "the identity is not one of the pool's user-assigned identities");
        }
        continue;
      }
      for (String key : new String[] {"username", "password"}) {
        if (Json.text(registry, key) == null) {
          throw ApiException.missingProperty(key);
        }
      }
    }
  }

  /** Whether the pool's marketplace image has a container runtime (Batch's list). */
  static boolean hasRuntime(JsonNode poolSpec) {
    return dockerCompatible(poolSpec.path("virtualMachineConfiguration").path("imageReference"));
  }

  private static boolean dockerCompatible(JsonNode image) {
    String p = lower(Json.text(image, "publisher"));
    String o = lower(Json.text(image, "offer"));
    String s = lower(Json.text(image, "sku"));
    return p.equals("microsoft-dsvm") && o.equals("ubuntu-hpc")
        || p.equals("microsoft-azure-batch") && o.contains("-container")
        || p.equals("microsoftwindowsserver") && s.contains("-with-containers");
  }

  /**
   * The failureInfo of a task that cannot start in its container on a node of this pool (no
   * containerSettings, or an image it cannot pull), or null when it can (or the pool has no
   * containerConfiguration).
   */
  ObjectNode taskFailure(JsonNode poolSpec, JsonNode taskSpec) {
    JsonNode containers = configuration(poolSpec);
    if (containers == null) {
      return null;
    }
    JsonNode settings = taskSpec.get("containerSettings");
    if (settings == null || settings.isNull()) {
      return BatchEngine.failureInfo(
          "ContainerTaskSettingsNotFound",
          "Container-enabled compute node requires task container settings");
    }
    String image = Json.text(settings, "imageName");
    String error = pullError(image, settings.get("registry"), containers);
    return error == null ? null : invalidImage(image, error);
  }

  /** The errors entry of a node whose prefetch of the pool's images fails, or null. */
  ObjectNode prefetchError(JsonNode poolSpec) {
    JsonNode containers = configuration(poolSpec);
    if (containers == null) {
      return null;
    }
    for (JsonNode name : containers.path("containerImageNames")) {
      String error = pullError(name.asText(), null, containers);
      if (error != null) {
        ObjectNode e = Json.object();
        e.put("code", "ContainerInvalidImage");
        e.put("message", "One or more container images specified are invalid");
        e.putArray("errorDetails")
            .add(detail("ContainerImage", name.asText()))
            .add(detail("Message", error));
        return e;
      }
    }
    return null;
  }

  /** Docker's error for pulling {@code image} with these logins, or null if it pulls. */
  private String pullError(String image, JsonNode taskRegistry, JsonNode containers) {
    Matcher m = image == null ? null : IMAGE.matcher(image);
    if (m == null || !m.matches()) {
      return "invalid reference format";
    }
    String server = m.group(1) == null ? "docker.io" : m.group(1).toLowerCase(Locale.ROOT);
    String[] login = privateRegistries.get(server);
    if (login == null) {
      return null;
    }
    boolean granted = matches(taskRegistry, server, login);
    for (JsonNode registry : containers.path("containerRegistries")) {
      granted |= matches(registry, server, login);
    }
    return granted
        ? null
        : "Error response from daemon: Head \"https://"
            + server
            + "/v2/"
            + m.group(2)
            + "/manifests/"
            + (m.group(3) == null ? "latest" : m.group(3))
            + "\": unauthorized: authentication required";
  }

  private static boolean matches(JsonNode registry, String server, String[] login) {
    if (registry == null || registry.isNull()) {
      return false;
    }
    String given = Json.text(registry, "registryServer");
    given = given == null ? "docker.io" : given.replaceFirst("(?i)^https?://", "");
    return given.replaceFirst("/+$", "").equalsIgnoreCase(server)
        && login[0].equals(Json.text(registry, "username"))
        && login[1].equals(Json.text(registry, "password"));
  }

  private static ObjectNode invalidImage(String image, String error) {
    ObjectNode f =
        BatchEngine.failureInfo(
            "ContainerInvalidImage", "One or more container images specified are invalid");
    f.remove("details");
    f.putArray("details").add(detail("ContainerImage", image)).add(detail("Message", error));
    return f;
  }

  private static ObjectNode detail(String name, String value) {
    ObjectNode d = Json.object();
    d.put("name", name);
    d.put("value", value);
    return d;
  }

  private static String lower(String s) {
    return s == null ? "" : s.toLowerCase(Locale.ROOT);
  }
}

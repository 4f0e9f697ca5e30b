package dev.redwood.runner.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A private container registry and the user name and password Batch logs in with to pull a pool's
 * container image: an entry of the credentials file's {@code "containerRegistries"}. The password
 * goes to Batch only in the pool's {@code containerConfiguration}; its {@link Secret} never prints.
 *
 * @param registryServer the registry's host (and port), e.g. {@code myregistry.azurecr.io}: the
 *     first part of the images it holds
 */
public record RegistryLogin(String registryServer, String userName, Secret password) {

  /** A registry host with an optional port; no scheme, no path. */
  private static final Pattern SERVER =
      Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::[0-9]{1,5})?");

  /** The registry Docker pulls an image from when its name has no registry part. */
  static final String DOCKER_HUB = "docker.io";

  @JsonCreator
  static RegistryLogin fromEntry(
      @JsonProperty("registryServer") String server,
      @JsonProperty("userName") String userName,
      @JsonProperty("password") String password,
      @JsonProperty("identityReference") Object identity) {
    Problem.unless(
        identity == null,
        "identityReference",
        """
        is not supported: Redwood does not yet create pools with a managed identity, so Batch \
        cannot log in to the registry with one. Give {userName} and {password} (for Azure \
        Container Registry: a token or the admin user)""");
    String example = "\"myregistry.azurecr.io\"";
    Problem.unless(
        server != null,
        "registryServer",
        "is missing (the registry's host, such as %s)".formatted(example));
    if (!SERVER.matcher(server).matches()) {
      String problem = "must be a registry host such as %s (no https:// and no path)";
      throw Problem.got("registryServer", problem.formatted(example), server);
    }
    Problem.given("userName", userName, " (the registry's user name)");
    Problem.given("password", password, " (the registry's password or token)");
    return new RegistryLogin(server.toLowerCase(Locale.ROOT), userName, new Secret(password));
  }

  /** The registry an image pulls from: its first part if that is a host, else Docker Hub. */
  public static String serverOf(String image) {
    int slash = image.indexOf('/');
    String first = slash < 0 ? "" : image.substring(0, slash);
    boolean host = first.contains(".") || first.contains(":") || first.equals("localhost");
    return host ? first.toLowerCase(Locale.ROOT) : DOCKER_HUB;
  }
}

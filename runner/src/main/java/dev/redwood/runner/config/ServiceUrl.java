package dev.redwood.runner.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Set;

/**
 * The base URL of an Azure service endpoint (a Batch account, a blob endpoint), checked: http or
 * https with a host and nothing after the path; plain http only to this machine (127.0.0.1,
 * localhost, ::1), where emulators and test doubles listen, since requests carry keys or tokens.
 *
 * @param url the URL without a trailing slash
 * @param host the host name, lowercase
 */
record ServiceUrl(String url, String host) {

  private static final Set<String> LOOPBACK = Set.of("127.0.0.1", "localhost", "[::1]", "::1");

  /**
   * Parses {@code text}, with a path if {@code allowPath} (Azurite's blob endpoint has one); throws
   * {@link IllegalArgumentException} whose message follows the key and does not quote it.
   */
  static ServiceUrl parse(String text, boolean allowPath) {
    String example =
        allowPath ? "mystorage.blob.core.windows.net" : "mybatch.westeurope.batch.azure.com";
    String bad = "must be a URL such as \"https://" + example + "\"";
    Problem.refuse(!text.contains("://"), bad + " (the https:// is missing)");
    URI uri;
    try {
      uri = new URI(text.trim());
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(bad + " (" + e.getReason() + ")");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
    String path = uri.getRawPath() == null ? "" : uri.getRawPath().replaceFirst("/+$", "");
    Problem.refuse(!scheme.equals("https") && !scheme.equals("http"), "must be an https:// URL");
    Problem.refuse(host.isEmpty(), "must be a URL with a host name");
    Problem.refuse(uri.getRawUserInfo() != null, "must not carry a user name or password");
    Problem.refuse(
        uri.getRawQuery() != null || uri.getRawFragment() != null,
        "must not have a query (?...) or fragment (#...): give the base URL only (a SAS token"
            + " belongs in a connection string in the credentials file)");
    Problem.refuse(!path.isEmpty() && !allowPath, "must be the account's base URL, without a path");
    Problem.refuse(
        scheme.equals("http") && !LOOPBACK.contains(host),
        "must use https (plain http is only for an emulator or test double on 127.0.0.1)");
    String port = uri.getPort() < 0 ? "" : ":" + uri.getPort();
    return new ServiceUrl(scheme + "://" + host + port + path, host);
  }

  /** As {@link #parse}, for the value of {@code key}. */
  static ServiceUrl check(String key, String text, boolean allowPath) {
    try {
      return parse(text, allowPath);
    } catch (IllegalArgumentException e) {
      throw Problem.got(key, e.getMessage(), shown(text));
    }
  }

  /** What a message may quote: not a query or fragment (a SAS) nor user info (a password). */
  static String shown(String text) {
    String base = text.split("[?#]", 2)[0];
    return base.contains("@") ? null : base;
  }

  /** Whether the host is an IP address or localhost, which names no account. */
  boolean namesNoAccount() {
    return LOOPBACK.contains(host) || host.startsWith("[") || host.matches("[0-9.]+");
  }

  /** The host's first label: the account name in {@code name.region.batch.azure.com}. */
  String firstLabel() {
    return host.replaceFirst("\\..*", "");
  }

  /** The account a blob endpoint serves: its host's first label, or an emulator's first path. */
  String account() {
    return namesNoAccount()
        ? url.replaceFirst("^[a-z]+://[^/]+/?", "").replaceFirst("/.*", "")
        : firstLabel();
  }

  /** The region in a Batch account URL ({@code name.REGION.batch.azure.com}), or null. */
  String batchRegion() {
    String[] labels = host.split("\\.");
    return labels.length >= 4 && labels[2].equals("batch") ? labels[1] : null;
  }
}

package dev.redwood.runner.config;

import java.util.regex.Pattern;

/**
 * Azure's naming rules for what the configuration names, checked before any request so that a bad
 * name fails at submit time with the key that holds it. Each check returns null for a good name, or
 * the problem phrased to follow the key ("must be ..."); the problem does not quote the value, the
 * caller adds it where the file may show it ({@link Problem#got}).
 */
final class AzureNames {
  private AzureNames() {}

  private static final Pattern BATCH_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  private static final Pattern CONTAINER = Pattern.compile("[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9]))*");
  private static final Pattern ACCOUNT = Pattern.compile("[a-z0-9]{3,24}");
  private static final Pattern VM_SIZE = Pattern.compile("[A-Za-z][A-Za-z0-9_-]*");
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final Pattern GUID =
      Pattern.compile(
          "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  private static final Pattern DOMAIN = Pattern.compile("[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+");

  /** A Batch pool or job id: letters, digits, hyphens, underscores, at most 64 characters. */
  static String batchId(String id) {
    if (BATCH_ID.matcher(id).matches()) {
      return null;
    }
    if (id.isEmpty()) {
      return "must not be empty (Batch ids are 1-64 letters, digits, hyphens or underscores)";
    }
    return "must be a Batch id: 1-64 letters, digits, hyphens or underscores"
        + (id.length() > 64 ? " (" + id.length() + " characters)" : "");
  }

  /**
   * A blob container name: 3-63 lowercase letters, digits and hyphens, starting and ending with a
   * letter or digit, no two hyphens in a row.
   */
  static String blobContainer(String name) {
    if (name.length() >= 3 && name.length() <= 63 && CONTAINER.matcher(name).matches()) {
      return null;
    }
    return "must be a blob container name: 3-63 lowercase letters, digits and single hyphens,"
        + " starting and ending with a letter or digit";
  }

  /** A Batch or storage account name: 3-24 lowercase letters and digits. */
  static String accountName(String name) {
    if (ACCOUNT.matcher(name).matches()) {
      return null;
    }
    return "must be an account name: 3-24 lowercase letters and digits";
  }

  /** A VM size such as {@code Standard_E2s_v3}. */
  static String vmSize(String size) {
    if (VM_SIZE.matcher(size).matches()) {
      return null;
    }
    return "must be an Azure VM size such as \"Standard_E2s_v3\"";
  }

  /** An environment variable name that Batch lets a task set. */
  static String environmentName(String name) {
    if (!ENV_NAME.matcher(name).matches()) {
      return "is not a valid environment variable name (letters, digits, underscores)";
    }
    if (name.toUpperCase(java.util.Locale.ROOT).startsWith("AZ_BATCH")) {
      return "is reserved: Batch sets the AZ_BATCH variables itself";
    }
    return null;
  }

  /** An Entra ID application (client) id: a GUID. */
  static String clientId(String id) {
    if (GUID.matcher(id).matches()) {
      return null;
    }
    return "must be an application (client) id, a GUID such as"
        + " \"00000000-0000-0000-0000-000000000000\""
        + placeholderHint(id);
  }

  /** An Entra ID tenant: a GUID or a domain such as {@code contoso.onmicrosoft.com}. */
  static String tenant(String tenant) {
    if (GUID.matcher(tenant).matches() || DOMAIN.matcher(tenant).matches()) {
      return null;
    }
    return "must be a tenant id (a GUID) or domain (contoso.onmicrosoft.com)"
        + placeholderHint(tenant);
  }

  private static String placeholderHint(String value) {
    return value.toLowerCase(java.util.Locale.ROOT).startsWith("xxxx")
        ? " (still the template's placeholder?)"
        : "";
  }
}

package dev.redwood.runner.config;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Azure's naming rules for what the configuration names, checked before any request so that a bad
 * name fails at submit time with the key that holds it. A problem is phrased to follow the key
 * ("must be ..."); the value is quoted only where the file may show it ({@link Problem#got}).
 */
enum AzureNames {
  BATCH_ID(
      "[A-Za-z0-9_-]{1,64}", "must be a Batch id: 1-64 letters, digits, hyphens or underscores"),
  BLOB_CONTAINER(
      "(?=.{3,63}$)[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9]))*",
      "must be a blob container"
          + " name: 3-63 lowercase letters, digits and single hyphens, starting and ending with a"
          + " letter or digit"),
  ACCOUNT("[a-z0-9]{3,24}", "must be an account name: 3-24 lowercase letters and digits"),
  VM_SIZE("[A-Za-z][A-Za-z0-9_-]*", "must be an Azure VM size such as \"Standard_E2s_v3\""),
  ENVIRONMENT_VARIABLE(
      "(?i)(?!az_batch)[a-z_][a-z0-9_]*",
      "is not a valid environment variable name (letters, digits, underscores)"),
  CLIENT_ID(
      "[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}",
      "must be an application (client)"
          + " id, a GUID such as \"00000000-0000-0000-0000-000000000000\""),
  TENANT(
      "[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}|[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+",
      "must be a tenant id (a GUID) or domain (contoso.onmicrosoft.com)");

  private final Pattern pattern;
  private final String message;

  AzureNames(String pattern, String message) {
    this.pattern = Pattern.compile(pattern);
    this.message = message;
  }

  /** What is wrong with {@code name}, or null. */
  String problem(String name) {
    if (pattern.matcher(name).matches()) {
      return null;
    }
    return switch (this) {
      case BATCH_ID ->
          name.isEmpty()
              ? "must not be empty (Batch ids are 1-64 letters, digits, hyphens or underscores)"
              : message + (name.length() > 64 ? " (" + name.length() + " characters)" : "");
      case ENVIRONMENT_VARIABLE ->
          name.matches("(?i)az_batch\\w*")
              ? "is reserved: Batch sets the AZ_BATCH variables itself"
              : message;
      case CLIENT_ID, TENANT ->
          message
              + (name.toLowerCase(Locale.ROOT).startsWith("xxxx")
                  ? " (still the template's placeholder?)"
                  : "");
      default -> message;
    };
  }

  /** Throws what is wrong with {@code name}, the value of {@code key}, if anything. */
  void check(String key, String name) {
    String problem = problem(name);
    if (problem != null) {
      throw Problem.got(key, problem, name);
    }
  }
}

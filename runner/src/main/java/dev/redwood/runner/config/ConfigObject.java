package dev.redwood.runner.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * One JSON object inside a configuration file, with typed getters whose errors name the file and
 * the key's path ({@code pools[1].dedicatedNodes}) and quote the bad value, except for secret keys
 * and in a file that holds secrets (the credentials file), where a secret pasted under the wrong
 * key would otherwise be shown. A JSON {@code null} counts as an absent key.
 *
 * <p>Two number styles: AzureClusterlessHPC's flat keys hold numbers as strings ({@code "4"}, a
 * bare {@code 4} is accepted too), Redwood's structured keys hold JSON numbers.
 */
final class ConfigObject {
  private static final Pattern WHOLE_NUMBER = Pattern.compile("[+-]?\\d{1,9}");

  private final ConfigFile file;
  private final String path;
  private final JsonNode node;
  private final Set<String> secretKeys;

  private ConfigObject(ConfigFile file, String path, JsonNode node, Set<String> secretKeys) {
    this.file = file;
    this.path = path;
    this.node = node;
    this.secretKeys = secretKeys;
  }

  /**
   * Views {@code node}, found at {@code path} in {@code file} ("" for the top level), as an object;
   * {@code what} says what the object is for the error when it is not one.
   */
  static ConfigObject of(
      ConfigFile file, String path, JsonNode node, Set<String> secretKeys, String what) {
    if (!node.isObject()) {
      throw new AzureConfigException(
          file.name(),
          path.isEmpty() ? null : path,
          "must be a JSON object (" + what + "), got " + describe(node, file.holdsSecrets()));
    }
    return new ConfigObject(file, path, node, secretKeys);
  }

  ConfigFile file() {
    return file;
  }

  /** This object's own path in the file ("" at the top level). */
  String path() {
    return path;
  }

  /** The path of {@code key} in this object. */
  String at(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  AzureConfigException fail(String key, String problem) {
    return new AzureConfigException(file.name(), at(key), problem);
  }

  /** An error about this object as a whole. */
  AzureConfigException failHere(String problem) {
    return new AzureConfigException(file.name(), path.isEmpty() ? null : path, problem);
  }

  boolean has(String key) {
    JsonNode value = node.get(key);
    return value != null && !value.isNull();
  }

  List<String> keys() {
    List<String> keys = new ArrayList<>();
    node.fieldNames().forEachRemaining(keys::add);
    return keys;
  }

  boolean isEmpty() {
    return node.isEmpty();
  }

  /**
   * Rejects keys outside {@code known} and {@code ignored}; reports the {@code ignored} keys that
   * are present in one warning that names them. {@code misplaced} may explain where an unknown key
   * belongs instead (or return null).
   */
  void checkKeys(
      Collection<String> known,
      Collection<String> ignored,
      String ignoredReason,
      Consumer<String> warnings,
      Function<String, String> misplaced) {
    Set<String> ignoredHere = new TreeSet<>();
    for (String key : keys()) {
      if (known.contains(key)) {
        continue;
      }
      if (ignored.contains(key)) {
        ignoredHere.add(key);
        continue;
      }
      String elsewhere = misplaced.apply(key);
      if (elsewhere != null) {
        throw fail(key, elsewhere);
      }
      String hint = DidYouMean.hint(key, known);
      if (hint.isEmpty() && known.size() <= 12) {
        hint = "; known keys here: " + String.join(", ", known);
      }
      throw fail(key, "is not a known key" + hint);
    }
    if (!ignoredHere.isEmpty()) {
      warnings.accept(
          file.name()
              + ": "
              + (path.isEmpty() ? "" : path + ": ")
              + "ignoring "
              + String.join(", ", ignoredHere)
              + " ("
              + ignoredReason
              + ")");
    }
  }

  Optional<String> string(String key) {
    JsonNode value = node.get(key);
    if (value == null || value.isNull()) {
      return Optional.empty();
    }
    if (!value.isTextual()) {
      throw fail(key, "must be a string, got " + describe(key, value));
    }
    return Optional.of(value.textValue());
  }

  String requiredString(String key, String why) {
    return string(key).orElseThrow(() -> fail(key, "is missing" + why));
  }

  /** An AzureClusterlessHPC-style number: a string such as {@code "4"} (or a bare integer). */
  Optional<Integer> flatWholeNumber(String key, int min) {
    JsonNode value = node.get(key);
    if (value == null || value.isNull()) {
      return Optional.empty();
    }
    Integer n = null;
    if (value.isTextual() && WHOLE_NUMBER.matcher(value.textValue().trim()).matches()) {
      n = Integer.parseInt(value.textValue().trim());
    } else if (value.isIntegralNumber() && value.canConvertToInt()) {
      n = value.intValue();
    }
    if (n == null || n < min) {
      throw fail(key, "must be a whole number >= " + min + ", got " + describe(key, value));
    }
    return Optional.of(n);
  }

  /** A structured-form number: a JSON integer from {@code min} to {@code max}. */
  Optional<Integer> wholeNumber(String key, int min, int max) {
    JsonNode value = node.get(key);
    if (value == null || value.isNull()) {
      return Optional.empty();
    }
    String range = max == Integer.MAX_VALUE ? ">= " + min : "from " + min + " to " + max;
    if (value.isIntegralNumber() && value.canConvertToInt()) {
      int n = value.intValue();
      if (n >= min && n <= max) {
        return Optional.of(n);
      }
    }
    String quotes =
        value.isTextual() && WHOLE_NUMBER.matcher(value.textValue().trim()).matches()
            ? " (write the number without quotes)"
            : "";
    throw fail(key, "must be a whole number " + range + ", got " + describe(key, value) + quotes);
  }

  /** An AzureClusterlessHPC-style flag: {@code "0"} or {@code "1"} ({@code "true"}, ...). */
  Optional<Boolean> flatFlag(String key) {
    JsonNode value = node.get(key);
    if (value == null || value.isNull()) {
      return Optional.empty();
    }
    if (value.isBoolean()) {
      return Optional.of(value.booleanValue());
    }
    if (value.isTextual()) {
      switch (value.textValue().trim().toLowerCase(java.util.Locale.ROOT)) {
        case "0", "false":
          return Optional.of(false);
        case "1", "true":
          return Optional.of(true);
        default:
          break;
      }
    }
    if (value.isIntegralNumber() && (value.intValue() == 0 || value.intValue() == 1)) {
      return Optional.of(value.intValue() == 1);
    }
    throw fail(key, "must be \"0\" or \"1\", got " + describe(key, value));
  }

  /** A structured-form flag: JSON {@code true} or {@code false}. */
  Optional<Boolean> flag(String key) {
    JsonNode value = node.get(key);
    if (value == null || value.isNull()) {
      return Optional.empty();
    }
    if (value.isBoolean()) {
      return Optional.of(value.booleanValue());
    }
    throw fail(key, "must be true or false, got " + describe(key, value));
  }

  /** A secret string; errors about it never show its value. */
  Optional<Secret> secret(String key) {
    JsonNode value = node.get(key);
    if (value == null || value.isNull()) {
      return Optional.empty();
    }
    if (!value.isTextual()) {
      throw fail(key, "must be a string, got " + describe(value, true));
    }
    if (value.textValue().isBlank()) {
      throw fail(key, "is empty");
    }
    return Optional.of(new Secret(value.textValue()));
  }

  Optional<ConfigObject> object(String key, Set<String> secrets, String what) {
    JsonNode value = node.get(key);
    if (value == null || value.isNull()) {
      return Optional.empty();
    }
    return Optional.of(of(file, at(key), value, secrets, what));
  }

  /** An array of objects; each element's path is {@code key[i]}. */
  Optional<List<ConfigObject>> objects(String key, Set<String> secrets, String what) {
    JsonNode value = node.get(key);
    if (value == null || value.isNull()) {
      return Optional.empty();
    }
    if (!value.isArray()) {
      throw fail(
          key, "must be a JSON array of objects (" + what + "), got " + describe(key, value));
    }
    List<ConfigObject> objects = new ArrayList<>();
    for (int i = 0; i < value.size(); i++) {
      objects.add(of(file, at(key) + "[" + i + "]", value.get(i), secrets, what));
    }
    return Optional.of(objects);
  }

  /** An object whose values are all strings, in file order. */
  Optional<Map<String, String>> stringMap(String key) {
    JsonNode value = node.get(key);
    if (value == null || value.isNull()) {
      return Optional.empty();
    }
    if (!value.isObject()) {
      throw fail(key, "must be a JSON object of strings, got " + describe(key, value));
    }
    Map<String, String> map = new LinkedHashMap<>();
    Iterator<Map.Entry<String, JsonNode>> fields = value.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      if (!field.getValue().isTextual()) {
        throw new AzureConfigException(
            file.name(),
            at(key) + "." + field.getKey(),
            "must be a string, got " + describe(field.getValue(), file.holdsSecrets()));
      }
      map.put(field.getKey(), field.getValue().textValue());
    }
    return Optional.of(map);
  }

  private String describe(String key, JsonNode value) {
    return describe(value, hides(key));
  }

  /** Whether errors about {@code key} must not show its value. */
  private boolean hides(String key) {
    return file.holdsSecrets() || secretKeys.contains(key);
  }

  /**
   * {@code , got "value"} to end an error about {@code key}, or nothing where the value must not be
   * shown.
   */
  String got(String key, String value) {
    return hides(key) ? "" : ", got " + quote(value);
  }

  /** As {@link #got}, for a URL: never its query, fragment or user info. */
  String gotUrl(String key, String url) {
    String shown = ServiceUrl.shown(url);
    return shown == null ? "" : got(key, shown);
  }

  /** The value as an error shows it: quoted if a string, or only its type if secret. */
  static String describe(JsonNode value, boolean secret) {
    String kind;
    if (value.isTextual()) {
      kind = "a string";
    } else if (value.isNumber()) {
      kind = "a number";
    } else if (value.isBoolean()) {
      kind = "a boolean";
    } else if (value.isArray()) {
      return "an array";
    } else if (value.isObject()) {
      return "an object";
    } else {
      return "null";
    }
    if (secret) {
      return kind + " (value not shown)";
    }
    if (value.isTextual()) {
      return quote(value.textValue());
    }
    return value.toString();
  }

  /** A string in double quotes, shortened if long, with control characters escaped. */
  static String quote(String s) {
    String shown = s.length() > 80 ? s.substring(0, 77) + "..." : s;
    StringBuilder out = new StringBuilder("\"");
    for (char c : shown.toCharArray()) {
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.append('"').toString();
  }
}

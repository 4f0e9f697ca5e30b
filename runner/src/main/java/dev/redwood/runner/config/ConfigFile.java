package dev.redwood.runner.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.Version;
import com.fasterxml.jackson.core.json.PackageVersion;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.type.LogicalType;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One JSON configuration file, parsed, and bound by Jackson to the configuration's records. Every
 * error becomes an {@link AzureConfigException} that names the file and the key as the user wrote
 * it (invalid JSON with line and column; an unknown key; a wrong type; a {@link Problem} a record
 * found). In a file that holds secrets no error quotes a value or the text JSON stumbled on.
 *
 * @param aliases the key paths the user wrote, by the paths they were moved to: by the adapter from
 *     AzureClusterlessHPC's flat keys, or when a pool inherits a setting
 */
record ConfigFile(String name, JsonNode root, boolean holdsSecrets, Map<String, String> aliases) {
  private static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
          // JSON types taken at their word: no "4" for 4, no 4 for "4", no "true" for true.
          .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
          .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
          .withCoercionConfig(
              LogicalType.Textual,
              c ->
                  c.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                      .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                      .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
          .build();

  /** Another key of the checked object, named in a {@link Problem}'s message. */
  private static final Pattern OTHER_KEY = Pattern.compile("\\{(\\w+)}");

  static ConfigFile read(Path path, boolean holdsSecrets) {
    String name = path.toString();
    ConfigFile file = new ConfigFile(name, null, holdsSecrets, new HashMap<>());
    file.require(!Files.isDirectory(path), "", "is a directory, not a JSON file");
    try (JsonParser parser = MAPPER.createParser(Files.readAllBytes(path))) {
      JsonNode root = MAPPER.readTree(parser);
      boolean empty = root == null || root.isMissingNode();
      file.require(!empty, "", "is empty; it must hold a JSON object");
      return new ConfigFile(name, root, holdsSecrets, file.aliases);
    } catch (NoSuchFileException e) {
      throw file.fail("", "no such file (looked for " + path.toAbsolutePath() + ")");
    } catch (AccessDeniedException e) {
      throw new AzureConfigException(name, null, "cannot be read: permission denied");
    } catch (JsonProcessingException e) {
      throw new AzureConfigException(name, null, syntaxError(e, holdsSecrets));
    } catch (IOException e) {
      throw new AzureConfigException(name, null, "cannot be read: " + e);
    }
  }

  static ObjectNode tree(Object value) {
    return MAPPER.valueToTree(value);
  }

  /** The JSON keys of {@code type}, in declaration order. */
  static List<String> keys(Class<?> type) {
    var bean = MAPPER.getDeserializationConfig().introspect(MAPPER.constructType(type));
    return bean.findProperties().stream().map(BeanPropertyDefinition::getName).toList();
  }

  static String join(String path, String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  /** The keys of a JSON object (none for another value), to loop over. */
  static Iterable<String> fieldNames(JsonNode node) {
    return node::fieldNames;
  }

  /** A warning about this file. */
  String warning(String text) {
    return name + ": " + text;
  }

  /** Errors about {@code path} name {@code userPath} instead. */
  void alias(String path, String userPath) {
    if (!path.equals(userPath)) {
      aliases.put(path, userPath);
    }
  }

  /** Errors about {@code path}, or a key under it in {@code value}, name it under {@code from}. */
  void aliasAll(String path, String from, JsonNode value) {
    alias(path, from);
    value.fieldNames().forEachRemaining(k -> aliasAll(join(path, k), join(from, k), value.get(k)));
  }

  String resolve(String path) {
    while (aliases.containsKey(path)) {
      path = aliases.get(path);
    }
    return path;
  }

  /** The last key of {@code path} as the user wrote it. */
  String lastKey(String path) {
    String written = resolve(path);
    return written.substring(written.lastIndexOf('.') + 1);
  }

  <T> T bind(JsonNode node, String path, Class<T> type) {
    try {
      return MAPPER.treeToValue(node, type);
    } catch (Problem p) {
      throw fail(path, p);
    } catch (JsonMappingException e) {
      JsonNode value = node;
      for (JsonMappingException.Reference r : e.getPath()) {
        boolean index = r.getIndex() >= 0;
        path = index ? path + "[" + r.getIndex() + "]" : join(path, r.getFieldName());
        value = index ? value.path(r.getIndex()) : value.path(r.getFieldName());
      }
      throw translate(e, path, value);
    } catch (JsonProcessingException e) {
      throw fail("", cannotRead(e));
    }
  }

  /** Jackson's message, which may quote a value. */
  private String cannotRead(JsonProcessingException e) {
    return "cannot be read: "
        + (holdsSecrets ? "(not shown: this file holds secrets)" : e.getOriginalMessage());
  }

  private AzureConfigException translate(JsonMappingException e, String path, JsonNode value) {
    if (e instanceof UnrecognizedPropertyException u) {
      String key = u.getPropertyName();
      String parent = path.substring(0, Math.max(0, path.length() - key.length() - 1));
      List<String> known = u.getKnownPropertyIds().stream().map(String::valueOf).toList();
      return unknownKey(parent, key, known);
    }
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof Problem p) {
        return fail(path, p);
      }
    }
    Class<?> type = e instanceof MismatchedInputException m ? m.getTargetType() : null;
    if (type == null) {
      return fail(path, cannotRead(e));
    }
    // Whole numbers are >= 0 unless their record says more; "4" is likely meant as 4.
    String expected =
        type == String.class
            ? "a string"
            : type == Boolean.class || type == boolean.class
                ? "true or false"
                : type == Integer.class || type == int.class
                    ? "a whole number >= 0"
                    : Collection.class.isAssignableFrom(type)
                        ? "a JSON array of objects"
                        : "a JSON object";
    boolean quoted = value.isTextual() && value.asText().trim().matches("[+-]?\\d+");
    return fail(
        path,
        Problem.ofJson(
            "must be " + expected,
            value,
            quoted && expected.startsWith("a whole") ? " (write the number without quotes)" : ""));
  }

  void require(boolean ok, String path, String problem) {
    if (!ok) {
      throw fail(path, problem);
    }
  }

  /** Fails with {@code problem} about {@code path}, if there is one. */
  void check(String path, String problem) {
    require(problem == null, path, problem);
  }

  /** The string under {@code key} in the object at {@code path}, or null when not given. */
  String string(JsonNode object, String path, String key) {
    JsonNode value = object.get(key);
    return value == null || value.isNull() ? null : bind(value, join(path, key), String.class);
  }

  AzureConfigException fail(String path, String problem) {
    String key = resolve(path);
    return new AzureConfigException(name, key.isEmpty() ? null : key, problem);
  }

  /** {@code problem}, found in the object at {@code path}, as an error of this file. */
  AzureConfigException fail(String path, Problem problem) {
    String message =
        OTHER_KEY
            .matcher(problem.getMessage())
            .replaceAll(k -> Matcher.quoteReplacement(lastKey(join(path, k.group(1)))));
    String value = holdsSecrets ? problem.hidden : problem.shown;
    String at = problem.key == null ? path : join(path, problem.key);
    return fail(at, message + (value == null ? "" : ", got " + value) + problem.after);
  }

  /** An error for {@code key} in the object at {@code path}, which knows the keys {@code known}. */
  AzureConfigException unknownKey(String path, String key, Collection<String> known) {
    String problem = ClusterlessHpcKeys.misplaced(this, path, key, known);
    if (problem == null) {
      List<String> candidates = new ArrayList<>(known);
      candidates.addAll(ClusterlessHpcKeys.flatKeys(this, path));
      problem = "is not a known key" + DidYouMean.hint(key, candidates);
    }
    return fail(join(path, key), problem);
  }

  private static String syntaxError(JsonProcessingException e, boolean holdsSecrets) {
    JsonLocation where = e.getLocation();
    String detail = String.valueOf(e.getOriginalMessage()).lines().findFirst().orElse("");
    // Jackson before 2.17 (Beam 2.70 brings 2.15) reports an unexpected character one column past
    // it. (Not Version.compareTo, which compares the group ids first.)
    Version jackson = PackageVersion.VERSION;
    boolean onePast =
        jackson.getMajorVersion() == 2
            && jackson.getMinorVersion() < 17
            && detail.startsWith("Unexpected character");
    String at =
        where == null
            ? ""
            : " at line %d, column %d"
                .formatted(where.getLineNr(), where.getColumnNr() - (onePast ? 1 : 0));
    if (detail.startsWith("Duplicate field")) {
      return "has a key twice%s: %s (each key may appear once)".formatted(at, detail);
    }
    // Jackson quotes the offending token, which in a credentials file may be (part of) a secret.
    String hidden = "the text there is not shown because this file holds secrets";
    return "is not valid JSON" + at + ": " + (holdsSecrets ? hidden : detail);
  }
}

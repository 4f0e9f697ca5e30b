package dev.redwood.runner.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.Version;
import com.fasterxml.jackson.core.json.PackageVersion;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * One JSON configuration file, parsed, with errors that name it: missing, a directory, unreadable,
 * empty, or not valid JSON (with line and column). Duplicate keys and anything after the top-level
 * value are errors too. For a file that holds secrets, a JSON syntax error does not quote the text
 * it stumbled on, which could be part of a key.
 *
 * @param name the file as the user named it; every error message starts with it
 * @param root the top-level JSON value
 * @param holdsSecrets whether the file holds secrets (a credentials file)
 */
record ConfigFile(String name, JsonNode root, boolean holdsSecrets) {

  private static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
          .build();

  /** Reads and parses {@code path}; throws {@link AzureConfigException} naming the file. */
  static ConfigFile read(Path path, boolean holdsSecrets) {
    String name = path.toString();
    if (Files.isDirectory(path)) {
      throw new AzureConfigException(name, null, "is a directory, not a JSON file");
    }
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(path);
    } catch (NoSuchFileException e) {
      throw new AzureConfigException(
          name, null, "no such file (looked for " + path.toAbsolutePath() + ")");
    } catch (AccessDeniedException e) {
      throw new AzureConfigException(name, null, "cannot be read: permission denied");
    } catch (IOException e) {
      throw new AzureConfigException(name, null, "cannot be read: " + e);
    }
    return parse(name, bytes, holdsSecrets);
  }

  /** Parses JSON text that came from the file {@code name}. */
  static ConfigFile parse(String name, byte[] bytes, boolean holdsSecrets) {
    JsonNode root;
    try (JsonParser parser = MAPPER.createParser(bytes)) {
      root = MAPPER.readTree(parser);
    } catch (JsonProcessingException e) {
      throw new AzureConfigException(name, null, syntaxError(e, holdsSecrets));
    } catch (IOException e) {
      throw new AzureConfigException(name, null, "cannot be read: " + e);
    }
    if (root == null || root.isMissingNode()) {
      throw new AzureConfigException(name, null, "is empty; it must hold a JSON object");
    }
    return new ConfigFile(name, root, holdsSecrets);
  }

  private static String syntaxError(JsonProcessingException e, boolean holdsSecrets) {
    JsonLocation where = e.getLocation();
    String detail = firstLine(e.getOriginalMessage());
    String at =
        where == null ? "" : " at line " + where.getLineNr() + ", column " + column(where, detail);
    if (detail.startsWith("Duplicate field")) {
      return "has a key twice" + at + ": " + detail + " (each key may appear once)";
    }
    if (holdsSecrets) {
      // Jackson quotes the offending token, which in this file may be (part of) a secret.
      detail = "the text there is not shown because this file holds secrets";
    }
    return "is not valid JSON" + at + ": " + detail;
  }

  /**
   * The column of the offending character. Jackson before 2.17 (Beam 2.70 brings 2.15) reports
   * an unexpected character one column past it.
   */
  private static int column(JsonLocation where, String detail) {
    Version jackson = PackageVersion.VERSION;
    boolean before217 = jackson.getMajorVersion() == 2 && jackson.getMinorVersion() < 17;
    boolean onePast = before217 && detail.startsWith("Unexpected character");
    return onePast ? where.getColumnNr() - 1 : where.getColumnNr();
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "syntax error";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}

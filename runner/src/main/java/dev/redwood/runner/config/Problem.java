package dev.redwood.runner.config;

import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * What is wrong with a value, found where the value is checked (mostly a record's constructor)
 * before it is known which file and key hold it: {@link ConfigFile} adds those. The message may
 * name the checked object's other keys as {@code {key}}, which become the names the file uses; the
 * value is shown only where the file may show it.
 */
final class Problem extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The key, relative to the checked object, or null for the checked value itself. */
  final String key;

  /** The value as a message may quote it, or null; and what to say where values are hidden. */
  final String shown;

  final String hidden;

  /** Text that follows the value. */
  final String after;

  private Problem(String key, String message, String shown, String hidden, String after) {
    super(message, null, false, false);
    this.key = key;
    this.shown = shown;
    this.hidden = hidden;
    this.after = after;
  }

  Problem(String key, String message) {
    this(key, message, null, null, "");
  }

  /** Throws {@code problem} as an IllegalArgumentException, for a caller that adds the key. */
  static void refuse(boolean bad, String problem) {
    if (bad) {
      throw new IllegalArgumentException(problem);
    }
  }

  /** Throws the problem {@code message} about {@code key} unless {@code ok}. */
  static void unless(boolean ok, String key, String message) {
    if (!ok) {
      throw new Problem(key, message);
    }
  }

  /** {@code value}, which must be given ({@code missing} follows "is missing") and not blank. */
  static String given(String key, String value, String missing) {
    unless(value != null, key, "is missing" + missing);
    unless(!value.isBlank(), key, "is empty");
    return value;
  }

  /** Throws the problem with {@code n}, the value of {@code key}, unless it is in bounds. */
  static void whole(String key, int n, int min, int max) {
    if (n < min || n > max) {
      String range = max == Integer.MAX_VALUE ? ">= " + min : "from " + min + " to " + max;
      throw new Problem(key, "must be a whole number " + range, "" + n, "a number", "");
    }
  }

  /** A problem with {@code value} (null for none), which a message may quote. */
  static Problem got(String key, String message, String value) {
    return new Problem(key, message, value == null ? null : quote(value), null, "");
  }

  /** A JSON value that is not what {@code message} says; its kind is named even where hidden. */
  static Problem ofJson(String message, JsonNode value, String after) {
    JsonToken token = value.asToken();
    String text = value.asText();
    String kind =
        token.isNumeric()
            ? "a number"
            : token.isBoolean()
                ? "a boolean"
                : token == JsonToken.VALUE_STRING
                    ? "a string"
                    : token == JsonToken.START_ARRAY
                        ? "an array"
                        : token == JsonToken.START_OBJECT ? "an object" : "null";
    boolean scalar = token.isScalarValue();
    String shown = token == JsonToken.VALUE_STRING ? quote(text) : scalar ? text : kind;
    return new Problem(null, message, shown, scalar ? kind + " (value not shown)" : kind, after);
  }

  /** A string in double quotes, shortened if long, with control characters escaped. */
  static String quote(String s) {
    s = String.valueOf(s);
    StringBuilder out = new StringBuilder("\"");
    for (char c : (s.length() > 80 ? s.substring(0, 77) + "..." : s).toCharArray()) {
      boolean escape = c == '"' || c == '\\';
      out.append(escape ? "\\" + c : c < 0x20 ? String.format("\\u%04x", (int) c) : c);
    }
    return out.append('"').toString();
  }
}

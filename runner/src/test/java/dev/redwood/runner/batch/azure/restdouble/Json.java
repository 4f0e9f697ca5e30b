package dev.redwood.runner.batch.azure.restdouble;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Locale;

/** JSON and time formats of the Batch REST API. */
final class Json {
  private Json() {}

  static final ObjectMapper MAPPER = new ObjectMapper();

  /** RFC 1123 with a two-digit day, as the SDK's {@code DateTimeRfc1123} parses it. */
  static final DateTimeFormatter RFC_1123 =
      DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US)
          .withZone(ZoneOffset.UTC);

  static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  static ArrayNode array() {
    return MAPPER.createArrayNode();
  }

  /** ISO-8601 UTC with milliseconds, e.g. {@code 2024-05-01T10:00:00.123Z}. */
  static String iso(Instant t) {
    return DateTimeFormatter.ISO_INSTANT.format(t.truncatedTo(ChronoUnit.MILLIS));
  }

  static String rfc1123(Instant t) {
    return RFC_1123.format(t);
  }

  /** Parses an RFC 1123 date (one- or two-digit day); null when it is not one. */
  static Instant parseRfc1123(String s) {
    try {
      return Instant.from(DateTimeFormatter.RFC_1123_DATE_TIME.parse(s.trim()));
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  static JsonNode parse(byte[] body) throws ApiException {
    if (body.length == 0) {
      return MAPPER.nullNode();
    }
    try {
      return MAPPER.readTree(body);
    } catch (IOException e) {
      throw ApiException.badRequest(
          "InvalidRequestBody", "The specified Request Body is not syntactically valid.");
    }
  }

  static ObjectNode parseObject(byte[] body) throws ApiException {
    JsonNode n = parse(body);
    if (!n.isObject()) {
      throw ApiException.badRequest(
          "InvalidRequestBody", "The specified Request Body is not syntactically valid.");
    }
    return (ObjectNode) n;
  }

  static byte[] bytes(JsonNode n) {
    try {
      return MAPPER.writeValueAsBytes(n);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The text of a field, or null when absent or JSON null. */
  static String text(JsonNode n, String field) {
    JsonNode v = n == null ? null : n.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  static Integer integer(JsonNode n, String field) {
    JsonNode v = n == null ? null : n.get(field);
    return v == null || v.isNull() ? null : v.asInt();
  }

  static Boolean bool(JsonNode n, String field) {
    JsonNode v = n == null ? null : n.get(field);
    return v == null || v.isNull() ? null : v.asBoolean();
  }

  /** A required string property of a request body. */
  static String required(JsonNode n, String field) throws ApiException {
    String v = text(n, field);
    if (v == null || v.isEmpty()) {
      throw ApiException.missingProperty(field);
    }
    return v;
  }
}

package dev.redwood.runner.batch.azure.restdouble;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * OData {@code $filter} as the Batch service accepts it on lists: each list operation has its own
 * table of properties and the operators allowed on each ({@link #SERVICE_ACCEPTS}, from Microsoft's
 * "OData filters in Azure Batch" reference), combined with {@code and}, {@code or} and parentheses.
 * A comparison is {@code property op literal} ({@code 'text'}, numbers, {@code true}/{@code false},
 * {@code datetime'...'}) with a literal of the property's type, or {@code startswith(property,
 * 'text')} where the table allows it. Anything else ({@code not}, other functions, properties the
 * table does not list, a disallowed operator) is refused with {@link IllegalArgumentException},
 * which the double answers with 400 {@code InvalidQueryParameterValue}. Text compares
 * case-insensitively (the service's enum values are not consistently cased); a missing property
 * compares false except with {@code ne}.
 */
final class ODataFilter {
  private ODataFilter() {}

  /** The type of a filterable property: which literal it is compared with. */
  enum Type {
    STRING,
    INT,
    DATETIME,
    BOOLEAN
  }

  /** A filterable property of one list: its JSON path, type and allowed operators. */
  record Property(String jsonPath, Type type, Set<String> ops) {}

  /** The list operations that take a {@code $filter}, each with its own property table. */
  enum Listing {
    POOLS,
    NODES,
    JOBS,
    TASKS,
    FILES,
    JOB_PREPARATION_STATUS
  }

  private static final Set<String> EQ = Set.of("eq");
  private static final Set<String> EQ_NE = Set.of("eq", "ne");
  private static final Set<String> ORDERED = Set.of("eq", "ne", "ge", "gt", "le", "lt");
  private static final Set<String> ORDERED_AND_PREFIX =
      Set.of("startswith", "eq", "ne", "ge", "gt", "le", "lt");

  /**
   * What the service accepts per list (REST reference "OData filters in Azure Batch"): filter name
   * to property. The task table names {@code lastModifiedTime}, which filters the task's {@code
   * lastModified}.
   */
  static final Map<Listing, Map<String, Property>> SERVICE_ACCEPTS =
      Map.of(
          Listing.POOLS,
          table(
              "id",
              Type.STRING,
              ORDERED_AND_PREFIX,
              "state",
              Type.STRING,
              EQ_NE,
              "stateTransitionTime",
              Type.DATETIME,
              ORDERED,
              "allocationState",
              Type.STRING,
              EQ,
              "allocationStateTransitionTime",
              Type.DATETIME,
              ORDERED,
              "creationTime",
              Type.DATETIME,
              ORDERED,
              "enableAutoScale",
              Type.BOOLEAN,
              EQ_NE,
              "lastModified",
              Type.DATETIME,
              ORDERED,
              "vmSize",
              Type.STRING,
              EQ_NE,
              "enableInterNodeCommunication",
              Type.BOOLEAN,
              EQ_NE),
          Listing.NODES,
          table(
              "state",
              Type.STRING,
              EQ_NE,
              "stateTransitionTime",
              Type.DATETIME,
              ORDERED,
              "lastBootTime",
              Type.DATETIME,
              ORDERED,
              "allocationTime",
              Type.DATETIME,
              ORDERED,
              "startTaskInfo/state",
              Type.STRING,
              EQ,
              "startTaskInfo/result",
              Type.STRING,
              EQ_NE,
              "startTaskInfo/exitCode",
              Type.INT,
              ORDERED,
              "startTaskInfo/startTime",
              Type.DATETIME,
              ORDERED,
              "startTaskInfo/endTime",
              Type.DATETIME,
              ORDERED),
          Listing.JOBS,
          table(
              "id",
              Type.STRING,
              ORDERED_AND_PREFIX,
              "state",
              Type.STRING,
              EQ_NE,
              "stateTransitionTime",
              Type.DATETIME,
              ORDERED,
              "creationTime",
              Type.DATETIME,
              ORDERED,
              "lastModified",
              Type.DATETIME,
              ORDERED,
              "executionInfo/startTime",
              Type.DATETIME,
              ORDERED,
              "executionInfo/endTime",
              Type.DATETIME,
              ORDERED,
              "executionInfo/poolId",
              Type.STRING,
              ORDERED_AND_PREFIX),
          Listing.TASKS,
          table(
              "id",
              Type.STRING,
              ORDERED_AND_PREFIX,
              "state",
              Type.STRING,
              EQ_NE,
              "stateTransitionTime",
              Type.DATETIME,
              ORDERED,
              "creationTime",
              Type.DATETIME,
              ORDERED,
              "lastModifiedTime",
              Type.DATETIME,
              ORDERED,
              "executionInfo/startTime",
              Type.DATETIME,
              ORDERED,
              "executionInfo/endTime",
              Type.DATETIME,
              ORDERED,
              "executionInfo/exitCode",
              Type.INT,
              ORDERED,
              "executionInfo/result",
              Type.STRING,
              EQ_NE),
          Listing.FILES,
          table("name", Type.STRING, Set.of("startswith")),
          Listing.JOB_PREPARATION_STATUS,
          preparationTable());

  /** The job preparation and release status list: the same rows for either task. */
  private static Map<String, Property> preparationTable() {
    List<Object> rows = new ArrayList<>(List.of("poolId", Type.STRING, EQ_NE));
    rows.addAll(List.of("nodeId", Type.STRING, EQ_NE));
    for (String task : List.of("jobPreparationTaskExecutionInfo", "jobReleaseTaskExecutionInfo")) {
      rows.addAll(List.of(task + "/state", Type.STRING, EQ_NE));
      rows.addAll(List.of(task + "/startTime", Type.DATETIME, ORDERED));
      rows.addAll(List.of(task + "/endTime", Type.DATETIME, ORDERED));
      rows.addAll(List.of(task + "/exitCode", Type.INT, ORDERED));
      rows.addAll(List.of(task + "/result", Type.STRING, EQ_NE));
    }
    return table(rows.toArray());
  }

  /** Triples (name, type, operators) to a table; lastModifiedTime reads lastModified. */
  @SuppressWarnings("unchecked")
  private static Map<String, Property> table(Object... triples) {
    Map<String, Property> t = new LinkedHashMap<>();
    for (int i = 0; i < triples.length; i += 3) {
      String name = (String) triples[i];
      String path = name.equals("lastModifiedTime") ? "lastModified" : name;
      t.put(name, new Property(path, (Type) triples[i + 1], (Set<String>) triples[i + 2]));
    }
    return Map.copyOf(t);
  }

  /**
   * Parses a filter for one list into a predicate over an entity's JSON; throws {@link
   * IllegalArgumentException} naming the fault when the service would refuse it.
   */
  static Predicate<JsonNode> parse(String filter, Listing listing) {
    if (filter == null || filter.isBlank()) {
      return n -> true;
    }
    FilterParser p = new FilterParser(tokenize(filter), SERVICE_ACCEPTS.get(listing), listing);
    FilterNode root = p.expr();
    if (p.pos != p.tokens.size()) {
      throw new IllegalArgumentException("unexpected '" + p.tokens.get(p.pos).text + "'");
    }
    return n -> truthy(root.eval(n));
  }

  // ---- tokens

  private enum FilterTokenKind {
    LPAREN,
    RPAREN,
    COMMA,
    STRING,
    DATETIME,
    NUMBER,
    WORD
  }

  private static final class FilterToken {
    final FilterTokenKind kind;
    final String text;

    FilterToken(FilterTokenKind kind, String text) {
      this.kind = kind;
      this.text = text;
    }

    boolean isWord(String w) {
      return kind == FilterTokenKind.WORD && text.equalsIgnoreCase(w);
    }
  }

  private static List<FilterToken> tokenize(String s) {
    List<FilterToken> out = new ArrayList<>();
    int i = 0;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
      } else if (c == '(') {
        out.add(new FilterToken(FilterTokenKind.LPAREN, "("));
        i++;
      } else if (c == ')') {
        out.add(new FilterToken(FilterTokenKind.RPAREN, ")"));
        i++;
      } else if (c == ',') {
        out.add(new FilterToken(FilterTokenKind.COMMA, ","));
        i++;
      } else if (c == '\'') {
        int[] end = new int[1];
        out.add(new FilterToken(FilterTokenKind.STRING, quoted(s, i, end)));
        i = end[0];
      } else if (c == '-' || Character.isDigit(c)) {
        int j = i + 1;
        while (j < s.length() && (Character.isDigit(s.charAt(j)) || s.charAt(j) == '.')) {
          j++;
        }
        out.add(new FilterToken(FilterTokenKind.NUMBER, s.substring(i, j)));
        i = j;
      } else if (Character.isLetter(c) || c == '_' || c == '$') {
        int j = i + 1;
        while (j < s.length()) {
          char d = s.charAt(j);
          if (Character.isLetterOrDigit(d) || d == '_' || d == '/' || d == '.' || d == '$') {
            j++;
          } else {
            break;
          }
        }
        String word = s.substring(i, j);
        if (j < s.length() && s.charAt(j) == '\'' && word.equalsIgnoreCase("datetime")) {
          int[] end = new int[1];
          out.add(new FilterToken(FilterTokenKind.DATETIME, quoted(s, j, end)));
          i = end[0];
        } else if (j < s.length() && s.charAt(j) == '\'' && word.equalsIgnoreCase("guid")) {
          int[] end = new int[1];
          out.add(new FilterToken(FilterTokenKind.STRING, quoted(s, j, end)));
          i = end[0];
        } else {
          out.add(new FilterToken(FilterTokenKind.WORD, word));
          i = j;
        }
      } else {
        throw new IllegalArgumentException("unexpected character '" + c + "' at " + i);
      }
    }
    return out;
  }

  /** A '...' literal starting at {@code start} ('' escapes a quote); end[0] is set past it. */
  private static String quoted(String s, int start, int[] end) {
    StringBuilder b = new StringBuilder();
    int i = start + 1;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c == '\'') {
        if (i + 1 < s.length() && s.charAt(i + 1) == '\'') {
          b.append('\'');
          i += 2;
          continue;
        }
        end[0] = i + 1;
        return b.toString();
      }
      b.append(c);
      i++;
    }
    throw new IllegalArgumentException("unterminated literal");
  }

  // ---- syntax tree

  private interface FilterNode {
    Object eval(JsonNode entity);
  }

  private static final class FilterParser {
    final List<FilterToken> tokens;
    final Map<String, Property> accepted;
    final String list;
    int pos;

    FilterParser(List<FilterToken> tokens, Map<String, Property> accepted, Listing listing) {
      this.tokens = tokens;
      this.accepted = accepted;
      this.list = listing.name().toLowerCase(Locale.ROOT).replace('_', ' ');
    }

    FilterToken peek() {
      return pos < tokens.size() ? tokens.get(pos) : null;
    }

    FilterToken next() {
      if (pos >= tokens.size()) {
        throw new IllegalArgumentException("unexpected end of filter");
      }
      return tokens.get(pos++);
    }

    void expect(FilterTokenKind kind) {
      FilterToken t = next();
      if (t.kind != kind) {
        throw new IllegalArgumentException("expected " + kind + " but found '" + t.text + "'");
      }
    }

    FilterNode expr() {
      FilterNode left = and();
      while (peek() != null && peek().isWord("or")) {
        next();
        FilterNode l = left;
        FilterNode r = and();
        left = n -> truthy(l.eval(n)) || truthy(r.eval(n));
      }
      return left;
    }

    FilterNode and() {
      FilterNode left = condition();
      while (peek() != null && peek().isWord("and")) {
        next();
        FilterNode l = left;
        FilterNode r = condition();
        left = n -> truthy(l.eval(n)) && truthy(r.eval(n));
      }
      return left;
    }

    /** A parenthesized expression, a startswith call or a comparison; nothing else. */
    FilterNode condition() {
      FilterToken t = next();
      if (t.kind == FilterTokenKind.LPAREN) {
        FilterNode inner = expr();
        expect(FilterTokenKind.RPAREN);
        return inner;
      }
      if (t.kind != FilterTokenKind.WORD) {
        throw new IllegalArgumentException(
            "a condition must start with a property name, not '" + t.text + "'");
      }
      if (t.isWord("not")) {
        throw new IllegalArgumentException("the Batch service does not support 'not' in $filter");
      }
      if (peek() != null && peek().kind == FilterTokenKind.LPAREN) {
        return function(t.text);
      }
      Property prop = property(t.text);
      FilterToken op = next();
      String o = op.text.toLowerCase(Locale.ROOT);
      if (op.kind != FilterTokenKind.WORD || !OPS.contains(o)) {
        throw new IllegalArgumentException(
            "expected a comparison operator after '" + t.text + "' but found '" + op.text + "'");
      }
      allow(t.text, prop, o);
      Object literal = literal(next(), t.text, prop.type());
      String[] path = prop.jsonPath().split("/");
      return n -> compare(resolve(n, path), literal, o);
    }

    FilterNode function(String name) {
      if (!name.equalsIgnoreCase("startswith")) {
        throw new IllegalArgumentException(
            "the Batch service does not support the function '" + name + "' in $filter");
      }
      expect(FilterTokenKind.LPAREN);
      FilterToken p = next();
      if (p.kind != FilterTokenKind.WORD) {
        throw new IllegalArgumentException("startswith takes a property name first");
      }
      Property prop = property(p.text);
      allow(p.text, prop, "startswith");
      expect(FilterTokenKind.COMMA);
      Object prefix = literal(next(), p.text, Type.STRING);
      expect(FilterTokenKind.RPAREN);
      String[] path = prop.jsonPath().split("/");
      String lower = ((String) prefix).toLowerCase(Locale.ROOT);
      return n -> {
        Object v = resolve(n, path);
        return v instanceof String s && s.toLowerCase(Locale.ROOT).startsWith(lower);
      };
    }

    Property property(String name) {
      Property prop = accepted.get(name);
      if (prop == null) {
        throw new IllegalArgumentException(
            "the Batch service does not filter "
                + list
                + " on '"
                + name
                + "'; it accepts "
                + String.join(", ", new TreeSet<>(accepted.keySet())));
      }
      return prop;
    }

    void allow(String name, Property prop, String op) {
      if (!prop.ops().contains(op)) {
        throw new IllegalArgumentException(
            "the Batch service does not allow '"
                + op
                + "' on '"
                + name
                + "' when listing "
                + list
                + "; it allows "
                + String.join(", ", new TreeSet<>(prop.ops())));
      }
    }

    /** A literal of the property's type (the service refuses mismatched literals). */
    Object literal(FilterToken t, String name, Type type) {
      switch (type) {
        case DATETIME:
          if (t.kind == FilterTokenKind.DATETIME) {
            Instant at = parseInstant(t.text);
            if (at != null) {
              return at;
            }
          }
          break;
        case INT:
          if (t.kind == FilterTokenKind.NUMBER && t.text.matches("-?\\d+")) {
            return new BigDecimal(t.text);
          }
          break;
        case BOOLEAN:
          if (t.isWord("true") || t.isWord("false")) {
            return Boolean.valueOf(t.text.toLowerCase(Locale.ROOT));
          }
          break;
        default:
          if (t.kind == FilterTokenKind.STRING) {
            return t.text;
          }
      }
      throw new IllegalArgumentException(
          "'" + name + "' is compared with a " + describe(type) + ", not '" + t.text + "'");
    }
  }

  private static String describe(Type type) {
    switch (type) {
      case DATETIME:
        return "datetime'...' literal";
      case INT:
        return "whole number";
      case BOOLEAN:
        return "true or false";
      default:
        return "'quoted string'";
    }
  }

  private static final Set<String> OPS = Set.of("eq", "ne", "gt", "ge", "lt", "le");

  private static boolean truthy(Object v) {
    return Boolean.TRUE.equals(v);
  }

  /** The value at a property path: String, BigDecimal, Boolean or null. */
  private static Object resolve(JsonNode entity, String[] path) {
    JsonNode n = entity;
    for (String step : path) {
      if (n == null || !n.isObject()) {
        return null;
      }
      JsonNode next = n.get(step);
      if (next == null) {
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> f = it.next();
          if (f.getKey().equalsIgnoreCase(step)) {
            next = f.getValue();
            break;
          }
        }
      }
      n = next;
    }
    if (n == null || n.isNull() || n.isContainerNode()) {
      return null;
    }
    if (n.isNumber()) {
      return n.decimalValue();
    }
    if (n.isBoolean()) {
      return n.booleanValue();
    }
    return n.asText();
  }

  private static Instant parseInstant(String s) {
    try {
      return OffsetDateTime.parse(s).toInstant();
    } catch (DateTimeParseException e) {
      try {
        return LocalDateTime.parse(s).toInstant(ZoneOffset.UTC);
      } catch (DateTimeParseException e2) {
        return null;
      }
    }
  }

  private static boolean compare(Object a, Object b, String op) {
    if (a == null || b == null) {
      if (op.equals("eq")) {
        return a == null && b == null;
      }
      if (op.equals("ne")) {
        return !(a == null && b == null);
      }
      return false;
    }
    int c;
    if (a instanceof Instant || b instanceof Instant) {
      Instant x = a instanceof Instant ? (Instant) a : parseInstant(String.valueOf(a));
      Instant y = b instanceof Instant ? (Instant) b : parseInstant(String.valueOf(b));
      if (x == null || y == null) {
        return false;
      }
      c = x.compareTo(y);
    } else if (a instanceof BigDecimal || b instanceof BigDecimal) {
      BigDecimal x = number(a);
      BigDecimal y = number(b);
      if (x == null || y == null) {
        return false;
      }
      c = x.compareTo(y);
    } else if (a instanceof Boolean || b instanceof Boolean) {
      boolean same = String.valueOf(a).equalsIgnoreCase(String.valueOf(b));
      return op.equals("eq") ? same : op.equals("ne") && !same;
    } else {
      c = String.valueOf(a).compareToIgnoreCase(String.valueOf(b));
    }
    switch (op) {
      case "eq":
        return c == 0;
      case "ne":
        return c != 0;
      case "gt":
        return c > 0;
      case "ge":
        return c >= 0;
      case "lt":
        return c < 0;
      default:
        return c <= 0;
    }
  }

  private static BigDecimal number(Object v) {
    if (v instanceof BigDecimal) {
      return (BigDecimal) v;
    }
    try {
      return new BigDecimal(String.valueOf(v));
    } catch (NumberFormatException e) {
      return null;
    }
  }
}

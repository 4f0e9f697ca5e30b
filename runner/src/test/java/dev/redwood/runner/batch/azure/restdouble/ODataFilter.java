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
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The part of OData {@code $filter} the Batch service accepts on lists: comparisons ({@code eq ne
 * gt ge lt le}) between a property path ({@code state}, {@code executionInfo/endTime}) and a
 * literal ({@code 'text'}, numbers, {@code true}/{@code false}, {@code null}, {@code
 * datetime'...'}), {@code and}, {@code or}, {@code not}, parentheses, and {@code startswith}/{@code
 * endswith}/{@code substringof}. Text compares case-insensitively (the service's enum values are
 * not consistently cased); a missing property compares false except with {@code eq null}.
 */
final class ODataFilter {
  private ODataFilter() {}

  /** Parses a filter into a predicate over an entity's JSON; throws on a syntax error. */
  static Predicate<JsonNode> parse(String filter) {
    if (filter == null || filter.isBlank()) {
      return n -> true;
    }
    Parser p = new Parser(tokenize(filter));
    Node root = p.expr();
    if (p.pos != p.tokens.size()) {
      throw new IllegalArgumentException("unexpected '" + p.tokens.get(p.pos).text + "'");
    }
    return n -> truthy(root.eval(n));
  }

  // ---- tokens

  private enum Kind {
    LPAREN,
    RPAREN,
    COMMA,
    STRING,
    DATETIME,
    NUMBER,
    WORD
  }

  private static final class Token {
    final Kind kind;
    final String text;

    Token(Kind kind, String text) {
      this.kind = kind;
      this.text = text;
    }

    boolean isWord(String w) {
      return kind == Kind.WORD && text.equalsIgnoreCase(w);
    }
  }

  private static List<Token> tokenize(String s) {
    List<Token> out = new ArrayList<>();
    int i = 0;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
      } else if (c == '(') {
        out.add(new Token(Kind.LPAREN, "("));
        i++;
      } else if (c == ')') {
        out.add(new Token(Kind.RPAREN, ")"));
        i++;
      } else if (c == ',') {
        out.add(new Token(Kind.COMMA, ","));
        i++;
      } else if (c == '\'') {
        int[] end = new int[1];
        out.add(new Token(Kind.STRING, quoted(s, i, end)));
        i = end[0];
      } else if (c == '-' || Character.isDigit(c)) {
        int j = i + 1;
        while (j < s.length() && (Character.isDigit(s.charAt(j)) || s.charAt(j) == '.')) {
          j++;
        }
        out.add(new Token(Kind.NUMBER, s.substring(i, j)));
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
          out.add(new Token(Kind.DATETIME, quoted(s, j, end)));
          i = end[0];
        } else if (j < s.length() && s.charAt(j) == '\'' && word.equalsIgnoreCase("guid")) {
          int[] end = new int[1];
          out.add(new Token(Kind.STRING, quoted(s, j, end)));
          i = end[0];
        } else {
          out.add(new Token(Kind.WORD, word));
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

  private interface Node {
    Object eval(JsonNode entity);
  }

  private static final class Parser {
    final List<Token> tokens;
    int pos;

    Parser(List<Token> tokens) {
      this.tokens = tokens;
    }

    Token peek() {
      return pos < tokens.size() ? tokens.get(pos) : null;
    }

    Token next() {
      if (pos >= tokens.size()) {
        throw new IllegalArgumentException("unexpected end of filter");
      }
      return tokens.get(pos++);
    }

    void expect(Kind kind) {
      Token t = next();
      if (t.kind != kind) {
        throw new IllegalArgumentException("expected " + kind + " but found '" + t.text + "'");
      }
    }

    Node expr() {
      Node left = and();
      while (peek() != null && peek().isWord("or")) {
        next();
        Node l = left;
        Node r = and();
        left = n -> truthy(l.eval(n)) || truthy(r.eval(n));
      }
      return left;
    }

    Node and() {
      Node left = not();
      while (peek() != null && peek().isWord("and")) {
        next();
        Node l = left;
        Node r = not();
        left = n -> truthy(l.eval(n)) && truthy(r.eval(n));
      }
      return left;
    }

    Node not() {
      if (peek() != null && peek().isWord("not")) {
        next();
        Node inner = not();
        return n -> !truthy(inner.eval(n));
      }
      return comparison();
    }

    Node comparison() {
      Node left = operand();
      Token t = peek();
      if (t != null && t.kind == Kind.WORD && OPS.containsKey(t.text.toLowerCase(Locale.ROOT))) {
        next();
        String op = t.text.toLowerCase(Locale.ROOT);
        Node right = operand();
        return n -> compare(left.eval(n), right.eval(n), op);
      }
      return left;
    }

    Node operand() {
      Token t = next();
      switch (t.kind) {
        case LPAREN:
          {
            Node inner = expr();
            expect(Kind.RPAREN);
            return inner;
          }
        case STRING:
          return n -> t.text;
        case DATETIME:
          {
            Instant at = parseInstant(t.text);
            if (at == null) {
              throw new IllegalArgumentException("bad datetime '" + t.text + "'");
            }
            return n -> at;
          }
        case NUMBER:
          {
            BigDecimal v = new BigDecimal(t.text);
            return n -> v;
          }
        case WORD:
          {
            String w = t.text.toLowerCase(Locale.ROOT);
            if (w.equals("true") || w.equals("false")) {
              Boolean b = Boolean.valueOf(w);
              return n -> b;
            }
            if (w.equals("null")) {
              return n -> null;
            }
            if (peek() != null && peek().kind == Kind.LPAREN && FUNCTIONS.contains(w)) {
              next();
              List<Node> args = new ArrayList<>();
              args.add(expr());
              while (peek() != null && peek().kind == Kind.COMMA) {
                next();
                args.add(expr());
              }
              expect(Kind.RPAREN);
              if (args.size() != 2) {
                throw new IllegalArgumentException(w + " takes two arguments");
              }
              return n -> function(w, args.get(0).eval(n), args.get(1).eval(n));
            }
            String[] path = t.text.split("/");
            return n -> resolve(n, path);
          }
        default:
          throw new IllegalArgumentException("unexpected '" + t.text + "'");
      }
    }
  }

  private static final Map<String, Boolean> OPS =
      Map.of("eq", true, "ne", true, "gt", true, "ge", true, "lt", true, "le", true);
  private static final List<String> FUNCTIONS =
      List.of("startswith", "endswith", "substringof", "contains");

  private static Object function(String name, Object a, Object b) {
    if (!(a instanceof String) || !(b instanceof String)) {
      return false;
    }
    String x = ((String) a).toLowerCase(Locale.ROOT);
    String y = ((String) b).toLowerCase(Locale.ROOT);
    switch (name) {
      case "startswith":
        return x.startsWith(y);
      case "endswith":
        return x.endsWith(y);
      case "substringof":
        return y.contains(x);
      default:
        return x.contains(y);
    }
  }

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

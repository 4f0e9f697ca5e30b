package dev.redwood.runner.batch.azure.restdouble;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A Batch pool's autoscale formula, as the service reads it: compiled once when the pool is added
 * or autoscale is enabled (a syntax error, an unknown variable or function is refused there), then
 * evaluated against the pool's 30-second task samples at every evaluation interval.
 *
 * <p>The language: statements {@code name = expr;} (at most 100, at most 8192 characters, {@code
 * //} and {@code /* *}{@code /} comments); user variables with or without {@code $}; doubles,
 * vectors of doubles, time intervals ({@code TimeInterval_*}) and {@code "strings"}; {@code + - *
 * /}, comparisons, {@code && || !} (1 is true, 0 false), {@code cond ? a : b}; the functions {@code
 * avg len lg ln log max min range std sum val} over lists of doubles and vectors; the task sample
 * series {@code $ActiveTasks $RunningTasks $PendingTasks $SucceededTasks $FailedTasks} with {@code
 * GetSample(count)}, {@code GetSample(interval[, interval][, percent])}, {@code
 * GetSamplePercent(interval[, interval])} and {@code Count()}; {@code $CurrentDedicatedNodes},
 * {@code $CurrentLowPriorityNodes}, {@code $TaskSlotsPerNode}; and the targets {@code
 * $TargetDedicatedNodes}, {@code $TargetLowPriorityNodes} (aliases {@code $TargetDedicated}, {@code
 * $TargetLowPriority}) and {@code $NodeDeallocationOption} ({@code requeue terminate taskcompletion
 * retaineddata}). Service variables and functions the double does not simulate ({@code
 * $CPUPercent}, {@code time()}, ...) are refused as unsupported rather than given made-up values.
 */
final class AutoscaleFormula {
  static final int MAX_LENGTH = 8192;
  static final int MAX_STATEMENTS = 100;
  static final Duration SAMPLE_PERIOD = Duration.ofSeconds(30);

  private static final Set<String> SERIES =
      Set.of("$ActiveTasks", "$RunningTasks", "$PendingTasks", "$SucceededTasks", "$FailedTasks");
  private static final Set<String> UNSIMULATED =
      Set.of(
          "$CPUPercent",
          "$WallClockSeconds",
          "$MemoryBytes",
          "$DiskBytes",
          "$DiskReadBytes",
          "$DiskWriteBytes",
          "$DiskReadOps",
          "$DiskWriteOps",
          "$NetworkInBytes",
          "$NetworkOutBytes",
          "$SampleNodeCount",
          "$PreemptedNodeCount",
          "$UsableNodeCount",
          "$ActiveTasksSlots",
          "$RunningTasksSlots",
          "$PendingTasksSlots");
  private static final Set<String> READ_ONLY =
      Set.of("$CurrentDedicatedNodes", "$CurrentLowPriorityNodes", "$TaskSlotsPerNode");
  private static final Map<String, String> TARGETS =
      Map.of(
          "$TargetDedicatedNodes", "$TargetDedicatedNodes",
          "$TargetDedicated", "$TargetDedicatedNodes",
          "$TargetLowPriorityNodes", "$TargetLowPriorityNodes",
          "$TargetLowPriority", "$TargetLowPriorityNodes");
  private static final String DEALLOCATION = "$NodeDeallocationOption";
  static final Set<String> DEALLOCATION_OPTIONS =
      Set.of("requeue", "terminate", "taskcompletion", "retaineddata");
  private static final Map<String, Double> INTERVALS =
      Map.of(
          "TimeInterval_Zero", 0.0,
          "TimeInterval_100ns", 1e-7,
          "TimeInterval_Microsecond", 1e-6,
          "TimeInterval_Millisecond", 1e-3,
          "TimeInterval_Second", 1.0,
          "TimeInterval_Minute", 60.0,
          "TimeInterval_Hour", 3600.0,
          "TimeInterval_Day", 86400.0,
          "TimeInterval_Week", 604800.0,
          "TimeInterval_Year", 31536000.0);
  private static final Set<String> FUNCTIONS =
      Set.of("avg", "len", "lg", "ln", "log", "max", "min", "range", "std", "sum", "val");
  private static final Set<String> UNSIMULATED_FUNCTIONS =
      Set.of("norm", "percentile", "rand", "stop", "time");

  /** One sample of a pool's task counts (over its active jobs), taken at {@code at}. */
  record Sample(Instant at, int active, int running, int succeeded, int failed) {
    double value(String series) {
      switch (series) {
        case "$ActiveTasks":
          return active;
        case "$RunningTasks":
          return running;
        case "$PendingTasks":
          return active + running;
        case "$SucceededTasks":
          return succeeded;
        default:
          return failed;
      }
    }
  }

  /** What an evaluation reads: the time, the samples (oldest first) and the pool's node counts. */
  record Inputs(
      Instant now,
      List<Sample> samples,
      int currentDedicated,
      int currentLowPriority,
      int targetDedicated,
      int targetLowPriority,
      int taskSlotsPerNode) {}

  /**
   * The outcome of an evaluation: the new targets (null: leave unchanged), the deallocation option,
   * the {@code results} text and, when it failed, the error as {@code autoScaleRun.error} carries
   * it.
   */
  record AutoscaleRun(
      Integer targetDedicated,
      Integer targetLowPriority,
      String nodeDeallocationOption,
      String results,
      String errorCode,
      String errorMessage,
      String errorDetail) {
    boolean failed() {
      return errorCode != null;
    }
  }

  /** A formula the service refuses when it is set: the message names the line and column. */
  static final class FormulaError extends Exception {
    /** True when the formula is valid Batch but uses something the double does not simulate. */
    final boolean unsupported;

    FormulaError(int line, int col, String message, boolean unsupported) {
      super("Line " + line + ", Col " + col + ": " + message, null, false, false);
      this.unsupported = unsupported;
    }
  }

  /** A failure while evaluating: recorded in autoScaleRun.error; the targets stay as they were. */
  private static final class EvalError extends Exception {
    final String code;
    final String message;

    EvalError(String code, String message, Pos at, String detail) {
      super("Line " + at.line + ", Col " + at.col + ": " + detail, null, false, false);
      this.code = code;
      this.message = message;
    }
  }

  private record Pos(int line, int col) {}

  private final List<Statement> statements;

  private AutoscaleFormula(List<Statement> statements) {
    this.statements = statements;
  }

  /** Compiles a formula, refusing what the service refuses when a formula is set. */
  static AutoscaleFormula compile(String text) throws FormulaError {
    if (text.length() > MAX_LENGTH) {
      throw new FormulaError(
          1, 1, "the formula is " + text.length() + " characters; at most " + MAX_LENGTH, false);
    }
    FormulaParser p = new FormulaParser(new Lexer(text).tokens());
    List<Statement> statements = p.statements();
    if (statements.isEmpty()) {
      throw new FormulaError(1, 1, "the formula has no statement", false);
    }
    if (statements.size() > MAX_STATEMENTS) {
      throw new FormulaError(
          1,
          1,
          "the formula has " + statements.size() + " statements; at most " + MAX_STATEMENTS,
          false);
    }
    return new AutoscaleFormula(statements);
  }

  /** Runs the statements in order against the inputs. */
  AutoscaleRun evaluate(Inputs in) {
    Env env = new Env(in);
    try {
      for (Statement s : statements) {
        Value v = s.expr.eval(env);
        env.assign(s.name, v, s.at);
      }
    } catch (EvalError e) {
      return new AutoscaleRun(null, null, null, env.results(), e.code, e.message, e.getMessage());
    }
    try {
      Integer dedicated = env.target("$TargetDedicatedNodes");
      Integer low = env.target("$TargetLowPriorityNodes");
      return new AutoscaleRun(dedicated, low, env.deallocation(), env.results(), null, null, null);
    } catch (EvalError e) {
      return new AutoscaleRun(null, null, null, env.results(), e.code, e.message, e.getMessage());
    }
  }

  // ------------------------------------------------------------------ values

  private enum ValueKind {
    NUM,
    VEC,
    INTERVAL,
    SERIES,
    WORD,
    STR
  }

  /** A value: a double, a vector, an interval (seconds), a sample series, a bare word or text. */
  private record Value(ValueKind kind, double num, double[] vec, String text) {
    static Value num(double d) {
      return new Value(ValueKind.NUM, d, null, null);
    }

    static Value bool(boolean b) {
      return num(b ? 1 : 0);
    }

    static Value vec(double[] v) {
      return new Value(ValueKind.VEC, 0, v, null);
    }

    static Value interval(double seconds) {
      return new Value(ValueKind.INTERVAL, seconds, null, null);
    }

    String show() {
      switch (kind) {
        case NUM:
        case INTERVAL:
          return number(num);
        case VEC:
          {
            List<String> parts = new ArrayList<>();
            for (double d : vec) {
              parts.add(number(d));
            }
            return "[" + String.join(",", parts) + "]";
          }
        default:
          return text;
      }
    }
  }

  static String number(double d) {
    if (d == Math.rint(d) && !Double.isInfinite(d) && Math.abs(d) < 1e15) {
      return Long.toString((long) d);
    }
    return Double.toString(d);
  }

  private static String typeName(ValueKind k) {
    switch (k) {
      case NUM:
        return "double";
      case VEC:
        return "doubleVec";
      case INTERVAL:
        return "timeinterval";
      case SERIES:
        return "sample series";
      case WORD:
        return "name";
      default:
        return "string";
    }
  }

  /** Variables of one evaluation. */
  private static final class Env {
    final Inputs in;
    final Map<String, Value> vars = new LinkedHashMap<>();

    /** Targets assigned by their full name (which wins over the alias). */
    final Set<String> setByFullName = new HashSet<>();

    Env(Inputs in) {
      this.in = in;
    }

    void assign(String name, Value v, Pos at) throws EvalError {
      String target = TARGETS.get(name);
      if (target != null) {
        if (v.kind != ValueKind.NUM) {
          throw evalError(at, name + " must be a double, not a " + typeName(v.kind));
        }
        // The full name wins over its alias when both are set.
        if (!target.equals(name) && setByFullName.contains(target)) {
          return;
        }
        vars.put(target, v);
        if (target.equals(name)) {
          setByFullName.add(target);
        }
        return;
      }
      if (name.equals(DEALLOCATION)
          && (v.kind != ValueKind.WORD || !DEALLOCATION_OPTIONS.contains(v.text))) {
        throw evalError(
            at,
            "$NodeDeallocationOption must be one of "
                + String.join(", ", new TreeSet<>(DEALLOCATION_OPTIONS))
                + ", not "
                + v.show());
      }
      vars.put(name, v);
    }

    Value read(String name, Pos at) throws EvalError {
      String target = TARGETS.get(name);
      if (target != null) {
        Value v = vars.get(target);
        if (v != null) {
          return v;
        }
        return Value.num(
            target.equals("$TargetDedicatedNodes") ? in.targetDedicated : in.targetLowPriority);
      }
      switch (name) {
        case "$CurrentDedicatedNodes":
          return Value.num(in.currentDedicated);
        case "$CurrentLowPriorityNodes":
          return Value.num(in.currentLowPriority);
        case "$TaskSlotsPerNode":
          return Value.num(in.taskSlotsPerNode);
        case DEALLOCATION:
          {
            Value v = vars.get(DEALLOCATION);
            return v != null ? v : new Value(ValueKind.WORD, 0, null, "requeue");
          }
        default:
          break;
      }
      if (SERIES.contains(name)) {
        return new Value(ValueKind.SERIES, 0, null, name);
      }
      Value v = vars.get(name);
      if (v == null) {
        // Compilation only lets through names assigned earlier; a safeguard.
        throw evalError(at, "the variable " + name + " has no value");
      }
      return v;
    }

    Integer target(String name) throws EvalError {
      Value v = vars.get(name);
      if (v == null) {
        return null;
      }
      if (Double.isNaN(v.num) || Double.isInfinite(v.num)) {
        throw evalError(new Pos(1, 1), name + " evaluated to " + v.show());
      }
      // Batch takes the whole part (the documented "(tasks + 3) / 4" rounds up that way).
      return (int) Math.max(0, Math.min(Integer.MAX_VALUE, (long) v.num));
    }

    String deallocation() {
      Value v = vars.get(DEALLOCATION);
      return v == null ? "requeue" : v.text;
    }

    /** {@code $TargetDedicatedNodes=..;[$TargetLowPriorityNodes=..;]$NodeDeallocationOption=..} */
    String results() {
      StringBuilder b = new StringBuilder();
      Value d = vars.get("$TargetDedicatedNodes");
      b.append("$TargetDedicatedNodes=").append(d == null ? in.targetDedicated : d.show());
      Value l = vars.get("$TargetLowPriorityNodes");
      if (l != null || in.targetLowPriority != 0) {
        b.append(";$TargetLowPriorityNodes=").append(l == null ? in.targetLowPriority : l.show());
      }
      b.append(";$NodeDeallocationOption=").append(deallocation());
      TreeMap<String, Value> user = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      for (Map.Entry<String, Value> e : vars.entrySet()) {
        String k = e.getKey();
        if (!TARGETS.containsValue(k) && !k.equals(DEALLOCATION)) {
          user.put(k, e.getValue());
        }
      }
      for (Map.Entry<String, Value> e : user.entrySet()) {
        b.append(';').append(e.getKey()).append('=').append(e.getValue().show());
      }
      return b.toString();
    }
  }

  private static EvalError evalError(Pos at, String detail) {
    return new EvalError("AutoScaleEvaluationFailed", "Autoscale evaluation failed", at, detail);
  }

  // ------------------------------------------------------------------ tokens

  private enum FormulaTokenKind {
    NUMBER,
    NAME,
    STRING,
    OP,
    END
  }

  private record FormulaToken(FormulaTokenKind kind, String text, Pos at) {
    boolean is(String op) {
      return kind == FormulaTokenKind.OP && text.equals(op);
    }
  }

  private static final class Lexer {
    final String s;
    int i;
    int line = 1;
    int lineStart;

    Lexer(String s) {
      this.s = s;
    }

    Pos pos() {
      return new Pos(line, i - lineStart + 1);
    }

    List<FormulaToken> tokens() throws FormulaError {
      List<FormulaToken> out = new ArrayList<>();
      while (true) {
        skipSpaceAndComments();
        Pos at = pos();
        if (i >= s.length()) {
          out.add(new FormulaToken(FormulaTokenKind.END, "end of formula", at));
          return out;
        }
        char c = s.charAt(i);
        if (Character.isDigit(c) || (c == '.' && i + 1 < s.length() && isDigit(s.charAt(i + 1)))) {
          int j = i;
          while (j < s.length() && (isDigit(s.charAt(j)) || s.charAt(j) == '.')) {
            j++;
          }
          if (j < s.length() && (s.charAt(j) == 'e' || s.charAt(j) == 'E')) {
            int k = j + 1;
            if (k < s.length() && (s.charAt(k) == '+' || s.charAt(k) == '-')) {
              k++;
            }
            if (k < s.length() && isDigit(s.charAt(k))) {
              j = k;
              while (j < s.length() && isDigit(s.charAt(j))) {
                j++;
              }
            }
          }
          out.add(new FormulaToken(FormulaTokenKind.NUMBER, s.substring(i, j), at));
          i = j;
        } else if (Character.isLetter(c) || c == '_' || c == '$') {
          int j = i + 1;
          while (j < s.length() && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '_')) {
            j++;
          }
          if (c == '$' && j == i + 1) {
            throw new FormulaError(at.line, at.col, "'$' must be followed by a name", false);
          }
          out.add(new FormulaToken(FormulaTokenKind.NAME, s.substring(i, j), at));
          i = j;
        } else if (c == '"') {
          int j = s.indexOf('"', i + 1);
          if (j < 0) {
            throw new FormulaError(at.line, at.col, "unterminated string", false);
          }
          out.add(new FormulaToken(FormulaTokenKind.STRING, s.substring(i + 1, j), at));
          i = j + 1;
        } else {
          String two = i + 1 < s.length() ? s.substring(i, i + 2) : "";
          if (Set.of("==", "!=", "<=", ">=", "&&", "||").contains(two)) {
            out.add(new FormulaToken(FormulaTokenKind.OP, two, at));
            i += 2;
          } else if ("+-*/()<>!?:;,.=".indexOf(c) >= 0) {
            out.add(new FormulaToken(FormulaTokenKind.OP, String.valueOf(c), at));
            i++;
          } else {
            throw new FormulaError(at.line, at.col, "unexpected character '" + c + "'", false);
          }
        }
      }
    }

    private static boolean isDigit(char c) {
      return c >= '0' && c <= '9';
    }

    private void skipSpaceAndComments() throws FormulaError {
      while (i < s.length()) {
        char c = s.charAt(i);
        if (c == '\n') {
          i++;
          line++;
          lineStart = i;
        } else if (Character.isWhitespace(c)) {
          i++;
        } else if (s.startsWith("//", i)) {
          while (i < s.length() && s.charAt(i) != '\n') {
            i++;
          }
        } else if (s.startsWith("/*", i)) {
          Pos at = pos();
          int end = s.indexOf("*/", i + 2);
          if (end < 0) {
            throw new FormulaError(at.line, at.col, "unterminated comment", false);
          }
          while (i < end + 2) {
            if (s.charAt(i) == '\n') {
              line++;
              lineStart = i + 1;
            }
            i++;
          }
        } else {
          return;
        }
      }
    }
  }

  // ------------------------------------------------------------------ syntax

  private interface Expr {
    Value eval(Env env) throws EvalError;
  }

  private interface Level {
    Expr parse() throws FormulaError;
  }

  /** Joins two operands (it evaluates them itself, so && and || can stop early). */
  private interface Combine {
    Value apply(Env env, Expr left, Expr right, FormulaToken op) throws EvalError;
  }

  private record Statement(String name, Expr expr, Pos at) {}

  private static final class FormulaParser {
    final List<FormulaToken> tokens;
    int pos;
    final Set<String> assigned = new HashSet<>();

    FormulaParser(List<FormulaToken> tokens) {
      this.tokens = tokens;
    }

    FormulaToken peek() {
      return tokens.get(pos);
    }

    FormulaToken next() {
      FormulaToken t = tokens.get(pos);
      if (t.kind != FormulaTokenKind.END) {
        pos++;
      }
      return t;
    }

    FormulaError error(FormulaToken t, String message) {
      return new FormulaError(t.at.line, t.at.col, message, false);
    }

    FormulaToken expect(String op) throws FormulaError {
      FormulaToken t = next();
      if (!t.is(op)) {
        throw error(t, "expected '" + op + "' but found '" + t.text + "'");
      }
      return t;
    }

    List<Statement> statements() throws FormulaError {
      List<Statement> out = new ArrayList<>();
      while (peek().kind != FormulaTokenKind.END) {
        if (peek().is(";")) {
          next();
          continue;
        }
        FormulaToken name = next();
        if (name.kind != FormulaTokenKind.NAME) {
          throw error(name, "a statement starts with a variable name, not '" + name.text + "'");
        }
        checkAssignable(name);
        expect("=");
        Expr e = ternary();
        FormulaToken end = peek();
        if (!end.is(";") && end.kind != FormulaTokenKind.END) {
          throw error(end, "expected ';' but found '" + end.text + "'");
        }
        assigned.add(name.text);
        out.add(new Statement(name.text, e, name.at));
      }
      return out;
    }

    void checkAssignable(FormulaToken name) throws FormulaError {
      String n = name.text;
      if (SERIES.contains(n) || READ_ONLY.contains(n) || UNSIMULATED.contains(n)) {
        throw error(name, n + " is read-only");
      }
      if (INTERVALS.containsKey(n) || DEALLOCATION_OPTIONS.contains(n)) {
        throw error(name, n + " is a constant");
      }
    }

    Expr ternary() throws FormulaError {
      Expr cond = or();
      if (!peek().is("?")) {
        return cond;
      }
      FormulaToken q = next();
      Expr yes = ternary();
      expect(":");
      Expr no = ternary();
      Pos at = q.at;
      return env -> {
        Value c = cond.eval(env);
        return truth(c, at, "?") ? yes.eval(env) : no.eval(env);
      };
    }

    Expr or() throws FormulaError {
      return binary(
          this::and,
          Set.of("||"),
          (env, l, r, op) ->
              Value.bool(truth(l.eval(env), op.at, "||") || truth(r.eval(env), op.at, "||")));
    }

    Expr and() throws FormulaError {
      return binary(
          this::comparison,
          Set.of("&&"),
          (env, l, r, op) ->
              Value.bool(truth(l.eval(env), op.at, "&&") && truth(r.eval(env), op.at, "&&")));
    }

    Expr comparison() throws FormulaError {
      return binary(
          this::additive,
          Set.of("==", "!=", "<", "<=", ">", ">="),
          (env, l, r, op) -> compare(l.eval(env), r.eval(env), op));
    }

    Expr additive() throws FormulaError {
      return binary(
          this::multiplicative,
          Set.of("+", "-"),
          (env, l, r, op) -> arithmetic(l.eval(env), r.eval(env), op));
    }

    Expr multiplicative() throws FormulaError {
      return binary(
          this::unary,
          Set.of("*", "/"),
          (env, l, r, op) -> arithmetic(l.eval(env), r.eval(env), op));
    }

    /** One left-associative level: operands of the next level joined by these operators. */
    Expr binary(Level operand, Set<String> ops, Combine combine) throws FormulaError {
      Expr left = operand.parse();
      while (peek().kind == FormulaTokenKind.OP && ops.contains(peek().text)) {
        FormulaToken op = next();
        Expr l = left;
        Expr r = operand.parse();
        left = env -> combine.apply(env, l, r, op);
      }
      return left;
    }

    Expr unary() throws FormulaError {
      if (peek().is("-") || peek().is("!")) {
        FormulaToken op = next();
        Expr inner = unary();
        return env -> {
          Value v = inner.eval(env);
          if (op.text.equals("!") && v.kind == ValueKind.NUM) {
            return Value.bool(v.num == 0);
          }
          if (op.text.equals("-") && v.kind == ValueKind.NUM) {
            return Value.num(-v.num);
          }
          if (op.text.equals("-") && v.kind == ValueKind.INTERVAL) {
            return Value.interval(-v.num);
          }
          throw evalError(op.at, "'" + op.text + "' does not apply to a " + typeName(v.kind));
        };
      }
      return postfix();
    }

    Expr postfix() throws FormulaError {
      FormulaToken first = peek();
      Expr e = primary();
      while (peek().is(".")) {
        next();
        FormulaToken method = next();
        if (method.kind != FormulaTokenKind.NAME) {
          throw error(method, "expected a method name after '.' but found '" + method.text + "'");
        }
        if (first.kind != FormulaTokenKind.NAME || !SERIES.contains(first.text)) {
          throw error(method, "only sample series such as $PendingTasks have methods");
        }
        List<Expr> args = arguments();
        e = method(first.text, method, args);
      }
      return e;
    }

    List<Expr> arguments() throws FormulaError {
      expect("(");
      List<Expr> args = new ArrayList<>();
      if (peek().is(")")) {
        next();
        return args;
      }
      args.add(ternary());
      while (peek().is(",")) {
        next();
        args.add(ternary());
      }
      expect(")");
      return args;
    }

    Expr primary() throws FormulaError {
      FormulaToken t = next();
      switch (t.kind) {
        case NUMBER:
          {
            double d;
            try {
              d = Double.parseDouble(t.text);
            } catch (NumberFormatException e) {
              throw error(t, "not a number: '" + t.text + "'");
            }
            Value v = Value.num(d);
            return env -> v;
          }
        case STRING:
          {
            Value v = new Value(ValueKind.STR, 0, null, t.text);
            return env -> v;
          }
        case NAME:
          return name(t);
        default:
          if (t.is("(")) {
            Expr inner = ternary();
            expect(")");
            return inner;
          }
          throw error(t, "unexpected '" + t.text + "'");
      }
    }

    Expr name(FormulaToken t) throws FormulaError {
      String n = t.text;
      if (peek().is("(")) {
        if (UNSIMULATED_FUNCTIONS.contains(n)) {
          throw new FormulaError(
              t.at.line, t.at.col, "the Batch REST double does not evaluate " + n + "()", true);
        }
        if (!FUNCTIONS.contains(n)) {
          throw error(t, "unknown function '" + n + "'");
        }
        List<Expr> args = arguments();
        return function(t, args);
      }
      if (INTERVALS.containsKey(n)) {
        Value v = Value.interval(INTERVALS.get(n));
        return env -> v;
      }
      if (DEALLOCATION_OPTIONS.contains(n)) {
        Value v = new Value(ValueKind.WORD, 0, null, n);
        return env -> v;
      }
      if (UNSIMULATED.contains(n)) {
        throw new FormulaError(
            t.at.line, t.at.col, "the Batch REST double does not simulate " + n, true);
      }
      boolean known =
          SERIES.contains(n)
              || READ_ONLY.contains(n)
              || TARGETS.containsKey(n)
              || n.equals(DEALLOCATION)
              || assigned.contains(n);
      if (!known) {
        throw error(
            t, "unknown variable '" + n + "' (not a service variable, nor assigned before)");
      }
      Pos at = t.at;
      return env -> env.read(n, at);
    }

    Expr function(FormulaToken t, List<Expr> args) throws FormulaError {
      String n = t.text;
      int want = n.equals("val") ? 2 : n.equals("lg") || n.equals("ln") || n.equals("log") ? 1 : -1;
      if ((want > 0 && args.size() != want) || args.isEmpty()) {
        throw error(
            t, n + "() takes " + (want > 0 ? want + " argument(s)" : "at least one argument"));
      }
      Pos at = t.at;
      return env -> {
        List<Value> vals = new ArrayList<>();
        for (Expr a : args) {
          vals.add(a.eval(env));
        }
        return callFunction(n, vals, at);
      };
    }

    Expr method(String series, FormulaToken method, List<Expr> args) throws FormulaError {
      String m = method.text;
      Pos at = method.at;
      switch (m) {
        case "GetSample":
          if (args.isEmpty() || args.size() > 3) {
            throw error(method, "GetSample takes 1 to 3 arguments");
          }
          return env -> getSample(env, series, evalAll(env, args), at);
        case "GetSamplePercent":
          if (args.isEmpty() || args.size() > 2) {
            throw error(method, "GetSamplePercent takes 1 or 2 arguments");
          }
          return env -> {
            List<Value> v = evalAll(env, args);
            Window w = window(env.in.now, v.get(0), v.size() > 1 ? v.get(1) : null, at);
            return Value.num(w.percent(env.in.samples));
          };
        case "Count":
          if (!args.isEmpty()) {
            throw error(method, "Count takes no argument");
          }
          return env -> Value.num(env.in.samples.size());
        case "GetSamplePeriod":
        case "HistoryBeginTime":
          throw new FormulaError(
              at.line, at.col, "the Batch REST double does not evaluate " + m + "()", true);
        default:
          throw error(method, "unknown method '" + m + "' of " + series);
      }
    }
  }

  private static List<Value> evalAll(Env env, List<Expr> args) throws EvalError {
    List<Value> out = new ArrayList<>();
    for (Expr a : args) {
      out.add(a.eval(env));
    }
    return out;
  }

  // ------------------------------------------------------------------ evaluation

  private static boolean truth(Value v, Pos at, String op) throws EvalError {
    if (v.kind != ValueKind.NUM) {
      throw evalError(at, "'" + op + "' needs a double, not a " + typeName(v.kind));
    }
    return v.num != 0;
  }

  private static Value compare(Value a, Value b, FormulaToken op) throws EvalError {
    int c;
    if (a.kind == ValueKind.NUM && b.kind == ValueKind.NUM
        || a.kind == ValueKind.INTERVAL && b.kind == ValueKind.INTERVAL) {
      if (Double.isNaN(a.num) || Double.isNaN(b.num)) {
        return Value.bool(op.text.equals("!="));
      }
      c = Double.compare(a.num, b.num);
    } else if (a.kind == ValueKind.STR && b.kind == ValueKind.STR) {
      c = a.text.compareTo(b.text);
    } else {
      throw evalError(
          op.at,
          "cannot compare a "
              + typeName(a.kind)
              + " with a "
              + typeName(b.kind)
              + " ('"
              + op.text
              + "')");
    }
    switch (op.text) {
      case "==":
        return Value.bool(c == 0);
      case "!=":
        return Value.bool(c != 0);
      case "<":
        return Value.bool(c < 0);
      case "<=":
        return Value.bool(c <= 0);
      case ">":
        return Value.bool(c > 0);
      default:
        return Value.bool(c >= 0);
    }
  }

  private static double apply(double x, double y, String op) {
    switch (op) {
      case "+":
        return x + y;
      case "-":
        return x - y;
      case "*":
        return x * y;
      default:
        return x / y;
    }
  }

  /** The operations of the service's table, and nothing else. */
  private static Value arithmetic(Value a, Value b, FormulaToken op) throws EvalError {
    String o = op.text;
    if (a.kind == ValueKind.NUM && b.kind == ValueKind.NUM) {
      return Value.num(apply(a.num, b.num, o));
    }
    if (a.kind == ValueKind.VEC && b.kind == ValueKind.NUM) {
      double[] r = new double[a.vec.length];
      for (int i = 0; i < r.length; i++) {
        r[i] = apply(a.vec[i], b.num, o);
      }
      return Value.vec(r);
    }
    if (a.kind == ValueKind.VEC && b.kind == ValueKind.VEC) {
      if (a.vec.length != b.vec.length) {
        throw evalError(
            op.at, "vectors of different lengths (" + a.vec.length + " and " + b.vec.length + ")");
      }
      double[] r = new double[a.vec.length];
      for (int i = 0; i < r.length; i++) {
        r[i] = apply(a.vec[i], b.vec[i], o);
      }
      return Value.vec(r);
    }
    if (a.kind == ValueKind.NUM && b.kind == ValueKind.INTERVAL && o.equals("*")) {
      return Value.interval(a.num * b.num);
    }
    if (a.kind == ValueKind.INTERVAL
        && b.kind == ValueKind.NUM
        && (o.equals("*") || o.equals("/"))) {
      return Value.interval(apply(a.num, b.num, o));
    }
    if (a.kind == ValueKind.INTERVAL
        && b.kind == ValueKind.INTERVAL
        && (o.equals("+") || o.equals("-"))) {
      return Value.interval(apply(a.num, b.num, o));
    }
    throw evalError(
        op.at,
        "'" + o + "' does not apply to a " + typeName(a.kind) + " and a " + typeName(b.kind));
  }

  private static Value callFunction(String n, List<Value> args, Pos at) throws EvalError {
    if (n.equals("val")) {
      Value v = args.get(0);
      Value i = args.get(1);
      if (v.kind != ValueKind.VEC || i.kind != ValueKind.NUM) {
        throw evalError(at, "val() takes a doubleVec and a double");
      }
      int k = (int) i.num;
      if (k < 0 || k >= v.vec.length) {
        throw evalError(
            at, "val() index " + number(i.num) + " is outside 0.." + (v.vec.length - 1));
      }
      return Value.num(v.vec[k]);
    }
    if (n.equals("lg") || n.equals("ln") || n.equals("log")) {
      Value v = args.get(0);
      if (v.kind != ValueKind.NUM) {
        throw evalError(at, n + "() takes a double here");
      }
      double x = v.num;
      return Value.num(n.equals("ln") ? Math.log(x) : n.equals("log") ? Math.log10(x) : log2(x));
    }
    List<Double> list = new ArrayList<>();
    for (Value v : args) {
      if (v.kind == ValueKind.NUM) {
        list.add(v.num);
      } else if (v.kind == ValueKind.VEC) {
        for (double d : v.vec) {
          list.add(d);
        }
      } else if (v.kind == ValueKind.SERIES) {
        throw evalError(at, n + "() takes samples, not the series " + v.text + " (use GetSample)");
      } else {
        throw evalError(at, n + "() takes doubles and doubleVecs, not a " + typeName(v.kind));
      }
    }
    if (n.equals("len")) {
      return Value.num(list.size());
    }
    if (list.isEmpty()) {
      throw evalError(at, n + "() of an empty list");
    }
    double sum = 0;
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (double d : list) {
      sum += d;
      min = Math.min(min, d);
      max = Math.max(max, d);
    }
    switch (n) {
      case "sum":
        return Value.num(sum);
      case "avg":
        return Value.num(sum / list.size());
      case "min":
        return Value.num(min);
      case "max":
        return Value.num(max);
      case "range":
        return Value.num(max - min);
      default:
        {
          if (list.size() < 2) {
            return Value.num(0);
          }
          double mean = sum / list.size();
          double sq = 0;
          for (double d : list) {
            sq += (d - mean) * (d - mean);
          }
          return Value.num(Math.sqrt(sq / (list.size() - 1)));
        }
    }
  }

  private static double log2(double x) {
    return Math.log(x) / Math.log(2);
  }

  /** A look-back window [now - older, now - newer] and the samples it should hold. */
  private record Window(Instant from, Instant to, long expected) {
    List<Sample> select(List<Sample> samples) {
      List<Sample> out = new ArrayList<>();
      for (Sample s : samples) {
        if (!s.at().isBefore(from) && !s.at().isAfter(to)) {
          out.add(s);
        }
      }
      return out;
    }

    double percent(List<Sample> samples) {
      if (expected <= 0) {
        return select(samples).isEmpty() ? 0 : 100;
      }
      return Math.min(100.0, Math.floor(select(samples).size() * 100.0 / expected));
    }
  }

  private static Window window(Instant now, Value start, Value end, Pos at) throws EvalError {
    if (start.kind != ValueKind.INTERVAL || (end != null && end.kind != ValueKind.INTERVAL)) {
      throw evalError(at, "a sample window is given with time intervals (TimeInterval_*)");
    }
    double a = start.num;
    double b = end == null ? 0 : end.num;
    double older = Math.max(a, b);
    double newer = Math.min(a, b);
    long expected = (long) Math.floor((older - newer) / SAMPLE_PERIOD.toSeconds());
    return new Window(
        now.minusMillis((long) (older * 1000)), now.minusMillis((long) (newer * 1000)), expected);
  }

  private static Value getSample(Env env, String series, List<Value> args, Pos at)
      throws EvalError {
    List<Sample> samples = env.in.samples;
    Value first = args.get(0);
    if (first.kind == ValueKind.NUM && args.size() == 1) {
      int count = (int) first.num;
      if (count < 1) {
        throw evalError(at, "GetSample needs a count of at least 1");
      }
      if (samples.isEmpty()) {
        throw insufficient(at, series, "wanted " + count + " samples, received 0");
      }
      List<Sample> last = samples.subList(Math.max(0, samples.size() - count), samples.size());
      return values(last, series);
    }
    Value end = args.size() > 1 && args.get(1).kind == ValueKind.INTERVAL ? args.get(1) : null;
    int percentAt = end == null ? 1 : 2;
    Value percent = args.size() > percentAt ? args.get(percentAt) : null;
    if (args.size() > percentAt + 1 || (percent != null && percent.kind != ValueKind.NUM)) {
      throw evalError(at, "GetSample takes (interval[, interval][, percent])");
    }
    Window w = window(env.in.now, first, end, at);
    List<Sample> in = w.select(samples);
    double got = w.percent(samples);
    if (percent != null && got < percent.num) {
      throw insufficient(
          at, series, "wanted " + number(percent.num) + "%, received " + number(got) + "%");
    }
    if (in.isEmpty()) {
      throw insufficient(at, series, "wanted samples, received 0%");
    }
    return values(in, series);
  }

  private static Value values(List<Sample> samples, String series) {
    double[] v = new double[samples.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = samples.get(i).value(series);
    }
    return Value.vec(v);
  }

  private static EvalError insufficient(Pos at, String series, String what) {
    return new EvalError(
        "InsufficientSampleData",
        "Autoscale evaluation failed due to insufficient sample data",
        at,
        "Insufficient data from data set: " + series + " " + what);
  }
}

package dev.redwood.examples.rtm.fwi;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;

/**
 * Limited-memory BFGS with simple bounds, for full-waveform inversion where every function
 * evaluation (misfit and gradient together) is a whole pipeline run, so evaluations are what to
 * save. Directions come from the two-loop recursion over the last {@code memory} steps; the step
 * length from a backtracking line search with the Armijo condition, starting at 1 (the quasi-Newton
 * step is well scaled once curvature pairs exist) and, for the first iteration, at a step that
 * changes the model by a set fraction. Iterates are projected onto the bounds; a curvature pair is
 * kept only if s.y > 0, so the inverse-Hessian estimate stays positive definite.
 */
public final class Lbfgs {

  /** The misfit and its gradient at a point. */
  public record Evaluation(double value, double[] gradient) {}

  /** Evaluates the objective (one pipeline run in FWI). */
  public interface Objective {
    Evaluation evaluate(double[] x) throws Exception;
  }

  /** Told about each accepted iterate. */
  public interface IterationListener {
    void iteration(int iteration, double value, double[] x, int evaluations, double step);
  }

  /** Where the optimisation stopped. */
  public record LbfgsResult(
      double[] x, double value, int iterations, int evaluations, String stop) {}

  private static final double ARMIJO = 1e-4;
  private static final int MAX_BACKTRACKS = 6;

  private final int memory;
  private final double[] lower;
  private final double[] upper;
  private final double firstStepFraction;

  /**
   * @param memory curvature pairs kept
   * @param lower lower bound per variable
   * @param upper upper bound per variable
   * @param firstStepFraction the first step moves the largest variable change to this fraction of
   *     the largest |x|
   */
  public Lbfgs(int memory, double[] lower, double[] upper, double firstStepFraction) {
    if (memory < 1) {
      throw new IllegalArgumentException("L-BFGS memory must be at least 1, got " + memory);
    }
    this.memory = memory;
    this.lower = lower;
    this.upper = upper;
    this.firstStepFraction = firstStepFraction;
  }

  public LbfgsResult minimise(
      double[] start, Objective objective, int iterations, IterationListener progress)
      throws Exception {
    double[] x = project(start.clone());
    Evaluation at = objective.evaluate(x);
    int evaluations = 1;
    Deque<double[][]> pairs = new ArrayDeque<>();
    if (progress != null) {
      progress.iteration(0, at.value(), x, evaluations, 0);
    }
    for (int k = 1; k <= iterations; k++) {
      double[] direction = direction(at.gradient(), pairs);
      double slope = dot(direction, at.gradient());
      if (!(slope < 0)) {
        // Not a descent direction (bounds or a poor curvature estimate): restart downhill.
        pairs.clear();
        direction = negate(at.gradient());
        slope = dot(direction, at.gradient());
        if (!(slope < 0)) {
          return new LbfgsResult(x, at.value(), k - 1, evaluations, "zero gradient");
        }
      }
      double step = pairs.isEmpty() ? firstStep(x, direction) : 1;
      double[] trial = null;
      Evaluation trialAt = null;
      boolean accepted = false;
      for (int b = 0; b <= MAX_BACKTRACKS && !accepted; b++) {
        trial = project(axpy(step, direction, x));
        trialAt = objective.evaluate(trial);
        evaluations++;
        double decrease = dot(at.gradient(), subtract(trial, x));
        accepted =
            trialAt.value() <= at.value() + ARMIJO * decrease && trialAt.value() < at.value();
        if (!accepted) {
          // Minimum of the quadratic through f(0), f'(0) and f(step), kept within [0.1, 0.5] step.
          double curvature = trialAt.value() - at.value() - step * slope;
          double next = curvature > 0 ? -slope * step * step / (2 * curvature) : step / 2;
          step = Math.max(0.1 * step, Math.min(0.5 * step, next));
        }
      }
      if (!accepted) {
        return new LbfgsResult(x, at.value(), k - 1, evaluations, "line search found no decrease");
      }
      double[] s = subtract(trial, x);
      double[] y = subtract(trialAt.gradient(), at.gradient());
      double sy = dot(s, y);
      if (sy > 1e-12 * Math.sqrt(dot(s, s) * dot(y, y))) {
        pairs.addLast(new double[][] {s, y, {1 / sy}});
        if (pairs.size() > memory) {
          pairs.removeFirst();
        }
      }
      x = trial;
      at = trialAt;
      if (progress != null) {
        progress.iteration(k, at.value(), x, evaluations, step);
      }
    }
    return new LbfgsResult(x, at.value(), iterations, evaluations, "iterations done");
  }

  /** -H g by the two-loop recursion, H0 = (s.y / y.y) I from the newest pair. */
  private static double[] direction(double[] gradient, Deque<double[][]> pairs) {
    double[] q = gradient.clone();
    double[] alpha = new double[pairs.size()];
    int i = pairs.size() - 1;
    for (Iterator<double[][]> it = pairs.descendingIterator(); it.hasNext(); i--) {
      double[][] p = it.next();
      alpha[i] = p[2][0] * dot(p[0], q);
      axpyInPlace(-alpha[i], p[1], q);
    }
    if (!pairs.isEmpty()) {
      double[][] newest = pairs.peekLast();
      double gamma = 1 / (newest[2][0] * dot(newest[1], newest[1]));
      for (int j = 0; j < q.length; j++) {
        q[j] *= gamma;
      }
    }
    i = 0;
    for (double[][] p : pairs) {
      double beta = p[2][0] * dot(p[1], q);
      axpyInPlace(alpha[i] - beta, p[0], q);
      i++;
    }
    return negate(q);
  }

  private double firstStep(double[] x, double[] direction) {
    double maxX = 0;
    double maxD = 0;
    for (int j = 0; j < x.length; j++) {
      maxX = Math.max(maxX, Math.abs(x[j]));
      maxD = Math.max(maxD, Math.abs(direction[j]));
    }
    return maxD == 0 ? 1 : firstStepFraction * maxX / maxD;
  }

  private double[] project(double[] x) {
    for (int j = 0; j < x.length; j++) {
      x[j] = Math.max(lower[j], Math.min(upper[j], x[j]));
    }
    return x;
  }

  static double dot(double[] a, double[] b) {
    double s = 0;
    for (int j = 0; j < a.length; j++) {
      s += a[j] * b[j];
    }
    return s;
  }

  private static double[] axpy(double a, double[] x, double[] y) {
    double[] r = y.clone();
    axpyInPlace(a, x, r);
    return r;
  }

  private static void axpyInPlace(double a, double[] x, double[] y) {
    for (int j = 0; j < y.length; j++) {
      y[j] += a * x[j];
    }
  }

  private static double[] subtract(double[] a, double[] b) {
    double[] r = new double[a.length];
    for (int j = 0; j < a.length; j++) {
      r[j] = a[j] - b[j];
    }
    return r;
  }

  private static double[] negate(double[] a) {
    double[] r = new double[a.length];
    for (int j = 0; j < a.length; j++) {
      r[j] = -a[j];
    }
    return r;
  }
}

package dev.redwood.runner.plan;

import dev.redwood.runner.shuffle.ShuffleObject;

/**
 * The objects one attempt of one task writes, all under the attempt's prefix (see {@link
 * JobLayout}). Operators and the grant of an attempt's write credentials take their keys from here,
 * so both name the same objects.
 */
public final class AttemptLayout {
  private final String prefix;
  private final String attemptId;

  AttemptLayout(String prefix, String attemptId) {
    this.prefix = prefix;
    this.attemptId = attemptId;
  }

  /** The attempt directory name, {@code attempt-<n>}. */
  public String attemptId() {
    return attemptId;
  }

  /** What the attempt produced, written last: once it exists, the attempt has succeeded. */
  public String manifest() {
    return prefix + "manifest";
  }

  /** Why the attempt failed (see {@link TaskFailure}). */
  public String failure() {
    return prefix + "failure";
  }

  /** The sorted data object and index the attempt writes for one shuffle. */
  public ShuffleObject shuffle(String shuffleId) {
    String data = prefix + "shuffle-" + safeName(shuffleId);
    return new ShuffleObject(data, data + ".index");
  }

  /** The object the attempt materializes a side-input view's elements in. */
  public String view(String viewId) {
    return prefix + "view-" + safeName(viewId);
  }

  /** The restrictions a splittable step of the attempt left for a continuation task. */
  public String residuals(String processStep) {
    return prefix + "residuals-" + safeName(processStep);
  }

  /** Transform-derived ids may hold '/', ' ' and the like; object names keep them flat. */
  private static String safeName(String id) {
    return id.replaceAll("[^A-Za-z0-9_.-]", "_");
  }
}

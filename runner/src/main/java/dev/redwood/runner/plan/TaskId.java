package dev.redwood.runner.plan;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Attempt {@code attempt} of task {@code task} of stage {@code stage}: one Batch task. Its text
 * form, {@code s<stage>-t<task>-a<attempt>}, is the Batch task id (letters, digits and '-', far
 * under Batch's 64 characters) and the task's argument to {@code TaskMain}; it is written by {@link
 * #toString} and read back by {@link #parse}, nowhere else.
 */
public record TaskId(int stage, int task, int attempt) {
  private static final Pattern FORMAT = Pattern.compile("s(\\d{1,9})-t(\\d{1,9})-a(\\d{1,9})");

  public TaskId {
    if (stage < 0 || task < 0 || attempt < 0) {
      throw new IllegalArgumentException(
          "Negative stage, task or attempt: " + stage + ", " + task + ", " + attempt);
    }
  }

  /** The first attempt of a task. */
  public static TaskId first(int stage, int task) {
    return new TaskId(stage, task, 0);
  }

  /** The attempt after this one. */
  public TaskId retry() {
    return new TaskId(stage, task, attempt + 1);
  }

  /** The task id {@code text} names, or empty when it is not one (another service's task). */
  public static Optional<TaskId> parse(String text) {
    Matcher m = FORMAT.matcher(text);
    if (!m.matches()) {
      return Optional.empty();
    }
    return Optional.of(
        new TaskId(
            Integer.parseInt(m.group(1)),
            Integer.parseInt(m.group(2)),
            Integer.parseInt(m.group(3))));
  }

  @Override
  public String toString() {
    return "s" + stage + "-t" + task + "-a" + attempt;
  }
}

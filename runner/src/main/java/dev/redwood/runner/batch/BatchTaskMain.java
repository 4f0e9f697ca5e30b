package dev.redwood.runner.batch;

import java.util.List;
import java.util.Map;

/**
 * A task's entry point when a node runs it inside a JVM that stays up between tasks.
 *
 * <p>Implementations have a public no-argument constructor. The environment holds the Batch
 * variables ({@code AZ_BATCH_TASK_WORKING_DIR}, ...) of this task: a task reads them from here,
 * since a reused JVM's own {@code System.getenv()} cannot differ per task.
 */
public interface BatchTaskMain {
  /** Runs the task; the return value is its exit code (0 = success). */
  int run(List<String> arguments, Map<String, String> environment) throws Exception;
}

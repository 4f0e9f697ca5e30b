package dev.redwood.runner.batch.azure.restdouble;

import dev.redwood.runner.batch.BatchTaskMain;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The double's scale mode for task commands that run a Java {@link BatchTaskMain} (Redwood's {@code
 * exec java ... -cp "$(cat ...)" "MAIN" "ARG"...}): the main runs in a thread of the double's JVM,
 * with the task's environment, instead of in a JVM of its own, so that a simulation can run tens of
 * thousands of tasks on a small machine. Everything the task does goes through the same services as
 * from a process (it reads its spec and writes its outputs and manifest in storage with its
 * grants); only the JVM start and the node's classpath are skipped. A cancelled execution
 * (preemption, termination) interrupts the thread. Other commands run as processes.
 */
final class InProcessJava {
  /** The tail of Redwood's task command: the classpath from the job preparation, main, args. */
  private static final Pattern TASK_COMMAND =
      Pattern.compile(
          "^/bin/bash -c 'exec java .* -cp \"\\$\\(cat \"[^\"]*\"\\)\" \"([A-Za-z0-9_.$]+)\"((?:"
              + " \"[^\"]*\")*)'$");

  private static final Pattern ARGUMENT = Pattern.compile("\"([^\"]*)\"");

  /** How many tasks run in threads now. */
  private final AtomicInteger running = new AtomicInteger();

  /** The main class and arguments of a task command this mode runs, if it is one. */
  static Optional<List<String>> parse(String commandLine) {
    Matcher m = TASK_COMMAND.matcher(commandLine);
    if (!m.matches()) {
      return Optional.empty();
    }
    List<String> words = new ArrayList<>();
    words.add(m.group(1));
    Matcher a = ARGUMENT.matcher(m.group(2));
    while (a.find()) {
      words.add(a.group(1));
    }
    return Optional.of(words);
  }

  /**
   * Runs the main of {@code command} ({@link #parse}) to its end or until the execution is
   * cancelled; null when cancelled, like a killed process. A failure to load or run the main is
   * exit code 1 with its trace in {@code stderr}.
   */
  NodeAgent.RunResult run(
      Sim.Execution execution, List<String> command, Map<String, String> env, Path stderr)
      throws InterruptedException {
    int[] exit = {1};
    Thread thread =
        new Thread(
            () -> {
              try {
                Class<?> main = Class.forName(command.get(0));
                BatchTaskMain task = (BatchTaskMain) main.getDeclaredConstructor().newInstance();
                exit[0] = task.run(command.subList(1, command.size()), env);
              } catch (Throwable t) {
                StringWriter trace = new StringWriter();
                t.printStackTrace(new PrintWriter(trace));
                try {
                  Files.writeString(stderr, trace.toString(), StandardCharsets.UTF_8);
                } catch (java.io.IOException e) {
                  // the node's directory is gone: the execution was cancelled
                }
              }
            },
            "double-task-" + execution.node.id);
    thread.setDaemon(true);
    running.incrementAndGet();
    try {
      thread.start();
      while (thread.isAlive()) {
        thread.join(200);
        if (execution.cancelled()) {
          thread.interrupt();
          thread.join(10_000);
          return null;
        }
      }
      return new NodeAgent.RunResult(exit[0], false);
    } finally {
      running.decrementAndGet();
    }
  }

  int running() {
    return running.get();
  }
}

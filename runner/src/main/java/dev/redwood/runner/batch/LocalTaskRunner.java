package dev.redwood.runner.batch;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Runs one task on the calling thread, the way a local node does in both modes: creates the task's
 * directories, points the thread's {@code System.out}/{@code System.err} at its {@code
 * stdout.txt}/{@code stderr.txt}, instantiates the {@link BatchTaskMain} and calls it.
 *
 * <p>Failures become exit codes, as for a process: a task that throws, or whose main class cannot
 * be loaded or is not a {@link BatchTaskMain}, exits with 1 and leaves the reason in its {@code
 * stderr.txt}. The working directory is deleted afterwards; the log files stay until the job's
 * directory goes.
 */
final class LocalTaskRunner {
  static final int FAILURE_EXIT_CODE = 1;

  private LocalTaskRunner() {}

  /** Runs the task and returns its exit code; classes are loaded through {@code classLoader}. */
  static int run(TaskLaunch launch, ClassLoader classLoader) {
    TaskOutputRouter.TaskOutput output;
    try {
      Files.createDirectories(launch.workingDir());
      output =
          new TaskOutputRouter.TaskOutput(
              openLog(launch.stdoutFile()), openLog(launch.stderrFile()));
    } catch (IOException e) {
      // No place for the task's own stderr: the node's log gets the reason.
      System.err.println("Cannot set up task " + launch.taskId() + " in " + launch.taskDir());
      e.printStackTrace();
      LocalFiles.deleteRecursively(launch.workingDir());
      return FAILURE_EXIT_CODE;
    }
    TaskOutputRouter.install();
    TaskOutputRouter.TaskOutput previousOutput = TaskOutputRouter.bind(output);
    Thread thread = Thread.currentThread();
    ClassLoader previousLoader = thread.getContextClassLoader();
    thread.setContextClassLoader(classLoader);
    try {
      return invoke(launch, classLoader, output.err());
    } finally {
      thread.setContextClassLoader(previousLoader);
      TaskOutputRouter.restore(previousOutput);
      output.close();
      LocalFiles.deleteRecursively(launch.workingDir());
    }
  }

  private static int invoke(TaskLaunch launch, ClassLoader classLoader, PrintStream stderr) {
    BatchTaskMain main;
    try {
      Class<?> mainClass = Class.forName(launch.mainClass(), true, classLoader);
      if (!BatchTaskMain.class.isAssignableFrom(mainClass)) {
        stderr.println(
            "Task main class "
                + launch.mainClass()
                + " does not implement "
                + BatchTaskMain.class.getName()
                + ", so a local node cannot run it");
        return FAILURE_EXIT_CODE;
      }
      main = (BatchTaskMain) mainClass.getDeclaredConstructor().newInstance();
    } catch (ClassNotFoundException e) {
      stderr.println("Task main class " + launch.mainClass() + " is not on the job's classpath");
      e.printStackTrace(stderr);
      return FAILURE_EXIT_CODE;
    } catch (InvocationTargetException e) {
      stderr.println("Constructor of task main class " + launch.mainClass() + " failed");
      e.getCause().printStackTrace(stderr);
      return FAILURE_EXIT_CODE;
    } catch (ReflectiveOperationException | LinkageError e) {
      stderr.println(
          "Cannot instantiate task main class "
              + launch.mainClass()
              + " (it needs a public no-argument constructor)");
      e.printStackTrace(stderr);
      return FAILURE_EXIT_CODE;
    }
    try {
      return main.run(launch.arguments(), launch.environment());
    } catch (Throwable e) {
      stderr.println("Task " + launch.taskId() + " failed:");
      e.printStackTrace(stderr);
      return FAILURE_EXIT_CODE;
    }
  }

  private static PrintStream openLog(Path file) throws IOException {
    // Auto-flush: if the node JVM dies, what the task printed so far is on disk.
    return new PrintStream(
        new BufferedOutputStream(
            Files.newOutputStream(
                file,
                StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)),
        true,
        StandardCharsets.UTF_8);
  }
}

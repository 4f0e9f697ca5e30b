package dev.redwood.runner.batch;

import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The main class of a node JVM: reads {@link NodeProtocol} commands from stdin, runs each task on a
 * thread of its own and replies on stdout.
 *
 * <p>Stdout is the reply channel, so it is taken over before anything else can print to it;
 * afterwards {@code System.out} goes to stderr, which the driver sends to the node's {@code
 * node.log}, and tasks' prints go to their own files ({@link TaskOutputRouter}). The JVM exits at
 * the end of stdin, so it never outlives its driver. A task that calls {@code System.exit} ends the
 * node: the driver sees its running tasks as lost.
 *
 * <p>A JVM may serve several jobs one after the other ({@link WarmNodeJvms}): at the end of each,
 * what the job's tasks left open in the JVM is closed by the hooks given to {@link #whenJobEnds}.
 */
public final class LocalNodeMain {
  private static final List<Runnable> JOB_END_HOOKS = new CopyOnWriteArrayList<>();

  private LocalNodeMain() {}

  /**
   * Runs {@code hook} when the job this JVM served ends and the JVM stays up for the next one (e.g.
   * to close the job's SDK harnesses). A node JVM serves one job at a time.
   */
  public static void whenJobEnds(Runnable hook) {
    JOB_END_HOOKS.add(hook);
  }

  /** Arguments: node id, job id (both only for log lines). */
  public static void main(String[] args) {
    // No static logger or other class initialization before this: it might print to stdout.
    PrintStream replies =
        new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8);
    System.setOut(System.err);
    TaskOutputRouter.install();

    String nodeId = args.length > 0 ? args[0] : System.getenv(BatchEnvironment.NODE_ID);
    String jobId = args.length > 1 ? args[1] : "?";
    Logger log = LoggerFactory.getLogger(LocalNodeMain.class);
    log.info("Node {} is up for job {} (pid {})", nodeId, jobId, ProcessHandle.current().pid());

    ExecutorService tasks =
        Executors.newCachedThreadPool(
            runnable -> {
              // Not inheriting thread-locals: see TaskOutputRouter.
              Thread thread = new Thread(null, runnable, "redwood-task", 0, false);
              thread.setDaemon(true);
              return thread;
            });
    ClassLoader classLoader = ClassLoader.getSystemClassLoader();
    reply(replies, NodeProtocol.readyReply());

    try (BufferedReader commands =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
      String line;
      while ((line = commands.readLine()) != null) {
        if (line.isBlank()) {
          continue;
        }
        if (line.equals(NodeProtocol.EXIT)) {
          break;
        }
        if (line.startsWith(NodeProtocol.END_JOB + " ")) {
          String ended = line.substring(NodeProtocol.END_JOB.length() + 1).trim();
          endJob(ended, log);
          reply(replies, NodeProtocol.jobEndedReply(ended));
          continue;
        }
        if (!line.startsWith(NodeProtocol.RUN + " ")) {
          log.warn("Ignoring unknown command: {}", line);
          continue;
        }
        TaskLaunch launch = NodeProtocol.parseRun(line.substring(NodeProtocol.RUN.length() + 1));
        tasks.execute(() -> runTask(launch, classLoader, replies, log));
      }
    } catch (IOException | RuntimeException e) {
      log.error("Node {} cannot read its commands; exiting", nodeId, e);
    }
    log.info("Node {} exits", nodeId);
    System.exit(0);
  }

  private static void endJob(String jobId, Logger log) {
    for (Runnable hook : JOB_END_HOOKS) {
      try {
        hook.run();
      } catch (RuntimeException e) {
        log.warn("Closing what job {} left in this node JVM failed", jobId, e);
      }
    }
    log.info("Job {} ended; this node JVM stays up for the next job", jobId);
  }

  private static void runTask(
      TaskLaunch launch, ClassLoader classLoader, PrintStream replies, Logger log) {
    Thread.currentThread().setName("redwood-task-" + launch.taskId());
    reply(replies, NodeProtocol.startedReply(launch.taskId()));
    int exitCode = LocalTaskRunner.FAILURE_EXIT_CODE;
    try {
      exitCode = LocalTaskRunner.run(launch, classLoader);
    } catch (Throwable e) {
      log.error("Task {} failed outside its main class", launch.taskId(), e);
    } finally {
      reply(replies, NodeProtocol.doneReply(launch.taskId(), exitCode));
      Thread.currentThread().setName("redwood-task");
    }
  }

  private static void reply(PrintStream replies, String line) {
    synchronized (replies) {
      replies.print(line + "\n");
      replies.flush();
    }
  }
}

package dev.redwood.runner.batch;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.InterruptedIOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One worker JVM of a {@link ProcessNode}, running the tasks of one job at a time ({@link
 * LocalNodeMain} on the job's classpath), and the driver's end of the {@link NodeProtocol} to it. A
 * JVM whose job has ended may serve the next job on the same classpath ({@link WarmNodeJvms}).
 *
 * <p>A daemon thread reads the JVM's replies and passes them to the listener. When the JVM ends
 * while tasks still run on it, those tasks complete with exit code -1 and a failure naming the node
 * and the JVM's exit code, as Batch reports tasks of a lost node.
 */
final class NodeJvm {
  private static final Logger LOG = LoggerFactory.getLogger(NodeJvm.class);
  private static final long STOP_GRACE_MILLIS = 2_000;
  private static final long KILL_WAIT_MILLIS = 10_000;

  private final LocalNodeLayout layout;
  private final Process process;
  private final Writer commands;
  private final Thread replyReader;

  /** Counted down at READY, or when the JVM ends without it. */
  private final CountDownLatch started = new CountDownLatch(1);

  // Guarded by this.
  private String jobId;
  private LocalNode.Listener listener;

  /** Counted down when the node confirms the end of the job it served ({@link #endJob}). */
  private CountDownLatch jobEnded = new CountDownLatch(0);

  private final Set<String> runningTasks = new LinkedHashSet<>();
  private boolean exited;

  /** Set by {@link #stop}: the JVM's end is then intended, not a lost node. */
  private boolean stopping;

  private boolean ready;

  private NodeJvm(
      LocalNodeLayout layout, String jobId, LocalNode.Listener listener, Process process) {
    this.layout = layout;
    this.process = process;
    synchronized (this) {
      this.jobId = jobId;
      this.listener = listener;
    }
    this.commands =
        new BufferedWriter(
            new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
    this.replyReader =
        new Thread(this::readReplies, "redwood-" + layout.nodeId() + "-replies-" + process.pid());
    replyReader.setDaemon(true);
  }

  /** Starts the JVM; it runs tasks once it has started up (commands wait in its stdin). */
  static NodeJvm start(
      LocalNodeLayout layout,
      String jobId,
      List<Path> classpath,
      int heapMb,
      List<String> jvmFlags,
      LocalNode.Listener listener)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmFlags);
    command.add("-Xmx" + heapMb + "m");
    command.add("-cp");
    command.add(
        classpath.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator)));
    command.add(LocalNodeMain.class.getName());
    command.add(layout.nodeId());
    command.add(jobId);

    Files.createDirectories(layout.startupDir());
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(layout.rootDir().toFile())
            .redirectError(ProcessBuilder.Redirect.appendTo(layout.nodeLog().toFile()));
    builder.environment().putAll(layout.nodeEnvironment());
    NodeJvm jvm = new NodeJvm(layout, jobId, listener, builder.start());
    jvm.replyReader.start();
    LOG.debug("Started {} for job {}: pid {}", layout.nodeId(), jobId, jvm.process.pid());
    return jvm;
  }

  /**
   * Waits until the JVM has started up and reads commands. Fails, with the end of the node log,
   * when it exits first (bad JVM flags, a classpath without {@link LocalNodeMain}) or is too slow.
   */
  void awaitReady(long timeoutMillis) throws IOException {
    try {
      if (!started.await(timeoutMillis, TimeUnit.MILLISECONDS)) {
        stop();
        throw new IOException(
            layout.nodeId()
                + " did not start within "
                + timeoutMillis
                + " ms; see "
                + layout.nodeLog());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("Interrupted while " + layout.nodeId() + " started");
    }
    synchronized (this) {
      if (!ready) {
        throw new IOException(
            "The JVM of "
                + layout.nodeId()
                + " exited with code "
                + process.exitValue()
                + " during start-up. End of "
                + LocalFiles.labeledTail(layout.nodeLog(), 4096));
      }
    }
  }

  /**
   * Makes this JVM, whose last job has ended ({@link #endJob}), run the tasks of {@code newJobId}.
   * False when it cannot: it has exited, is stopping or still runs tasks.
   */
  synchronized boolean adopt(String newJobId, LocalNode.Listener newListener) {
    if (exited || stopping || !runningTasks.isEmpty() || !process.isAlive()) {
      return false;
    }
    jobId = newJobId;
    listener = newListener;
    return true;
  }

  /**
   * Tells the JVM its job has ended, so it closes what the job left open (SDK harnesses), and waits
   * until it confirms. True when the JVM is idle, confirmed within {@code timeoutMillis} and may
   * serve another job; false when it should be stopped instead.
   */
  boolean endJob(long timeoutMillis) {
    CountDownLatch ended = new CountDownLatch(1);
    String ending;
    synchronized (this) {
      if (exited || stopping || !runningTasks.isEmpty()) {
        return false;
      }
      ending = jobId;
      jobEnded = ended;
      try {
        commands.write(NodeProtocol.END_JOB + " " + ending + "\n");
        commands.flush();
      } catch (IOException e) {
        return false;
      }
    }
    try {
      if (ended.await(timeoutMillis, TimeUnit.MILLISECONDS)) {
        return isAlive();
      }
      LOG.debug("{} did not confirm the end of job {} in time", layout.nodeId(), ending);
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  ProcessHandle handle() {
    return process.toHandle();
  }

  synchronized boolean isAlive() {
    return !exited && process.isAlive();
  }

  /** Sends the task to the JVM. If the JVM is gone, the task is reported lost with the rest. */
  synchronized void run(TaskLaunch launch) throws IOException {
    if (exited) {
      throw new IOException("The JVM of " + layout.nodeId() + " for job " + jobId + " has exited");
    }
    runningTasks.add(launch.taskId());
    try {
      commands.write(NodeProtocol.runCommand(launch));
      commands.write('\n');
      commands.flush();
    } catch (IOException e) {
      // The pipe broke, so the JVM is dying: make sure it ends, so that the reply reader sees the
      // end of its output and reports this task as lost.
      LOG.debug("Cannot send task {} to {}: {}", launch.taskId(), layout.nodeId(), e.toString());
      process.destroyForcibly();
    }
  }

  /**
   * Ends the JVM: asks it to exit, kills it if it has tasks running or does not exit within ~2 s,
   * and waits until it is gone and its running tasks have been reported.
   */
  void stop() {
    boolean busy;
    synchronized (this) {
      stopping = true;
      busy = !runningTasks.isEmpty();
      try {
        commands.write(NodeProtocol.EXIT + "\n");
        commands.close();
      } catch (IOException e) {
        // Already gone.
      }
    }
    if (busy) {
      // Processes the tasks started would keep running without their parent.
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroy();
    }
    try {
      if (!process.waitFor(STOP_GRACE_MILLIS, TimeUnit.MILLISECONDS)) {
        LOG.debug("{} did not stop within {} ms; killing it", layout.nodeId(), STOP_GRACE_MILLIS);
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        if (!process.waitFor(KILL_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
          LOG.warn("{} (pid {}) survived being killed", layout.nodeId(), process.pid());
        }
      }
      replyReader.join(KILL_WAIT_MILLIS);
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private void readReplies() {
    try (BufferedReader replies =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = replies.readLine()) != null) {
        handleReply(line);
      }
    } catch (IOException e) {
      LOG.debug("Reading replies of {} failed: {}", layout.nodeId(), e.toString());
    } catch (RuntimeException e) {
      LOG.error("Handling replies of {} failed", layout.nodeId(), e);
    }
    int exitCode = waitForExit();
    List<String> lost;
    boolean intended;
    String jobId;
    LocalNode.Listener listener;
    synchronized (this) {
      exited = true;
      intended = stopping;
      jobId = this.jobId;
      listener = this.listener;
      started.countDown();
      jobEnded.countDown();
      lost = new ArrayList<>(runningTasks);
      runningTasks.clear();
    }
    if (lost.isEmpty()) {
      LOG.debug("{} JVM for job {} exited with code {}", layout.nodeId(), jobId, exitCode);
      return;
    }
    String failure;
    if (intended) {
      // The service has already reported these tasks as terminated; this frees their slots.
      failure = "terminated";
      LOG.debug("{} stopped for job {}; tasks stopped: {}", layout.nodeId(), jobId, lost);
    } else {
      failure =
          "Node "
              + layout.nodeId()
              + " was lost: its JVM (pid "
              + process.pid()
              + ") exited with code "
              + exitCode
              + " while the task ran; see "
              + layout.nodeLog();
      LOG.warn("{}; tasks lost: {}", failure, lost);
    }
    for (String taskId : lost) {
      if (intended) {
        listener.taskCompleted(layout.nodeId(), jobId, taskId, -1, failure);
      } else {
        listener.taskLost(layout.nodeId(), jobId, taskId, failure);
      }
    }
  }

  private void handleReply(String line) {
    NodeProtocol.Reply reply = NodeProtocol.parseReply(line);
    if (reply == null) {
      LOG.debug("{} stdout: {}", layout.nodeId(), line);
      return;
    }
    String jobId;
    LocalNode.Listener listener;
    synchronized (this) {
      jobId = this.jobId;
      listener = this.listener;
    }
    switch (reply.kind()) {
      case NodeProtocol.READY:
        LOG.debug("{} is ready for job {}", layout.nodeId(), jobId);
        synchronized (this) {
          ready = true;
        }
        started.countDown();
        break;
      case NodeProtocol.STARTED:
        listener.taskStarted(layout.nodeId(), jobId, reply.taskId());
        break;
      case NodeProtocol.JOB_ENDED:
        synchronized (this) {
          jobEnded.countDown();
        }
        break;
      case NodeProtocol.DONE:
        boolean known;
        synchronized (this) {
          known = runningTasks.remove(reply.taskId());
        }
        if (known) {
          listener.taskCompleted(layout.nodeId(), jobId, reply.taskId(), reply.exitCode(), null);
        }
        break;
      default:
        break;
    }
  }

  private int waitForExit() {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return process.waitFor();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}

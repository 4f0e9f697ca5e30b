package dev.redwood.runner.batch;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node that is a thread pool inside the driver's JVM, one thread per task slot: no JVM start-up,
 * so tests run fast. Tasks load their classes through the class loader that was the context class
 * loader when the job was created. Terminating a job interrupts its task threads; a task that
 * ignores interrupts keeps its thread (and slot) until it returns.
 */
final class InProcessNode implements LocalNode {
  private static final Logger LOG = LoggerFactory.getLogger(InProcessNode.class);
  private static final long TERMINATE_WAIT_MILLIS = 2_000;

  private final LocalNodeLayout layout;
  private final Listener listener;
  private final ExecutorService slots;

  // Guarded by this.
  private final Map<String, ClassLoader> jobClassLoaders = new HashMap<>();
  private final Map<TaskKey, Thread> runningThreads = new HashMap<>();

  InProcessNode(LocalNodeLayout layout, int slotCount, Listener listener) {
    this.layout = layout;
    this.listener = listener;
    AtomicInteger threadNumber = new AtomicInteger();
    this.slots =
        Executors.newFixedThreadPool(
            slotCount,
            runnable -> {
              // No inherited thread-locals: a slot thread may be created from a task's thread,
              // and must not write into that task's stdout.txt forever after.
              Thread thread =
                  new Thread(
                      null,
                      runnable,
                      "redwood-" + layout.nodeId() + "-slot-" + threadNumber.incrementAndGet(),
                      0,
                      false);
              thread.setDaemon(true);
              return thread;
            });
  }

  @Override
  public LocalNodeLayout layout() {
    return layout;
  }

  @Override
  public synchronized void prepareJob(JobSpec job) {
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    jobClassLoaders.put(
        job.jobId(), loader != null ? loader : InProcessNode.class.getClassLoader());
  }

  @Override
  public synchronized void startTask(TaskLaunch launch) {
    ClassLoader loader = jobClassLoaders.get(launch.jobId());
    if (loader == null) {
      throw new IllegalStateException(
          "Job " + launch.jobId() + " is not prepared on " + layout.nodeId());
    }
    slots.execute(() -> runTask(launch, loader));
  }

  private void runTask(TaskLaunch launch, ClassLoader loader) {
    TaskKey key = new TaskKey(launch.jobId(), launch.taskId());
    boolean terminated;
    synchronized (this) {
      terminated = !jobClassLoaders.containsKey(launch.jobId());
      if (!terminated) {
        runningThreads.put(key, Thread.currentThread());
      }
    }
    if (terminated) {
      // Terminated while waiting for this thread: never ran. (Listener calls are made without
      // holding this node's lock: the service calls in while holding its own.)
      listener.taskCompleted(nodeId(), key.jobId, key.taskId, -1, "terminated");
      return;
    }
    int exitCode = LocalTaskRunner.FAILURE_EXIT_CODE;
    try {
      listener.taskStarted(nodeId(), key.jobId, key.taskId);
      exitCode = LocalTaskRunner.run(launch, loader);
    } finally {
      synchronized (this) {
        runningThreads.remove(key);
        // An interrupt meant for this task must not hit the next one on this thread.
        Thread.interrupted();
        notifyAll();
      }
      listener.taskCompleted(nodeId(), key.jobId, key.taskId, exitCode, null);
    }
  }

  @Override
  public synchronized void terminateJob(String jobId) {
    jobClassLoaders.remove(jobId);
    List<TaskKey> stopping = new ArrayList<>();
    runningThreads.forEach(
        (key, thread) -> {
          if (key.jobId.equals(jobId)) {
            stopping.add(key);
            thread.interrupt();
          }
        });
    long deadline = System.currentTimeMillis() + TERMINATE_WAIT_MILLIS;
    while (stopping.stream().anyMatch(runningThreads::containsKey)) {
      long left = deadline - System.currentTimeMillis();
      if (left <= 0) {
        LOG.warn(
            "Tasks of job {} on {} ignore interrupts and keep running: {}",
            jobId,
            nodeId(),
            stopping.stream().filter(runningThreads::containsKey).toList());
        return;
      }
      try {
        wait(left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  @Override
  public List<ProcessHandle> processes() {
    return List.of();
  }

  @Override
  public void close() {
    List<String> jobs;
    synchronized (this) {
      jobs = new ArrayList<>(jobClassLoaders.keySet());
    }
    jobs.forEach(this::terminateJob);
    slots.shutdownNow();
    try {
      slots.awaitTermination(TERMINATE_WAIT_MILLIS, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private record TaskKey(String jobId, String taskId) {}
}

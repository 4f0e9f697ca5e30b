package dev.redwood.runner.batch;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Node JVMs of the local backend kept warm between the pipelines of one driver JVM: when a job ends
 * on an idle node JVM, the JVM waits here, and the next job of a node with the same directory,
 * classpath, heap and flags takes it instead of starting a JVM (so a loop of pipelines, such as an
 * inversion's misfit evaluations, pays the JVM start and the JIT warm-up once).
 *
 * <p>Bounded: a JVM left unused for {@link #IDLE_MILLIS} is stopped, as is the longest-waiting one
 * beyond {@link #MAX_WARM}; all are stopped when the driver JVM exits (and a node JVM exits by
 * itself when the driver's end of its stdin closes, should the driver die).
 */
final class WarmNodeJvms {
  private static final Logger LOG = LoggerFactory.getLogger(WarmNodeJvms.class);

  /** How long a warm JVM waits for another job before it is stopped. */
  static final long IDLE_MILLIS = 120_000;

  /** At most this many warm JVMs wait at once. */
  static final int MAX_WARM = 4;

  /** How long a node JVM may take to close what its ended job left open. */
  private static final long END_JOB_MILLIS = 30_000;

  /** What must match for a JVM to serve a node's next job: it was started with exactly these. */
  record Key(Path nodeRoot, List<Path> classpath, int heapMb, List<String> jvmFlags) {}

  private record Warm(Key key, NodeJvm jvm, long since) {}

  // Guarded by WARM; in the order the JVMs arrived.
  private static final List<Warm> WARM = new ArrayList<>();
  private static boolean shuttingDown;
  private static ScheduledExecutorService reaper;

  static {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  synchronized (WARM) {
                    shuttingDown = true;
                  }
                  stopAll();
                },
                "redwood-warm-nodes"));
  }

  private WarmNodeJvms() {}

  /** A warm JVM for {@code key}, adopted by the job, or null when there is none. */
  static NodeJvm take(Key key, String jobId, LocalNode.Listener listener) {
    List<NodeJvm> dead = new ArrayList<>();
    NodeJvm taken = null;
    synchronized (WARM) {
      for (Iterator<Warm> it = WARM.iterator(); it.hasNext() && taken == null; ) {
        Warm warm = it.next();
        if (warm.key.equals(key)) {
          it.remove();
          if (warm.jvm.adopt(jobId, listener)) {
            taken = warm.jvm;
          } else {
            dead.add(warm.jvm);
          }
        }
      }
    }
    dead.forEach(NodeJvm::stop);
    return taken;
  }

  /**
   * Keeps the JVM, whose job has ended, for a later job of {@code key}; stops it instead when it is
   * not idle or the driver JVM is exiting.
   */
  static void park(Key key, NodeJvm jvm) {
    if (!jvm.endJob(END_JOB_MILLIS)) {
      jvm.stop();
      return;
    }
    List<NodeJvm> evicted = new ArrayList<>();
    synchronized (WARM) {
      if (shuttingDown) {
        evicted.add(jvm);
      } else {
        WARM.add(new Warm(key, jvm, System.nanoTime()));
        while (WARM.size() > MAX_WARM) {
          evicted.add(WARM.remove(0).jvm);
        }
        if (reaper == null) {
          reaper =
              Executors.newSingleThreadScheduledExecutor(
                  r -> {
                    Thread thread = new Thread(r, "redwood-warm-nodes-reaper");
                    thread.setDaemon(true);
                    return thread;
                  });
          reaper.scheduleWithFixedDelay(WarmNodeJvms::stopIdle, 5, 5, TimeUnit.SECONDS);
        }
      }
    }
    evicted.forEach(NodeJvm::stop);
  }

  /** The warm JVMs' processes (none of them runs a task). */
  static List<ProcessHandle> processes() {
    synchronized (WARM) {
      return WARM.stream().map(w -> w.jvm.handle()).toList();
    }
  }

  /** Stops every warm JVM now (the next pipeline starts its node JVMs afresh). */
  static void stopAll() {
    List<NodeJvm> all = new ArrayList<>();
    synchronized (WARM) {
      WARM.forEach(w -> all.add(w.jvm));
      WARM.clear();
    }
    all.forEach(NodeJvm::stop);
    if (!all.isEmpty()) {
      LOG.debug("Stopped {} warm node JVMs", all.size());
    }
  }

  private static void stopIdle() {
    long now = System.nanoTime();
    List<NodeJvm> idle = new ArrayList<>();
    synchronized (WARM) {
      for (Iterator<Warm> it = WARM.iterator(); it.hasNext(); ) {
        Warm warm = it.next();
        if (now - warm.since > TimeUnit.MILLISECONDS.toNanos(IDLE_MILLIS)) {
          it.remove();
          idle.add(warm.jvm);
        }
      }
    }
    idle.forEach(NodeJvm::stop);
  }
}

package dev.redwood.runner.batch;

import dev.redwood.runner.storage.BlobStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node whose tasks run in worker JVMs on this machine: one {@link NodeJvm} per job, started by
 * job preparation on the job's classpath, so jobs with different classpaths can share the node.
 *
 * <p>Job preparation downloads the job's classpath into the node's shared directory. Staged jar
 * names are content hashes, so a jar already there with the same size is the same jar and is
 * reused, across jobs and runs. A JVM that died is started again for the job's next task.
 *
 * <p>With {@code reuseJvms}, a job's JVM that is idle when the job ends stays up ({@link
 * WarmNodeJvms}) and the node's next job on the same classpath runs on it.
 */
final class ProcessNode implements LocalNode {
  private static final Logger LOG = LoggerFactory.getLogger(ProcessNode.class);

  /** Generous: JVMs start slowly on a busy machine, and a failed start is reported anyway. */
  private static final long START_TIMEOUT_MILLIS = 60_000;

  private final LocalNodeLayout layout;
  private final BlobStore store;
  private final int heapMb;
  private final List<String> jvmFlags;
  private final boolean reuseJvms;
  private final Listener listener;

  // Guarded by this.
  private final Map<String, PreparedJob> jobs = new HashMap<>();

  ProcessNode(
      LocalNodeLayout layout,
      BlobStore store,
      int heapMb,
      List<String> jvmFlags,
      boolean reuseJvms,
      Listener listener) {
    this.layout = layout;
    this.store = store;
    this.heapMb = heapMb;
    this.jvmFlags = List.copyOf(jvmFlags);
    this.reuseJvms = reuseJvms;
    this.listener = listener;
  }

  @Override
  public LocalNodeLayout layout() {
    return layout;
  }

  /**
   * Downloads the job's classpath and starts the job's JVM (or takes a warm one), waiting until it
   * is up.
   */
  @Override
  public void prepareJob(JobSpec job) throws IOException {
    List<Path> classpath = downloadClasspath(job);
    NodeJvm warm = reuseJvms ? WarmNodeJvms.take(warmKey(classpath), job.jobId(), listener) : null;
    NodeJvm jvm =
        warm != null
            ? warm
            : NodeJvm.start(layout, job.jobId(), classpath, heapMb, jvmFlags, listener);
    synchronized (this) {
      jobs.put(job.jobId(), new PreparedJob(classpath, jvm));
    }
    if (warm != null) {
      LOG.debug("{} runs job {} on a warm JVM (pid {})", nodeId(), job.jobId(), jvm.handle().pid());
    }
    // Fail the job's creation, not each of its tasks, when the node cannot start at all.
    jvm.awaitReady(START_TIMEOUT_MILLIS);
  }

  private List<Path> downloadClasspath(JobSpec job) throws IOException {
    Path cache = layout.classpathCacheDir();
    Files.createDirectories(cache);
    List<Path> jars = new ArrayList<>();
    Set<String> names = new HashSet<>();
    int downloaded = 0;
    for (String key : job.classpathBlobKeys()) {
      String name = key.substring(key.lastIndexOf('/') + 1);
      if (!names.add(name)) {
        throw new IOException(
            "Job "
                + job.jobId()
                + " stages two jars named "
                + name
                + "; staged names must be unique");
      }
      Path jar = cache.resolve(name);
      if (!(Files.isRegularFile(jar) && Files.size(jar) == store.size(key))) {
        store.download(key, jar);
        downloaded++;
      }
      jars.add(jar);
    }
    LOG.debug(
        "{}: classpath of job {} ready ({} jars, {} downloaded)",
        layout.nodeId(),
        job.jobId(),
        jars.size(),
        downloaded);
    return jars;
  }

  @Override
  public synchronized void startTask(TaskLaunch launch) throws IOException {
    PreparedJob job = jobs.get(launch.jobId());
    if (job == null) {
      throw new IllegalStateException(
          "Job " + launch.jobId() + " is not prepared on " + layout.nodeId());
    }
    if (!job.jvm.isAlive()) {
      LOG.info("Restarting {} for job {}", layout.nodeId(), launch.jobId());
      job.jvm = NodeJvm.start(layout, launch.jobId(), job.classpath, heapMb, jvmFlags, listener);
    }
    job.jvm.run(launch);
  }

  @Override
  public void terminateJob(String jobId) {
    PreparedJob job;
    synchronized (this) {
      job = jobs.remove(jobId);
    }
    if (job == null) {
      return;
    }
    if (reuseJvms && job.jvm.isAlive()) {
      WarmNodeJvms.park(warmKey(job.classpath), job.jvm); // stops it when it is not idle
    } else {
      job.jvm.stop();
    }
  }

  private WarmNodeJvms.Key warmKey(List<Path> classpath) {
    return new WarmNodeJvms.Key(layout.rootDir(), classpath, heapMb, jvmFlags);
  }

  @Override
  public synchronized List<ProcessHandle> processes() {
    List<ProcessHandle> handles = new ArrayList<>();
    for (PreparedJob job : jobs.values()) {
      if (job.jvm.isAlive()) {
        handles.add(job.jvm.handle());
      }
    }
    return handles;
  }

  @Override
  public void close() {
    List<String> jobIds;
    synchronized (this) {
      jobIds = new ArrayList<>(jobs.keySet());
    }
    jobIds.forEach(this::terminateJob);
  }

  /** A job's classpath on this node and the JVM running its tasks (replaced when it dies). */
  private static final class PreparedJob {
    final List<Path> classpath;
    NodeJvm jvm;

    PreparedJob(List<Path> classpath, NodeJvm jvm) {
      this.classpath = classpath;
      this.jvm = jvm;
    }
  }
}

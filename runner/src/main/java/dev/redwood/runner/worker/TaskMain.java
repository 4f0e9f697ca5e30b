package dev.redwood.runner.worker;

import dev.redwood.runner.batch.BatchEnvironment;
import dev.redwood.runner.batch.BatchTaskMain;
import dev.redwood.runner.plan.AttemptLayout;
import dev.redwood.runner.plan.JobLayout;
import dev.redwood.runner.plan.JobObjects;
import dev.redwood.runner.plan.TaskFailure;
import dev.redwood.runner.plan.TaskId;
import dev.redwood.runner.plan.TaskManifest;
import dev.redwood.runner.storage.BlobExistsException;
import dev.redwood.runner.storage.BlobStore;
import dev.redwood.runner.storage.BlobStores;
import dev.redwood.runner.storage.TaskAzfsClients;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.metrics.MetricsEnvironment;

/**
 * A task's entry point on a node: reads its stage spec from the blob store, runs its split or
 * partition, writes outputs under a fresh attempt prefix and the manifest last. On failure it
 * writes the user's exception for the driver and exits non-zero.
 *
 * <p>Arguments: blob store location, job id, task id (see {@link TaskId}).
 */
public final class TaskMain implements BatchTaskMain {

  public static void main(String[] args) throws Exception {
    System.exit(new TaskMain().run(List.of(args), System.getenv()));
  }

  /** The arguments a driver passes for one attempt of one task. */
  public static List<String> arguments(String storeLocation, String jobId, TaskId id) {
    return List.of(storeLocation, jobId, id.toString());
  }

  @Override
  public int run(List<String> arguments, Map<String, String> environment) throws Exception {
    TaskId id = arguments.size() == 3 ? TaskId.parse(arguments.get(2)).orElse(null) : null;
    if (id == null) {
      throw new IllegalArgumentException(
          "Usage: TaskMain <store location> <job id> <task id>, got " + arguments);
    }
    JobLayout layout = new JobLayout(arguments.get(1));
    // Batch may run one attempt twice (node loss); objects are write-once, so the second
    // execution fails at its first write instead of mixing its outputs with the first's.
    AttemptLayout attempt = layout.attempt(id);
    MetricsEnvironment.setMetricsSupported(true);
    try (BlobStore store = BlobStores.open(arguments.get(0), environment)) {
      try {
        StageSpec spec = JobObjects.read(store, layout.stageSpec(id.stage()), StageSpec.class);
        TaskAzfsClients.configure(spec.options().get(), environment);
        Path workingDir = workingDir(environment);
        TaskContext context = new TaskContext(store, layout, spec, id.task(), attempt, workingDir);
        TaskManifest manifest = new StageExecutor(context).run();
        JobObjects.write(store, attempt.manifest(), manifest);
        finalizeBundle(context);
        return 0;
      } catch (Throwable t) {
        Throwable user = TaskFailure.userCause(t);
        user.printStackTrace(System.err);
        // Last, so the tail of the log that reaches the driver starts with the cause.
        System.err.println("Task " + id.task() + " of stage " + id.stage() + " failed: " + user);
        try {
          JobObjects.write(store, attempt.failure(), TaskFailure.of(t));
        } catch (BlobExistsException e) {
          System.err.println("Another execution of this attempt already reported its failure");
        }
        return 1;
      }
    }
  }

  /** Runs bundle finalizers once the outputs are committed; a failing one only logs. */
  private static void finalizeBundle(TaskContext context) {
    for (TaskContext.FinalizeCallback f : context.finalizeCallbacks()) {
      if (f.expiry() != null && f.expiry().isBeforeNow()) {
        continue;
      }
      try {
        f.callback().onBundleSuccess();
      } catch (Exception e) {
        System.err.println("A bundle finalization callback failed (outputs are committed): " + e);
        e.printStackTrace(System.err);
      }
    }
  }

  private static Path workingDir(Map<String, String> environment) throws java.io.IOException {
    String dir = environment.get(BatchEnvironment.TASK_WORKING_DIR);
    return dir != null
        ? Files.createDirectories(Path.of(dir))
        : Files.createTempDirectory("redwood-task");
  }
}

package dev.redwood.runner.batch.azure;

import com.microsoft.azure.batch.protocol.models.AllocationState;
import com.microsoft.azure.batch.protocol.models.AutoScaleRunError;
import com.microsoft.azure.batch.protocol.models.CloudPool;
import com.microsoft.azure.batch.protocol.models.ComputeNode;
import com.microsoft.azure.batch.protocol.models.ComputeNodeState;
import com.microsoft.azure.batch.protocol.models.JobPreparationAndReleaseTaskExecutionInformation;
import com.microsoft.azure.batch.protocol.models.JobPreparationTaskExecutionInformation;
import com.microsoft.azure.batch.protocol.models.PoolState;
import com.microsoft.azure.batch.protocol.models.ResizeError;
import com.microsoft.azure.batch.protocol.models.TaskExecutionResult;
import com.microsoft.azure.batch.protocol.models.TaskFailureInformation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Whether a pool can still run the run's tasks, read from what Batch reports: the pool (allocation
 * state, resize and autoscale errors, deletion), its nodes (states, start task failures) and the
 * job preparation status per node. Batch itself fails nothing when a pool gets no nodes or every
 * node refuses the job; without this the driver would wait forever.
 */
final class PoolHealth {
  /** Node states from which a node may still become usable. */
  private static final Set<ComputeNodeState> COMING =
      Set.of(
          ComputeNodeState.CREATING,
          ComputeNodeState.STARTING,
          ComputeNodeState.WAITING_FOR_START_TASK,
          ComputeNodeState.REBOOTING,
          ComputeNodeState.REIMAGING,
          ComputeNodeState.UNKNOWN,
          ComputeNodeState.OFFLINE,
          ComputeNodeState.PREEMPTED);

  /** A node that cannot run the job's tasks and why, with where its log is. */
  record NodeFailure(String nodeId, String reason, String logFile) {}

  private final String pool;
  private final CloudPool read;
  private final int usable;
  private final Map<ComputeNodeState, Integer> coming = new HashMap<>();
  private final List<NodeFailure> failed = new ArrayList<>();

  /**
   * @param pool the pool's name ({@code account/pool}) for messages
   * @param read the pool as read
   * @param nodes its nodes
   * @param preparations the run's job preparation status on its nodes (empty before the job)
   */
  PoolHealth(
      String pool,
      CloudPool read,
      List<ComputeNode> nodes,
      List<JobPreparationAndReleaseTaskExecutionInformation> preparations) {
    this.pool = pool;
    this.read = read;
    Map<String, JobPreparationTaskExecutionInformation> prepOf = new HashMap<>();
    for (JobPreparationAndReleaseTaskExecutionInformation p : preparations) {
      if (p.jobPreparationTaskExecutionInfo() != null) {
        prepOf.put(p.nodeId(), p.jobPreparationTaskExecutionInfo());
      }
    }
    int ok = 0;
    for (ComputeNode node : nodes) {
      ComputeNodeState state = node.state();
      JobPreparationTaskExecutionInformation prep = prepOf.get(node.id());
      if (state == ComputeNodeState.START_TASK_FAILED) {
        failed.add(
            new NodeFailure(
                node.id(),
                "start task failed"
                    + describe(
                        node.startTaskInfo() != null ? node.startTaskInfo().failureInfo() : null,
                        node.startTaskInfo() != null ? node.startTaskInfo().exitCode() : null),
                "startup/stderr.txt"));
      } else if (state == ComputeNodeState.UNUSABLE || state == ComputeNodeState.LEAVING_POOL) {
        failed.add(new NodeFailure(node.id(), "node is " + state, null));
      } else if (prep != null && prep.result() == TaskExecutionResult.FAILURE) {
        failed.add(
            new NodeFailure(
                node.id(),
                "job preparation (classpath download) failed"
                    + describe(prep.failureInfo(), prep.exitCode()),
                prep.taskRootDirectory() != null
                    ? prep.taskRootDirectory() + "/stderr.txt"
                    : null));
      } else if (COMING.contains(state)) {
        coming.merge(state, 1, Integer::sum);
      } else {
        ok++;
      }
    }
    this.usable = ok;
  }

  int usableNodes() {
    return usable;
  }

  List<NodeFailure> failedNodes() {
    return failed;
  }

  /**
   * Why this pool can never run the job's tasks, in Batch's words, or null while it still may: it
   * is being deleted, its autoscale formula fails, its resize ended with errors and no node is
   * usable or coming, or every node failed its start task or the job preparation.
   */
  String hopeless() {
    if (read.state() == PoolState.DELETING) {
      return "the pool is being deleted";
    }
    if (usable > 0 || !coming.isEmpty() || read.allocationState() != AllocationState.STEADY) {
      return null;
    }
    AutoScaleRunError autoscale = read.autoScaleRun() != null ? read.autoScaleRun().error() : null;
    // Too few samples is what a young pool's formula meets; later evaluations may succeed.
    if (autoscale != null && !"InsufficientSampleData".equals(autoscale.code())) {
      return "its autoscale formula fails: " + autoscale.code() + ": " + autoscale.message();
    }
    if (read.resizeErrors() != null && !read.resizeErrors().isEmpty()) {
      StringBuilder s = new StringBuilder("its resize failed: ");
      for (ResizeError e : read.resizeErrors()) {
        s.append(e.code()).append(": ").append(e.message()).append("; ");
      }
      return s.substring(0, s.length() - 2) + failedSuffix();
    }
    if (!failed.isEmpty()) {
      return "no node can run the job's tasks: " + failed.get(0).reason() + failedSuffix();
    }
    return null;
  }

  private String failedSuffix() {
    if (failed.isEmpty()) {
      return "";
    }
    return failed.size() == 1
        ? " (node " + failed.get(0).nodeId() + ")"
        : " (" + failed.size() + " nodes failed, e.g. " + failed.get(0).nodeId() + ")";
  }

  /** What the pool is doing while it has no usable node, for the waiting line. */
  String waiting() {
    StringBuilder s =
        new StringBuilder(
                read.allocationState() == null
                    ? "allocating"
                    : read.allocationState().toString().toLowerCase(java.util.Locale.ROOT))
            .append(", ")
            .append(usable)
            .append(" usable nodes");
    List<String> parts = new ArrayList<>();
    coming.forEach((state, n) -> parts.add(n + " " + state));
    if (!failed.isEmpty()) {
      parts.add(failed.size() + " failed");
    }
    if (!parts.isEmpty()) {
      s.append(" (").append(String.join(", ", parts)).append(')');
    }
    return s.toString();
  }

  String pool() {
    return pool;
  }

  private static String describe(TaskFailureInformation failure, Integer exitCode) {
    StringBuilder s = new StringBuilder();
    if (exitCode != null) {
      s.append(" with exit code ").append(exitCode);
    }
    if (failure != null) {
      s.append(": ").append(failure.code());
      if (failure.message() != null) {
        s.append(": ").append(failure.message());
      }
    }
    return s.toString();
  }
}

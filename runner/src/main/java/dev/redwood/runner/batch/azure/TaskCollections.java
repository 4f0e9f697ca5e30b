package dev.redwood.runner.batch.azure;

import com.microsoft.azure.batch.protocol.models.TaskAddParameter;
import com.microsoft.azure.batch.protocol.models.TaskAddResult;
import com.microsoft.azure.batch.protocol.models.TaskAddStatus;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** Batch's task collections: at most 100 tasks per call, sent several calls at a time. */
final class TaskCollections {
  static final int MAX_TASKS = 100;

  /** Sends one collection. */
  @FunctionalInterface
  interface Sender {
    void send(List<TaskAddParameter> chunk) throws IOException, InterruptedException;
  }

  private TaskCollections() {}

  /** Sends every chunk, {@code threads} at a time; the first failure fails the whole. */
  static void submitAll(List<List<TaskAddParameter>> chunks, int threads, Sender sender)
      throws IOException, InterruptedException {
    if (chunks.size() == 1) {
      sender.send(chunks.get(0));
      return;
    }
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(threads, chunks.size()));
    try {
      List<Future<Void>> futures = new ArrayList<>();
      for (List<TaskAddParameter> chunk : chunks) {
        futures.add(
            pool.submit(
                () -> {
                  sender.send(chunk);
                  return null;
                }));
      }
      for (Future<Void> f : futures) {
        try {
          f.get();
        } catch (ExecutionException e) {
          if (e.getCause() instanceof IOException io) {
            throw io;
          }
          if (e.getCause() instanceof RuntimeException re) {
            throw re;
          }
          throw new IOException(e.getCause());
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * The tasks of {@code sent} to send again: those the service answered with a server error. A task
   * that already exists was added by an earlier try; a client error is final.
   */
  static List<TaskAddParameter> retryable(
      List<TaskAddParameter> sent, List<TaskAddResult> results, String pool) {
    Map<String, TaskAddParameter> byId = new HashMap<>();
    for (TaskAddParameter t : sent) {
      byId.put(t.id(), t);
    }
    List<TaskAddParameter> again = new ArrayList<>();
    for (TaskAddResult r : results == null ? List.<TaskAddResult>of() : results) {
      if (r.status() == TaskAddStatus.SUCCESS) {
        continue;
      }
      String code = r.error() != null ? r.error().code() : null;
      if ("TaskExists".equals(code)) {
        continue;
      }
      if (r.status() == TaskAddStatus.SERVER_ERROR && byId.containsKey(r.taskId())) {
        again.add(byId.get(r.taskId()));
        continue;
      }
      throw new IllegalStateException(
          TaskLogs.withoutSas(
              "Batch refused task "
                  + r.taskId()
                  + " on "
                  + pool
                  + ": "
                  + code
                  + (r.error() != null && r.error().message() != null
                      ? " " + r.error().message().value()
                      : "")));
    }
    return again;
  }
}

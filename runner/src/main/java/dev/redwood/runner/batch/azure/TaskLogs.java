package dev.redwood.runner.batch.azure;

import com.microsoft.azure.batch.protocol.models.OutputFile;
import com.microsoft.azure.batch.protocol.models.OutputFileBlobContainerDestination;
import com.microsoft.azure.batch.protocol.models.OutputFileDestination;
import com.microsoft.azure.batch.protocol.models.OutputFileUploadCondition;
import com.microsoft.azure.batch.protocol.models.OutputFileUploadOptions;
import dev.redwood.runner.storage.BlobStore;
import dev.redwood.runner.storage.UploadTarget;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the stdout.txt and stderr.txt of a run's tasks are kept once the run's Batch jobs, and the
 * files on the nodes with them, are deleted: blobs {@code <Batch job id>/<task id>/stdout.txt} and
 * {@code .../stderr.txt} of the container {@code <blobContainer>-logs}. Each task's {@code
 * outputFiles} tell the Batch node agent to upload them when the task process exits, whatever its
 * exit code, with a container SAS that may only create and write blobs. Logs stay for the retention
 * ({@code --taskLogRetention}); every run deletes the logs older than its retention when it ends.
 * This class owns the names, the failure message's pointer to the logs and the cleanup.
 */
final class TaskLogs {
  private static final Logger LOG = LoggerFactory.getLogger(TaskLogs.class);

  /** The logs container is {@code <blobContainer>-logs}. */
  static final String CONTAINER_SUFFIX = "logs";

  /** The files a task's logs consist of, in the task directory (one above its working dir). */
  static final List<String> FILES = List.of("stderr.txt", "stdout.txt");

  /** The end-of-run cleanup looks at no more blobs than this, so it cannot hold a run's end up. */
  static final int CLEANUP_LISTING_LIMIT = 20_000;

  /** A URL query that carries a SAS signature, or a bare signature parameter. */
  private static final Pattern SAS_QUERY = Pattern.compile("\\?[^\\s\"'<>]*sig=[^\\s\"'<>]*");

  private static final Pattern SIGNATURE = Pattern.compile("(?i)\\bsig=[^&\\s\"'<>]+");

  private final BlobStore store;
  private final Duration retention;
  private final Duration grantValidity;
  private final Clock clock;
  private UploadTarget target;
  private Instant targetSigned;

  /**
   * @param retention how long logs are kept; zero: tasks upload none
   * @param grantValidity how long an upload grant is valid; it is renewed once half of that has
   *     passed, so a task's grant is valid at least half of it after the task is added
   */
  TaskLogs(BlobStore store, Duration retention, Duration grantValidity, Clock clock) {
    this.store = store;
    this.retention = retention;
    this.grantValidity = grantValidity;
    this.clock = clock;
  }

  /** Whether tasks upload their logs (a retention above zero). */
  boolean kept() {
    return !retention.isZero();
  }

  /** The blob a log file of a task is uploaded to. */
  static String blobName(String batchJobId, String taskId, String file) {
    return batchJobId + "/" + taskId + "/" + file;
  }

  /**
   * The output files that upload a task's stdout.txt and stderr.txt when its process exits, or an
   * empty list when no logs are kept. The file patterns are relative to the task's working
   * directory, as Batch resolves them: the two files are one directory above it.
   */
  synchronized List<OutputFile> outputFiles(String batchJobId, String taskId) throws IOException {
    if (!kept()) {
      return List.of();
    }
    Instant now = clock.instant();
    if (target == null || targetSigned.plus(grantValidity.dividedBy(2)).isBefore(now)) {
      target = store.uploadTarget(CONTAINER_SUFFIX, grantValidity);
      targetSigned = now;
    }
    List<OutputFile> files = new ArrayList<>();
    for (String file : FILES) {
      files.add(
          new OutputFile()
              .withFilePattern("../" + file)
              .withDestination(
                  new OutputFileDestination()
                      .withContainer(
                          new OutputFileBlobContainerDestination()
                              .withContainerUrl(target.signedUrl())
                              .withPath(blobName(batchJobId, taskId, file))))
              .withUploadOptions(
                  new OutputFileUploadOptions()
                      .withUploadCondition(OutputFileUploadCondition.TASK_COMPLETION)));
    }
    return files;
  }

  /**
   * Where a task's logs are kept and the command that fetches them, for a failure message; null
   * when no logs are kept. Names the account, container and blobs, never a credential.
   */
  synchronized String location(String batchJobId, String taskId) {
    if (!kept() || target == null) {
      return null;
    }
    StringBuilder s =
        new StringBuilder("Task logs (kept ")
            .append(describe(retention))
            .append(" after the run) are in container '")
            .append(target.container())
            .append("' of storage account '")
            .append(target.accountName())
            .append("': ");
    for (int i = 0; i < FILES.size(); i++) {
      s.append(i == 0 ? "" : ", ").append(blobName(batchJobId, taskId, FILES.get(i)));
    }
    s.append(" (the other tasks of Batch job ")
        .append(batchJobId)
        .append(": prefix ")
        .append(batchJobId)
        .append("/). Fetch with:");
    for (String file : FILES) {
      s.append("\n  az storage blob download --account-name ")
          .append(target.accountName())
          .append(" --container-name ")
          .append(target.container())
          .append(" --name ")
          .append(blobName(batchJobId, taskId, file))
          .append(" --file ")
          .append(file);
    }
    return s.toString();
  }

  /**
   * Deletes the logs older than the retention, of this run and of earlier ones; with a retention of
   * zero, deletes nothing (this run uploaded none, and other runs keep theirs as they asked).
   * Failures are logged, never thrown: the run's outcome does not depend on this.
   */
  void deleteExpired() {
    if (!kept()) {
      return;
    }
    Instant cutoff = clock.instant().minus(retention);
    try {
      int deleted = store.deleteUploadsBefore(CONTAINER_SUFFIX, cutoff, CLEANUP_LISTING_LIMIT);
      if (deleted > 0) {
        LOG.info(
            "Deleted {} task log blobs older than {} (before {}; looked at up to {} blobs)",
            deleted,
            describe(retention),
            cutoff,
            CLEANUP_LISTING_LIMIT);
      }
    } catch (IOException | RuntimeException e) {
      LOG.warn("Could not delete task logs older than {}: {}", describe(retention), e.getMessage());
    }
  }

  /** {@code text} with every SAS signature cut out, for messages and logs (Batch's own texts). */
  static String withoutSas(String text) {
    if (text == null) {
      return null;
    }
    String s = SAS_QUERY.matcher(text).replaceAll("?<SAS removed>");
    return SIGNATURE.matcher(s).replaceAll("sig=<removed>");
  }

  /** A retention in the largest whole unit: "7 days", "48 hours", "90 seconds". */
  static String describe(Duration d) {
    long seconds = d.getSeconds();
    if (seconds % 86_400 == 0) {
      return plural(seconds / 86_400, "day");
    }
    if (seconds % 3_600 == 0) {
      return plural(seconds / 3_600, "hour");
    }
    if (seconds % 60 == 0) {
      return plural(seconds / 60, "minute");
    }
    return plural(seconds, "second");
  }

  private static String plural(long n, String unit) {
    return n + " " + unit + (n == 1 ? "" : "s");
  }
}

package dev.redwood.runner.batch.azure;

import com.microsoft.azure.PagedList;
import com.microsoft.azure.batch.BatchClient;
import com.microsoft.azure.batch.DetailLevel;
import com.microsoft.azure.batch.protocol.models.CloudJob;
import com.microsoft.azure.batch.protocol.models.MetadataItem;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends the Batch jobs of Redwood runs whose driver is gone without ending them (killed with
 * SIGKILL, its machine lost): such jobs stay active, with their tasks running and the account's job
 * quota spent, until their {@code maxWallClockTime} (the run's whole {@code --maxRunDuration}).
 *
 * <p>A live driver renews its jobs' {@link BatchPool#HEARTBEAT_METADATA} about once a minute. At
 * the start of every run, each account's active jobs that carry {@link BatchPool#RUN_METADATA} and
 * are not this run's own are read; one whose heartbeat (or, without one, its creation) is older
 * than {@link #staleAfter()} is terminated and deleted, with one log line naming the run and when
 * its driver was last seen. A resumed run's earlier sessions had Batch jobs of their own: those are
 * ended whatever their heartbeat says, since a run is resumed only once its driver is gone.
 */
final class AbandonedJobs {
  private static final Logger LOG = LoggerFactory.getLogger(AbandonedJobs.class);

  /**
   * System property (an ISO-8601 duration) that replaces {@link #DEFAULT_STALE_AFTER}: for tests,
   * which cannot wait five minutes for a driver to count as gone.
   */
  static final String STALE_AFTER_PROPERTY = "redwood.azure.driverGoneAfter";

  /**
   * Five missed heartbeats: a driver that is merely slow or paused briefly is not taken for gone.
   */
  static final Duration DEFAULT_STALE_AFTER = Duration.ofMinutes(5);

  /** Batch keeps a terminate reason short; this one tells a reader of the job what ended it. */
  static final String TERMINATE_REASON = "Redwood driver gone";

  private AbandonedJobs() {}

  /** How long a job's heartbeat may be silent before its driver counts as gone. */
  static Duration staleAfter() {
    return durationProperty(STALE_AFTER_PROPERTY, DEFAULT_STALE_AFTER);
  }

  /** The ISO-8601 duration a system property gives, else {@code otherwise}. */
  static Duration durationProperty(String name, Duration otherwise) {
    String value = System.getProperty(name);
    if (value == null || value.isBlank()) {
      return otherwise;
    }
    try {
      return Duration.parse(value.trim());
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "System property " + name + "=" + value + " is not an ISO-8601 duration", e);
    }
  }

  /**
   * Ends the abandoned Redwood jobs of one account; returns their ids. A job that cannot be ended
   * is logged and skipped: it ends at its own deadline, and this run goes on.
   *
   * @param ownRunId this run's id: its jobs other than {@code ownJobs} are an earlier session's
   * @param ownJobs the Batch jobs of this run's session: never touched, should a retried create
   *     have made one already
   */
  static List<String> endOnAccount(
      BatchClient client,
      String account,
      BatchCalls calls,
      String ownRunId,
      Set<String> ownJobs,
      Duration staleAfter,
      Instant now)
      throws InterruptedException {
    List<CloudJob> active;
    try {
      // The service filters jobs on state but not on metadata: the rest is read here.
      DetailLevel detail =
          new DetailLevel.Builder()
              .withFilterClause("state eq 'active'")
              .withSelectClause("id,metadata,creationTime")
              .build();
      active =
          calls.call(
              "list the active jobs of account " + account,
              () -> {
                PagedList<CloudJob> page = client.jobOperations().listJobs(detail);
                page.loadAll();
                return new ArrayList<>(page);
              });
    } catch (IOException e) {
      LOG.warn(
          "Could not look for jobs of stopped Redwood drivers on Batch account {}: {}",
          account,
          e.getMessage());
      return List.of();
    }
    List<String> ended = new ArrayList<>();
    for (CloudJob job : active) {
      String run = value(job, BatchPool.RUN_METADATA);
      if (run == null || ownJobs.contains(job.id())) {
        continue;
      }
      Instant lastSeen = lastSeen(job);
      boolean earlierSession = run.equals(ownRunId);
      boolean stale = lastSeen != null && Duration.between(lastSeen, now).compareTo(staleAfter) > 0;
      if (!(earlierSession || stale) || !end(client, calls, job.id())) {
        continue;
      }
      ended.add(job.id());
      if (earlierSession) {
        LOG.info(
            "Cleaned up Batch job {} on account {}: it belongs to an earlier session of this run"
                + " ({}), whose driver is gone (last seen at {}); the job was terminated and"
                + " deleted",
            job.id(),
            account,
            run,
            lastSeen);
      } else {
        LOG.info(
            "Cleaned up Batch job {} on account {}: it belongs to Redwood run {}, whose driver was"
                + " last seen at {} ({} s ago; a driver silent for over {} s counts as"
                + " stopped); the job was terminated and deleted",
            job.id(),
            account,
            run,
            lastSeen,
            Duration.between(lastSeen, now).toSeconds(),
            staleAfter.toSeconds());
      }
    }
    return ended;
  }

  /** The job's heartbeat, else its creation time; null when it has neither. */
  private static Instant lastSeen(CloudJob job) {
    String heartbeat = value(job, BatchPool.HEARTBEAT_METADATA);
    if (heartbeat != null) {
      try {
        return Instant.parse(heartbeat);
      } catch (DateTimeParseException e) {
        // Not written by Redwood: judge the job by its age.
      }
    }
    return job.creationTime() != null ? Instant.ofEpochMilli(job.creationTime().getMillis()) : null;
  }

  private static String value(CloudJob job, String name) {
    if (job.metadata() == null) {
      return null;
    }
    for (MetadataItem item : job.metadata()) {
      if (name.equals(item.name())) {
        return item.value();
      }
    }
    return null;
  }

  /** Terminates (its tasks stop) and deletes the job; false, logged, when that fails. */
  private static boolean end(BatchClient client, BatchCalls calls, String jobId)
      throws InterruptedException {
    try {
      try {
        calls.run(
            "terminate job " + jobId,
            () -> client.jobOperations().terminateJob(jobId, TERMINATE_REASON));
      } catch (IOException e) {
        if (!BatchPool.isOneOf(e, "JobCompleted", "JobBeingTerminated")) {
          throw e;
        }
      }
      calls.run("delete job " + jobId, () -> client.jobOperations().deleteJob(jobId));
      return true;
    } catch (IOException e) {
      if (BatchPool.isOneOf(e, "JobNotFound", "JobBeingDeleted")) {
        return false; // another run got there first, and says so
      }
      LOG.warn("Could not clean up Batch job {} of a stopped driver: {}", jobId, e.getMessage());
      return false;
    }
  }
}

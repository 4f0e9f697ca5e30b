package dev.redwood.runner.report;

import dev.redwood.runner.storage.BlobStore;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The run report of one driver run: where it goes ({@code --reportFile}, or the defaults), the
 * recorder the driver feeds, the live server of {@code --reportPort}, and the final write when the
 * run ends. The launcher's only contact with the report package.
 */
public final class RunReports {
  private static final Logger LOG = LoggerFactory.getLogger(RunReports.class);

  /** How often a live page reloads itself. */
  static final int REFRESH_SECONDS = 2;

  /** The scheme of {@code --reportFile} values that name an object in the run's blob store. */
  public static final String BLOB_SCHEME = "blob:";

  private final RunRecorder recorder;
  private final VmPriceTable prices;
  private final Path localFile;
  private final String blobKey;
  private ReportServer server;

  RunReports(RunRecorder recorder, VmPriceTable prices, Path localFile, String blobKey) {
    this.recorder = recorder;
    this.prices = prices;
    this.localFile = localFile;
    this.blobKey = blobKey;
  }

  /**
   * @param reportFile {@code --reportFile}, or null for the defaults
   * @param workDir the run's local working directory (default place of the local copy)
   * @param inBlobStoreByDefault whether the report also goes to the run's blob store by default
   *     (Azure runs: next to the run's objects, where a team sees it)
   */
  public static RunReports open(
      String reportFile,
      String vmPrices,
      String jobId,
      Path workDir,
      boolean inBlobStoreByDefault) {
    Path local;
    String blob;
    if (reportFile == null) {
      local = workDir.resolve("reports").resolve(jobId).resolve("report.html");
      blob = inBlobStoreByDefault ? defaultBlobKey(jobId) : null;
    } else if (reportFile.startsWith(BLOB_SCHEME)) {
      local = null;
      blob = reportFile.substring(BLOB_SCHEME.length()).replaceFirst("^/+", "");
      if (blob.isEmpty() || blob.endsWith("/")) {
        throw new IllegalArgumentException(
            "Invalid --reportFile=" + reportFile + ": name an object, e.g. blob:reports/run.html");
      }
    } else {
      local =
          reportFile.startsWith("file:") ? Path.of(URI.create(reportFile)) : Path.of(reportFile);
      blob = null;
    }
    return new RunReports(
        new RunRecorder(),
        VmPriceTable.load(vmPrices),
        local == null ? null : local.toAbsolutePath().normalize(),
        blob);
  }

  /** Where an Azure run's report goes in its blob store unless {@code --reportFile} says. */
  public static String defaultBlobKey(String jobId) {
    return "reports/" + jobId + "/report.html";
  }

  public RunRecorder recorder() {
    return recorder;
  }

  /**
   * Starts the live server on {@code port} (0: a free one); returns its URL.
   *
   * @throws IllegalArgumentException when nothing can listen on the port
   */
  public String serve(int port) {
    try {
      server = ReportServer.start(port, () -> page(REFRESH_SECONDS));
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "--reportPort=" + port + ": cannot serve the run report on 127.0.0.1:" + port + ": " + e,
          e);
    }
    return server.url();
  }

  /** The page as it stands. */
  public String page(int refreshSeconds) {
    return RunReportPage.render(recorder.snapshot(), prices, refreshSeconds);
  }

  /**
   * Writes the final report and stops the live server. A report that cannot be written is logged,
   * never a reason to fail a run that did its work.
   *
   * @param store the run's blob store, still open
   * @return where the report was written, for the run's last lines
   */
  public List<String> finish(BlobStore store) {
    if (server != null) {
      server.close();
      server = null;
    }
    String html;
    try {
      html = page(0);
    } catch (RuntimeException e) {
      LOG.warn("Could not render the run report", e);
      return List.of();
    }
    List<String> written = new ArrayList<>();
    if (localFile != null) {
      try {
        Files.createDirectories(localFile.getParent());
        Files.writeString(localFile, html, StandardCharsets.UTF_8);
        written.add(localFile.toString());
      } catch (IOException | RuntimeException e) {
        LOG.warn("Could not write the run report to {}: {}", localFile, e.toString());
      }
    }
    if (blobKey != null) {
      try {
        // Objects are write-once: a report of the same name from an earlier run gives way.
        if (store.exists(blobKey)) {
          store.delete(blobKey);
        }
        store.put(blobKey, html.getBytes(StandardCharsets.UTF_8));
        written.add(store.describe(blobKey));
      } catch (IOException | RuntimeException e) {
        LOG.warn("Could not write the run report to blob {}: {}", blobKey, e.toString());
      }
    }
    return written;
  }

  /** Stops the live server, if any, without writing (a run that never started). */
  public void stopServing() {
    if (server != null) {
      server.close();
      server = null;
    }
  }
}

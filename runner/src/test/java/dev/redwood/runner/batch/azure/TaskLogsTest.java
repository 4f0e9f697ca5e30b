package dev.redwood.runner.batch.azure;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.microsoft.azure.batch.protocol.models.BatchError;
import com.microsoft.azure.batch.protocol.models.BatchErrorException;
import com.microsoft.azure.batch.protocol.models.ErrorMessage;
import com.microsoft.azure.batch.protocol.models.OutputFile;
import com.microsoft.azure.batch.protocol.models.OutputFileUploadCondition;
import com.microsoft.azure.batch.protocol.models.TaskAddParameter;
import com.microsoft.azure.batch.protocol.models.TaskAddResult;
import com.microsoft.azure.batch.protocol.models.TaskAddStatus;
import dev.redwood.runner.storage.BlobStore;
import dev.redwood.runner.storage.UploadTarget;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Task log names, output files, failure-message pointers and cleanup, without a service. */
class TaskLogsTest {
  private static final String SAS = "sv=2024-08-04&sp=cw&sig=SECRETSIG%3D";

  /** Counts upload grants and records cleanup cutoffs; every other call is a mistake here. */
  private static final class GrantingStore implements BlobStore {
    int grants;
    final List<Instant> cutoffs = new ArrayList<>();

    @Override
    public UploadTarget uploadTarget(String suffix, Duration validity) {
      grants++;
      return new UploadTarget(
          "acct", "base-" + suffix, "https://acct.blob.core.windows.net/base-" + suffix, SAS);
    }

    @Override
    public int deleteUploadsBefore(String suffix, Instant cutoff, int maxListed) {
      cutoffs.add(cutoff);
      return 0;
    }

    @Override
    public void put(String key, byte[] bytes) {
      throw new UnsupportedOperationException();
    }

    @Override
    public OutputStream create(String key) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void putFile(String key, Path file) {
      throw new UnsupportedOperationException();
    }

    @Override
    public byte[] get(String key) {
      throw new UnsupportedOperationException();
    }

    @Override
    public InputStream open(String key) {
      throw new UnsupportedOperationException();
    }

    @Override
    public InputStream openRange(String key, long offset, long length) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void download(String key, Path target) {
      throw new UnsupportedOperationException();
    }

    @Override
    public boolean exists(String key) {
      throw new UnsupportedOperationException();
    }

    @Override
    public long size(String key) {
      throw new UnsupportedOperationException();
    }

    @Override
    public List<String> list(String prefix) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void delete(String key) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void deletePrefix(String prefix) {
      throw new UnsupportedOperationException();
    }

    @Override
    public String readUrl(String key, Duration validity) {
      throw new UnsupportedOperationException();
    }

    @Override
    public String location() {
      return "test:";
    }
  }

  /** A clock the test moves. */
  private static final class MovableClock extends Clock {
    Instant now = Instant.parse("2026-12-07T12:00:00Z");

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }

  private final GrantingStore store = new GrantingStore();
  private final MovableClock clock = new MovableClock();

  @Test
  void tasksUploadStdoutAndStderrUnderJobAndTaskWhateverTheirExitCode() throws Exception {
    TaskLogs logs = new TaskLogs(store, Duration.ofDays(7), Duration.ofDays(2), clock);
    List<OutputFile> files = logs.outputFiles("redwood-1-east-pool", "s1-t0-a2");
    assertThat(files, hasSize(2));
    for (OutputFile f : files) {
      String name = f.filePattern().substring("../".length());
      assertThat(f.filePattern(), is("../" + name));
      assertThat(f.destination().container().path(), is("redwood-1-east-pool/s1-t0-a2/" + name));
      assertThat(
          f.destination().container().containerUrl(),
          is("https://acct.blob.core.windows.net/base-logs?" + SAS));
      assertThat(
          f.uploadOptions().uploadCondition(), is(OutputFileUploadCondition.TASK_COMPLETION));
    }
    assertThat(
        files.stream().map(OutputFile::filePattern).toList(),
        is(List.of("../stderr.txt", "../stdout.txt")));
  }

  @Test
  void theFailureMessageNamesTheBlobsAndTheCommandButNoSecret() throws Exception {
    TaskLogs logs = new TaskLogs(store, Duration.ofHours(48), Duration.ofDays(2), clock);
    logs.outputFiles("job-pool", "s0-t3-a1");
    String where = logs.location("job-pool", "s0-t3-a1");
    assertThat(where, containsString("kept 2 days"));
    assertThat(where, containsString("container 'base-logs' of storage account 'acct'"));
    assertThat(where, containsString("job-pool/s0-t3-a1/stderr.txt"));
    assertThat(
        where,
        containsString(
            "az storage blob download --account-name acct --container-name base-logs"
                + " --name job-pool/s0-t3-a1/stderr.txt --file stderr.txt"));
    assertThat(where, not(containsString("sig=")));
    assertThat(where, not(containsString("SECRETSIG")));
  }

  @Test
  void theGrantIsRenewedWhenHalfItsValidityHasPassed() throws Exception {
    TaskLogs logs = new TaskLogs(store, Duration.ofDays(7), Duration.ofDays(2), clock);
    logs.outputFiles("j", "a");
    clock.now = clock.now.plus(Duration.ofHours(23));
    logs.outputFiles("j", "b");
    assertThat(store.grants, is(1));
    clock.now = clock.now.plus(Duration.ofHours(2));
    logs.outputFiles("j", "c");
    assertThat(store.grants, is(2));
  }

  @Test
  void logsOlderThanTheRetentionAreDeletedAndZeroKeepsNone() throws Exception {
    TaskLogs week = new TaskLogs(store, Duration.ofDays(7), Duration.ofDays(2), clock);
    week.deleteExpired();
    assertThat(store.cutoffs, is(List.of(clock.now.minus(Duration.ofDays(7)))));

    TaskLogs none = new TaskLogs(store, Duration.ZERO, Duration.ofDays(2), clock);
    assertThat(none.kept(), is(false));
    assertThat(none.outputFiles("j", "t"), is(empty()));
    assertThat(none.location("j", "t"), nullValue());
    none.deleteExpired();
    assertThat(store.grants, is(0));
    assertThat(store.cutoffs, hasSize(1));
  }

  @Test
  void batchMessagesLoseTheirSignatures() {
    String message =
        "FileUploadMiscError: PUT https://a.blob.core.windows.net/c/x.txt?sv=1&sp=cw&sig=abc%2Bd"
            + " answered 403; retry with sig=zzz&se=1";
    String cut = TaskLogs.withoutSas(message);
    assertThat(cut, not(containsString("abc")));
    assertThat(cut, not(containsString("zzz")));
    assertThat(cut, containsString("https://a.blob.core.windows.net/c/x.txt?<SAS removed>"));
    assertThat(cut, containsString("answered 403"));
    assertThat(TaskLogs.withoutSas("plain text"), is("plain text"));
  }

  @Test
  void batchErrorsAndRefusedTasksLoseTheirSignatures() {
    String quoted =
        "The value of containerUrl https://a.blob.core.windows.net/c?sp=cw&sig=LEAK is bad";
    BatchErrorException e =
        new BatchErrorException(
            "400",
            null,
            new BatchError()
                .withCode("InvalidPropertyValue")
                .withMessage(new ErrorMessage().withValue(quoted)));
    String described = BatchCalls.describe(e);
    assertThat(described, containsString("InvalidPropertyValue"));
    assertThat(described, not(containsString("LEAK")));
    IllegalStateException refused =
        assertThrows(
            IllegalStateException.class,
            () ->
                TaskCollections.retryable(
                    List.of(new TaskAddParameter().withId("t").withCommandLine("x")),
                    List.of(
                        new TaskAddResult()
                            .withStatus(TaskAddStatus.CLIENT_ERROR)
                            .withTaskId("t")
                            .withError(
                                new BatchError()
                                    .withCode("InvalidPropertyValue")
                                    .withMessage(new ErrorMessage().withValue(quoted)))),
                    "acct/pool"));
    assertThat(refused.getMessage(), containsString("Batch refused task t on acct/pool"));
    assertThat(refused.getMessage(), not(containsString("LEAK")));
  }

  @Test
  void retentionsAreDescribedInTheirLargestUnit() {
    assertThat(TaskLogs.describe(Duration.ofDays(7)), is("7 days"));
    assertThat(TaskLogs.describe(Duration.ofHours(1)), is("1 hour"));
    assertThat(TaskLogs.describe(Duration.ofMinutes(90)), is("90 minutes"));
    assertThat(TaskLogs.describe(Duration.ofSeconds(45)), is("45 seconds"));
  }
}

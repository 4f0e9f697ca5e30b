package dev.redwood.runner.faults;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.is;

import dev.redwood.runner.faults.FaultCampaign.Fault;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A short {@link FaultCampaign} inside {@code mvn verify}: three local runs (each local fault kind
 * once: a worker JVM killed, a task failing once, the driver killed and resumed) and one run on the
 * emulated Azure (a request storm and a preempted or unusable node), on a small input cut in few
 * tasks. Every run must end with the fault-free run's output and leave nothing behind.
 */
class FaultCampaignTest {
  @TempDir Path temp;

  @Test
  @Timeout(value = 10, unit = java.util.concurrent.TimeUnit.MINUTES)
  void aShortCampaignEndsWithIdenticalOutputAndNothingLeftBehind() throws Exception {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(new Tee(printed, System.out), true, StandardCharsets.UTF_8);
    FaultCampaign.Report report =
        FaultCampaign.run(
            FaultCampaign.Settings.parse(
                "--runs=3",
                "--azureRuns=1",
                "--seed=18",
                "--pipelines=wordcount",
                "--files=2",
                "--linesPerFile=1500",
                "--shufflePartitions=2",
                "--splitSizeMb=1",
                "--timeoutSeconds=240",
                "--workDir=" + temp,
                "--keep"),
            out);
    String table = printed.toString(StandardCharsets.UTF_8);
    assertThat(table, report.runs().size(), is(4));
    assertThat(table, report.identical(), is(4L));
    assertThat(table, report.leftovers(), is(empty()));
    // Three local runs take turns at the three local kinds; a fault that never landed would make
    // this a test of fault-free runs.
    assertThat(
        table,
        report.landed().keySet(),
        hasItems(Fault.WORKER_KILLED, Fault.TASK_FAILS_ONCE, Fault.DRIVER_KILLED));
    assertThat(
        table,
        report.runs().get(3).landed().stream()
            .anyMatch(
                f -> FaultCampaign.STORMS.contains(f) || FaultCampaign.NODE_FAULTS.contains(f)),
        is(true));
    assertThat(table, report.passed(), is(true));
  }

  /** Writes to two streams: the test keeps what it prints, and the report shows it too. */
  private static final class Tee extends OutputStream {
    private final OutputStream a;
    private final OutputStream b;

    Tee(OutputStream a, OutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public void write(int c) throws java.io.IOException {
      a.write(c);
      b.write(c);
    }

    @Override
    public void write(byte[] buf, int off, int len) throws java.io.IOException {
      a.write(buf, off, len);
      b.write(buf, off, len);
    }
  }
}

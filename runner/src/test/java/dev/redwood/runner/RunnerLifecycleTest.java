package dev.redwood.runner;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.redwood.runner.options.AzureBatchPipelineOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.GenerateSequence;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.PeriodicImpulse;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runner registration, option validation at submit time, unbounded sources rejected (and unbounded
 * splittable DoFns that stop run), and cancel.
 */
class RunnerLifecycleTest {
  @TempDir Path temp;

  @Test
  void runnerResolvesByEitherName() {
    for (String name : new String[] {"AzureBatchRunner", "AzureBatch", "azurebatch"}) {
      PipelineOptions options = PipelineOptionsFactory.fromArgs("--runner=" + name).create();
      assertThat(options.getRunner(), is((Object) AzureBatchRunner.class));
    }
    PipelineOptions test =
        PipelineOptionsFactory.fromArgs("--runner=TestAzureBatchRunner").create();
    assertThat(test.getRunner(), is((Object) TestAzureBatchRunner.class));
  }

  @Test
  void optionsAreRegisteredWithDescriptions() {
    AzureBatchPipelineOptions options =
        PipelineOptionsFactory.fromArgs("--localNodes=3", "--maxTaskRetries=5")
            .as(AzureBatchPipelineOptions.class);
    assertThat(options.getLocalNodes(), is(3));
    assertThat(options.getMaxTaskRetries(), is(5));
    for (java.lang.reflect.Method m : AzureBatchPipelineOptions.class.getDeclaredMethods()) {
      if (m.getName().startsWith("get") || m.getName().startsWith("is")) {
        assertThat(
            m.getName() + " has a @Description",
            m.isAnnotationPresent(org.apache.beam.sdk.options.Description.class),
            is(true));
      }
    }
  }

  @Test
  void invalidOptionFailsAtSubmitNamingTheOption() {
    Pipeline p =
        Pipeline.create(
            PipelineOptionsFactory.fromArgs("--runner=AzureBatchRunner", "--localNodes=0")
                .create());
    p.apply(Create.of(1));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, p::run);
    assertThat(e.getMessage(), containsString("--localNodes=0"));
  }

  @Test
  void unboundedPipelineIsRejectedNamingTheTransform() {
    Pipeline p =
        Pipeline.create(PipelineOptionsFactory.fromArgs("--runner=AzureBatchRunner").create());
    p.apply("Ticks", GenerateSequence.from(0));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, p::run);
    assertThat(e.getMessage(), containsString("'Ticks"));
    assertThat(e.getMessage(), containsString("unbounded"));
  }

  @Test
  void unboundedSplittableDoFnThatStopsRunsToCompletion() {
    Pipeline p =
        Pipeline.create(
            PipelineOptionsFactory.fromArgs(
                    "--runner=AzureBatchRunner",
                    "--inProcessNodes=true",
                    "--quiet",
                    "--localWorkDir=" + temp)
                .create());
    // Ticks every second from the epoch to five seconds past it: all in the past, so the DoFn
    // (declared unbounded per element) emits them at once and stops.
    PCollection<Long> ticks =
        p.apply(
                "Ticks",
                PeriodicImpulse.create()
                    .startAt(new Instant(0))
                    .stopAt(new Instant(0).plus(Duration.standardSeconds(5)))
                    .withInterval(Duration.standardSeconds(1)))
            .apply(MapElements.into(TypeDescriptors.longs()).via(Instant::getMillis));
    assertThat(ticks.isBounded(), is(PCollection.IsBounded.UNBOUNDED));
    PCollection<Long> perWindow =
        ticks
            .apply(Window.into(FixedWindows.of(Duration.standardSeconds(2))))
            .apply(Combine.globally(Count.<Long>combineFn()).withoutDefaults());
    PAssert.that(ticks).containsInAnyOrder(0L, 1000L, 2000L, 3000L, 4000L, 5000L);
    PAssert.that(perWindow).containsInAnyOrder(2L, 2L, 2L);
    PipelineAssertions.run(p);
  }

  static final class SleepFn extends DoFn<Integer, Integer> {
    @ProcessElement
    public void process(@Element Integer x) throws InterruptedException {
      Thread.sleep(120_000);
    }
  }

  @Test
  void cancelStopsTasksAndLeavesNoWorkerProcess() throws Exception {
    Pipeline p =
        Pipeline.create(
            PipelineOptionsFactory.fromArgs(
                    "--runner=AzureBatchRunner",
                    "--inProcessNodes=false",
                    "--nodeHeapMb=256",
                    "--shuffleBufferMb=16",
                    "--quiet",
                    "--localWorkDir=" + temp)
                .create());
    p.apply(Create.of(1, 2)).apply(ParDo.of(new SleepFn()));
    PipelineResult result = p.run();
    // Bounded wait for a worker process to exist, so cancel has something to stop.
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (ChildProcesses.ofRuns().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(result.getState(), is(PipelineResult.State.RUNNING));
    assertThat(result.cancel(), is(PipelineResult.State.CANCELLED));
    assertThat(
        result.waitUntilFinish(Duration.standardSeconds(30)), is(PipelineResult.State.CANCELLED));
    assertThat(ChildProcesses.ofRuns(), is(empty()));
  }

  @Test
  void azureBackendWithoutItsParametersFileIsAClearError() {
    String missing = "/nonexistent/redwood/parameters.json";
    Pipeline p =
        Pipeline.create(
            PipelineOptionsFactory.fromArgs(
                    "--runner=AzureBatchRunner", "--backend=AZURE", "--parametersFile=" + missing)
                .create());
    p.apply(Create.of(1));
    Exception e = assertThrows(Exception.class, p::run);
    assertThat(e.getMessage(), containsString(missing));
  }

  /** A driver that runs a one-element pipeline with the given options (in a JVM of its own). */
  public static final class AzureDriver {
    public static void main(String[] args) {
      Pipeline p = Pipeline.create(PipelineOptionsFactory.fromArgs(args).create());
      p.apply(Create.of(1));
      p.run().waitUntilFinish();
    }
  }

  @Test
  void azureBackendWithoutTheBatchSdksJvmFlagIsAClearError() throws Exception {
    Path parameters = temp.resolve("parameters.json");
    Files.writeString(parameters, "{}");
    Path output = temp.resolve("driver.log");
    // This JVM's classpath, none of its --add-opens flags.
    Process driver =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                AzureDriver.class.getName(),
                "--runner=AzureBatchRunner",
                "--backend=AZURE",
                "--parametersFile=" + parameters)
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .start();
    assertThat(driver.waitFor(2, TimeUnit.MINUTES), is(true));
    String log = Files.readString(output);
    assertThat(log, driver.exitValue(), is(not(0)));
    assertThat(log, containsString("--add-opens java.base/java.util=ALL-UNNAMED"));
    assertThat(log, not(containsString("InaccessibleObjectException")));
  }
}

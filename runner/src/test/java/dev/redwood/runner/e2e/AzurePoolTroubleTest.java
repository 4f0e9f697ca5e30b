package dev.redwood.runner.e2e;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.microsoft.azure.batch.BatchClient;
import com.microsoft.azure.batch.protocol.models.CloudPool;
import com.microsoft.azure.batch.protocol.models.ImageReference;
import com.microsoft.azure.batch.protocol.models.PoolAddParameter;
import com.microsoft.azure.batch.protocol.models.PoolState;
import com.microsoft.azure.batch.protocol.models.VirtualMachineConfiguration;
import dev.redwood.runner.CapturedStderr;
import dev.redwood.runner.batch.azure.restdouble.AccountLimits;
import dev.redwood.runner.batch.azure.restdouble.BatchRestDouble;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pools as Azure Batch really treats them, on the Batch double and Azurite: quotas too small, start
 * tasks and job preparations that fail, settings Batch refuses, pools reused or still being
 * deleted. Each run ends the way a user can act on (it succeeds on the pools that work, or fails
 * fast naming pool, cause and what to do) and leaves no active job and no pool it created behind.
 */
class AzurePoolTroubleTest {
  private static OneAccountAzure azure;
  private static BatchRestDouble batch;

  @TempDir Path temp;

  @BeforeAll
  static void startDouble() throws IOException {
    azure = new OneAccountAzure("trouble");
    batch = azure.batch;
  }

  @AfterAll
  static void stopDouble() {
    if (azure != null) {
      azure.close();
    }
  }

  @BeforeEach
  void serviceDefaults() {
    batch.limits(AccountLimits.defaults());
  }

  @AfterEach
  void nothingLeftRunning() throws Exception {
    assertThat("task processes left behind", azure.liveProcessesAfterAWhile(), is(List.of()));
    assertThat("active jobs left behind", azure.activeJobs(), is(List.of()));
  }

  @Test
  void aQuotaTooSmallForThePoolFailsFastNamingTheQuotaAndDeletesThePool() throws IOException {
    batch.limits(AccountLimits.defaults().withFamilyCoreQuota("standardDSv5Family", 0));
    String message = failure(pipeline(List.of(azure.pool("quota-pool", "Standard_D2s_v5", 1, 2))));
    assertThat(message, containsString("trouble/quota-pool"));
    assertThat(message, containsString("AccountVMSeriesCoreQuotaReached"));
    assertThat(message, containsString("Quotas"));
    assertGoneOrDeleting("quota-pool");
  }

  @Test
  void startTasksThatFailEndTheRunWithTheirLog() throws IOException {
    batch.failStartTasks("start-pool");
    String message = failure(pipeline(List.of(azure.pool("start-pool", "Standard_D2s_v5", 1, 2))));
    assertThat(message, containsString("trouble/start-pool"));
    assertThat(message, containsString("start task failed"));
    assertThat(message, containsString("startup/stderr.txt of node"));
    assertGoneOrDeleting("start-pool");
  }

  @Test
  void aJobPreparationThatFailsOnEveryNodeEndsTheRun() throws IOException {
    batch.failJobPreparations(".*-prep-pool");
    String message = failure(pipeline(List.of(azure.pool("prep-pool", "Standard_D2s_v5", 1, 2))));
    assertThat(message, containsString("trouble/prep-pool"));
    assertThat(message, containsString("job preparation (classpath download) failed"));
    assertThat(message, containsString("stderr.txt of node"));
  }

  @Test
  void moreSlotsThanTheVmSizeAllowsAreRefusedNamingTheKey() throws IOException {
    String message = failure(pipeline(List.of(azure.pool("slots-pool", "Standard_D2s_v5", 1, 64))));
    assertThat(message, containsString("trouble/slots-pool"));
    assertThat(message, containsString("(configuration key \"taskSlotsPerNode\")"));
    assertThat(poolExists("slots-pool"), is(false));
  }

  @Test
  void spotNodesOnABatchManagedAccountAreRefusedNamingTheKey() throws IOException {
    String message =
        failure(
            pipeline(List.of(azure.pool("spot-pool", "Standard_D2s_v5", 0, 2, "spotNodes", 1))));
    assertThat(message, containsString("trouble/spot-pool"));
    assertThat(message, containsString("(configuration key \"spotNodes\")"));
    assertThat(poolExists("spot-pool"), is(false));
  }

  @Test
  void aReusedPoolThatDiffersFromTheConfigurationIsNamedAndKept() throws Exception {
    createPoolAsAUserWould("reuse-pool", "Standard_D4s_v5");
    String message = failure(pipeline(List.of(azure.pool("reuse-pool", "Standard_D2s_v5", 1, 2))));
    assertThat(message, containsString("trouble/reuse-pool"));
    assertThat(message, containsString("vmSize is Standard_D4s_v5 (configured: Standard_D2s_v5)"));
    assertThat(poolExists("reuse-pool"), is(true));
    azure.client().poolOperations().deletePool("reuse-pool");
  }

  /**
   * An autoscale pool that starts at zero nodes: Batch scales it only for tasks that wait for it,
   * so the run must give it tasks before it has slots.
   */
  @Test
  void anAutoscalePoolAtZeroNodesGetsTasksAndScalesUp() throws IOException {
    Path out = temp.resolve("out");
    Pipeline p =
        pipeline(
            List.of(
                azure.pool(
                    "auto-pool",
                    "Standard_D2s_v5",
                    1,
                    2,
                    "autoscaleFormula",
                    "$TargetDedicatedNodes = min(1, max($PendingTasks.GetSample(1)));")));
    p.apply(Create.of("x", "y"))
        .apply(MapElements.into(TypeDescriptors.strings()).via(s -> s + "!"))
        .apply(TextIO.write().to(out.resolve("x").toString()).withoutSharding());
    assertThat(p.run().waitUntilFinish(), is(PipelineResult.State.DONE));
    assertThat(
        Files.readAllLines(out.resolve("x"), StandardCharsets.UTF_8).stream().sorted().toList(),
        is(List.of("x!", "y!")));
    CloudPool pool = azure.client().poolOperations().getPool("auto-pool");
    assertThat(pool.autoScaleRun().results(), containsString("$TargetDedicatedNodes="));
    azure.client().poolOperations().deletePool("auto-pool");
  }

  /**
   * One run meets two troubles at once: its first pool is still being deleted (it is waited for,
   * then created afresh) and its second cannot get nodes (it is given up and its tasks move).
   */
  @Test
  void aPoolBeingDeletedIsWaitedForAndAHopelessPoolsTasksMove() throws Exception {
    batch.limits(
        AccountLimits.defaults()
            .withFamilyCoreQuota("standardESv5Family", 0)
            .withPoolDeletionDelay(Duration.ofHours(4)));
    createPoolAsAUserWould("again-pool", "Standard_D2s_v5");
    // The user deletes the pool just as the run starts: the run's first looks at the pool fail
    // (503s, which Redwood retries after a pause), and the pool is deleting by then.
    BatchClient user = azure.client();
    user.poolOperations().existsPool("again-pool");
    batch.failRequests("GET", "/pools/again-pool", 6, 503);
    Thread deleter =
        new Thread(
            () -> {
              try {
                while (batch.requests().stream()
                    .noneMatch(r -> r.path().equals("/pools/again-pool") && r.status() == 503)) {
                  Thread.sleep(20);
                }
                user.poolOperations().deletePool("again-pool");
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    deleter.setDaemon(true);
    deleter.start();
    Path out = temp.resolve("out");
    Pipeline p =
        pipeline(
            List.of(
                azure.pool("again-pool", "Standard_D2s_v5", 1, 2),
                azure.pool("noquota-pool", "Standard_E2s_v5", 1, 2)));
    p.apply(Create.of("a", "b", "c", "d"))
        .apply(MapElements.into(TypeDescriptors.strings()).via(s -> s + s))
        .apply(TextIO.write().to(out.resolve("x").toString()).withoutSharding());

    String log =
        stderrOf(() -> assertThat(p.run().waitUntilFinish(), is(PipelineResult.State.DONE)));
    assertThat(
        Files.readAllLines(out.resolve("x"), StandardCharsets.UTF_8).stream().sorted().toList(),
        is(List.of("aa", "bb", "cc", "dd")));
    assertThat(log, containsString("Waiting for Batch pool trouble/again-pool to finish deleting"));
    assertThat(
        log, containsString("Waiting for pool trouble/noquota-pool: steady, 0 usable nodes"));
    assertThat(log, containsString("Giving up Batch pool trouble/noquota-pool for this run"));
    assertThat(log, containsString("AccountVMSeriesCoreQuotaReached"));
    assertGoneOrDeleting("noquota-pool");
    assertThat(poolExists("again-pool"), is(true));
    azure.client().poolOperations().deletePool("again-pool");
  }

  private Pipeline pipeline(List<Map<String, Object>> pools) throws IOException {
    return azure.pipeline(temp, azure.parameters(temp, pools, Map.of()));
  }

  /** Runs a small pipeline that must fail; returns the failure's message. */
  private static String failure(Pipeline p) {
    p.apply(Create.of("a", "b"))
        .apply(MapElements.into(TypeDescriptors.strings()).via(s -> s + "!"))
        .apply(
            TextIO.write().to(Path.of(System.getProperty("java.io.tmpdir"), "never").toString()));
    long start = System.nanoTime();
    Exception e = assertThrows(Exception.class, () -> p.run().waitUntilFinish());
    assertThat("seconds until the run failed", (System.nanoTime() - start) / 1e9, lessThan(90.0));
    StringBuilder all = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      all.append(t.getMessage()).append('\n');
    }
    return all.toString();
  }

  private static void createPoolAsAUserWould(String id, String vmSize) throws IOException {
    azure
        .client()
        .poolOperations()
        .createPool(
            new PoolAddParameter()
                .withId(id)
                .withVmSize(vmSize)
                .withTargetDedicatedNodes(1)
                .withTaskSlotsPerNode(2)
                .withVirtualMachineConfiguration(
                    new VirtualMachineConfiguration()
                        .withImageReference(
                            new ImageReference()
                                .withPublisher("canonical")
                                .withOffer("0001-com-ubuntu-server-jammy")
                                .withSku("22_04-lts")
                                .withVersion("latest"))
                        .withNodeAgentSKUId("batch.node.ubuntu 22.04")));
  }

  private static boolean poolExists(String id) throws IOException {
    return azure.client().poolOperations().existsPool(id);
  }

  private static void assertGoneOrDeleting(String id) throws IOException {
    BatchClient client = azure.client();
    if (client.poolOperations().existsPool(id)) {
      CloudPool pool = client.poolOperations().getPool(id);
      assertThat("pool " + id + " the run created", pool.state(), is(PoolState.DELETING));
    }
  }

  /** What {@code run} writes to stderr (where the runner's SLF4J log goes), also passed on. */
  private static String stderrOf(Runnable run) {
    return CapturedStderr.of(run, true);
  }
}

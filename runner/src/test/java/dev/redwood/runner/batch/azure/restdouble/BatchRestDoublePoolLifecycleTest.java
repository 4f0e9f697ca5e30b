package dev.redwood.runner.batch.azure.restdouble;

import static dev.redwood.runner.batch.azure.restdouble.DoubleTestSupport.await;
import static dev.redwood.runner.batch.azure.restdouble.DoubleTestSupport.awaitNodes;
import static dev.redwood.runner.batch.azure.restdouble.DoubleTestSupport.nodes;
import static dev.redwood.runner.batch.azure.restdouble.DoubleTestSupport.ubuntuPool;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.microsoft.azure.batch.BatchClient;
import com.microsoft.azure.batch.protocol.models.AllocationState;
import com.microsoft.azure.batch.protocol.models.BatchErrorDetail;
import com.microsoft.azure.batch.protocol.models.BatchErrorException;
import com.microsoft.azure.batch.protocol.models.CloudPool;
import com.microsoft.azure.batch.protocol.models.CloudTask;
import com.microsoft.azure.batch.protocol.models.ComputeNode;
import com.microsoft.azure.batch.protocol.models.ComputeNodeDeallocationOption;
import com.microsoft.azure.batch.protocol.models.ComputeNodeState;
import com.microsoft.azure.batch.protocol.models.PoolInformation;
import com.microsoft.azure.batch.protocol.models.PoolState;
import com.microsoft.azure.batch.protocol.models.ResizeError;
import com.microsoft.azure.batch.protocol.models.StartTask;
import com.microsoft.azure.batch.protocol.models.TaskAddParameter;
import com.microsoft.azure.batch.protocol.models.TaskExecutionResult;
import com.microsoft.azure.batch.protocol.models.TaskState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pools as the service runs them, through the SDK: allocation on a scaled clock, node states,
 * quotas and resize errors, refused specifications and asynchronous deletion.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class BatchRestDoublePoolLifecycleTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  @TempDir Path tmp;

  private final String key = BatchRestDouble.newKey();
  private BatchRestDouble batch;
  private BatchClient client;

  @BeforeEach
  void start() throws Exception {
    batch = new BatchRestDouble("lifecycle", key).start();
    client = DoubleTestSupport.sharedKeyClient(batch, key);
  }

  @AfterEach
  void stop() {
    batch.close();
    assertThat(batch.liveProcesses(), is(empty()));
  }

  private String gated(String name) {
    return "/bin/bash -c 'echo run >> "
        + tmp.resolve("runs-" + name)
        + "; while [ ! -e "
        + tmp.resolve(name)
        + " ]; do sleep 0.05; done'";
  }

  private static int lines(Path p) {
    try {
      return Files.exists(p) ? Files.readAllLines(p).size() : 0;
    } catch (IOException e) {
      return 0;
    }
  }

  private CloudTask task(String job, String id) {
    try {
      return client.taskOperations().getTask(job, id);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void allocationTakesServiceTimeAndNodesPassThroughTheirStates() throws Exception {
    // 40 minutes of service time per allocation and per boot: 2 s each at the default scale
    // (long enough for the polls below to see every state on a loaded machine).
    batch.limits(
        AccountLimits.defaults()
            .withPoolAllocationDelay(Duration.ofMinutes(40))
            .withNodeBootDelay(Duration.ofMinutes(40)));
    client
        .poolOperations()
        .createPool(
            ubuntuPool("p", "Standard_D2s_v3", 1, 2)
                .withStartTask(
                    new StartTask().withCommandLine("sleep 2").withWaitForSuccess(true)));
    CloudPool p = client.poolOperations().getPool("p");
    assertThat(p.state(), is(PoolState.ACTIVE));
    assertThat(p.allocationState(), is(AllocationState.RESIZING));
    assertThat(p.currentDedicatedNodes(), is(0));
    assertThat(nodes(client, "p"), is(empty()));

    // Record every state the node shows until it is idle.
    List<ComputeNodeState> seen = new ArrayList<>();
    await(
        "the node idle",
        TIMEOUT,
        () -> {
          List<ComputeNode> ns = nodes(client, "p");
          if (ns.isEmpty()) {
            return null;
          }
          ComputeNodeState s = ns.get(0).state();
          if (seen.isEmpty() || seen.get(seen.size() - 1) != s) {
            seen.add(s);
          }
          return s == ComputeNodeState.IDLE ? s : null;
        });
    assertThat(
        seen,
        is(
            List.of(
                ComputeNodeState.CREATING,
                ComputeNodeState.STARTING,
                ComputeNodeState.WAITING_FOR_START_TASK,
                ComputeNodeState.IDLE)));
    p = client.poolOperations().getPool("p");
    assertThat(p.allocationState(), is(AllocationState.STEADY));
    assertThat(p.resizeErrors(), is(nullValue()));

    // A resize is resizing for the allocation delay; a second one meanwhile is refused.
    client.poolOperations().resizePool("p", 2, 0);
    assertThat(
        client.poolOperations().getPool("p").allocationState(), is(AllocationState.RESIZING));
    BatchErrorException busy =
        assertThrows(
            BatchErrorException.class, () -> client.poolOperations().resizePool("p", 3, 0));
    assertThat(busy.response().code(), is(409));
    assertThat(busy.body().code(), is("PoolBeingResized"));
    assertThat(DoubleTestSupport.awaitSteady(client, "p").currentDedicatedNodes(), is(2));

    // Shrinking with taskcompletion: the busy node is leavingpool until its task ends.
    batch.limits(batch.limits().withPoolAllocationDelay(Duration.ofMinutes(2)));
    awaitNodes(
        client,
        "p",
        "both nodes idle",
        TIMEOUT,
        ns -> ns.stream().allMatch(n -> n.state() == ComputeNodeState.IDLE));
    client.jobOperations().createJob("j", new PoolInformation().withPoolId("p"));
    client
        .taskOperations()
        .createTask("j", new TaskAddParameter().withId("busy").withCommandLine(gated("busy")));
    await(
        "busy running",
        TIMEOUT,
        () -> task("j", "busy").state() == TaskState.RUNNING ? true : null);
    String busyNode = task("j", "busy").nodeInfo().nodeId();
    client
        .poolOperations()
        .resizePool("p", 0, 0, null, ComputeNodeDeallocationOption.TASK_COMPLETION);
    awaitNodes(
        client,
        "p",
        "only the busy node left, leaving",
        TIMEOUT,
        ns ->
            ns.size() == 1
                && ns.get(0).id().equals(busyNode)
                && ns.get(0).state() == ComputeNodeState.LEAVING_POOL);
    Thread.sleep(500); // well past the allocation delay: the node waits for its task
    assertThat(nodes(client, "p"), hasSize(1));
    assertThat(
        client.poolOperations().getPool("p").allocationState(), is(AllocationState.RESIZING));
    assertThat(task("j", "busy").state(), is(TaskState.RUNNING));
    Files.createFile(tmp.resolve("busy"));
    CloudPool empty = DoubleTestSupport.awaitSteady(client, "p");
    assertThat(empty.currentDedicatedNodes(), is(0));
    CloudTask busy2 = task("j", "busy");
    assertThat(busy2.state(), is(TaskState.COMPLETED));
    assertThat(busy2.executionInfo().result(), is(TaskExecutionResult.SUCCESS));
    assertThat(busy2.executionInfo().requeueCount(), is(0));
    assertThat(Files.readAllLines(tmp.resolve("runs-busy")), hasSize(1));
  }

  @Test
  void quotasLeavePoolsShortWithResizeErrorsButNothingFails() throws Exception {
    batch.limits(
        AccountLimits.defaults()
            .withPoolAllocationMode(AccountLimits.PoolAllocationMode.USER_SUBSCRIPTION)
            .withFamilyCoreQuota("standardDSv3Family", 4)
            .withDedicatedCoreQuota(10)
            .withLowPriorityCoreQuota(2));
    // Two vCPUs a node, four in the family: two of three nodes.
    client.poolOperations().createPool(ubuntuPool("ds", "standard_d2s_v3", 3, 1));
    CloudPool ds = DoubleTestSupport.awaitSteady(client, "ds");
    assertThat(ds.state(), is(PoolState.ACTIVE));
    assertThat(ds.currentDedicatedNodes(), is(2));
    assertThat(ds.targetDedicatedNodes(), is(3));
    assertThat(ds.resizeErrors(), hasSize(1));
    ResizeError familyError = ds.resizeErrors().get(0);
    assertThat(familyError.code(), is("AccountVMSeriesCoreQuotaReached"));
    assertThat(familyError.message(), containsString("standardDSv3Family"));
    assertThat(familyError.message(), containsString("ds"));

    // Four vCPUs a node; 4 of the 10 dedicated vCPUs are in use: one node fits, not two.
    client.poolOperations().createPool(ubuntuPool("es", "Standard_E4s_v3", 3, 1));
    CloudPool es = DoubleTestSupport.awaitSteady(client, "es");
    assertThat(es.currentDedicatedNodes(), is(1));
    assertThat(es.resizeErrors().get(0).code(), is("AccountCoreQuotaReached"));

    // Spot: one value for all families, 2 vCPUs.
    client
        .poolOperations()
        .createPool(ubuntuPool("spot", "Standard_D2s_v5", 0, 1).withTargetLowPriorityNodes(2));
    CloudPool spot = DoubleTestSupport.awaitSteady(client, "spot");
    assertThat(spot.currentLowPriorityNodes(), is(1));
    assertThat(spot.resizeErrors().get(0).code(), is("AccountLowPriorityCoreQuotaReached"));

    // A resize within the quota clears the errors.
    client.poolOperations().resizePool("ds", 1, 0);
    ds = DoubleTestSupport.awaitSteady(client, "ds");
    assertThat(ds.currentDedicatedNodes(), is(1));
    assertThat(ds.resizeErrors(), is(nullValue()));
  }

  private static String value(BatchErrorException e, String key) {
    for (BatchErrorDetail d : e.body().values()) {
      if (d.key().equals(key)) {
        return d.value();
      }
    }
    return null;
  }

  @Test
  void poolsTheServiceRefusesAreRefusedAndLeaveNothing() throws Exception {
    BatchErrorException size =
        assertThrows(
            BatchErrorException.class,
            () -> client.poolOperations().createPool(ubuntuPool("a", "Standard_Q2_v9", 1, 1)));
    assertThat(size.response().code(), is(400));
    assertThat(size.body().code(), is("InvalidPropertyValue"));
    assertThat(value(size, "PropertyName"), is("vmSize"));
    assertThat(value(size, "Reason"), containsString("Standard_Q2_v9"));

    // min(4 x 2 vCPUs, 256) = 8 slots; min(4 x 96, 256) = 256.
    BatchErrorException slots =
        assertThrows(
            BatchErrorException.class,
            () -> client.poolOperations().createPool(ubuntuPool("b", "Standard_D2s_v5", 1, 9)));
    assertThat(value(slots, "PropertyName"), is("taskSlotsPerNode"));
    assertThat(value(slots, "Reason"), containsString("between 1 and 8"));
    BatchErrorException big =
        assertThrows(
            BatchErrorException.class,
            () -> client.poolOperations().createPool(ubuntuPool("c", "Standard_D96s_v5", 0, 257)));
    assertThat(value(big, "Reason"), containsString("between 1 and 256"));
    client.poolOperations().createPool(ubuntuPool("ok", "Standard_D2s_v5", 0, 8));

    // Low-priority on a BatchService account: refused on add (targets or formula) and resize.
    BatchErrorException low =
        assertThrows(
            BatchErrorException.class,
            () ->
                client
                    .poolOperations()
                    .createPool(
                        ubuntuPool("d", "Standard_D2s_v5", 0, 1).withTargetLowPriorityNodes(1)));
    assertThat(low.response().code(), is(400));
    assertThat(value(low, "PropertyName"), is("targetLowPriorityNodes"));
    assertThat(value(low, "Reason"), containsString("UserSubscription"));
    BatchErrorException formula =
        assertThrows(
            BatchErrorException.class,
            () ->
                client
                    .poolOperations()
                    .createPool(
                        ubuntuPool("e", "Standard_D2s_v5", 0, 1)
                            .withTargetDedicatedNodes(null)
                            .withEnableAutoScale(true)
                            .withAutoScaleFormula("$TargetLowPriorityNodes=2;")));
    assertThat(value(formula, "PropertyName"), is("autoScaleFormula"));
    DoubleTestSupport.awaitSteady(client, "ok");
    BatchErrorException resize =
        assertThrows(
            BatchErrorException.class, () -> client.poolOperations().resizePool("ok", 0, 1));
    assertThat(value(resize, "PropertyName"), is("targetLowPriorityNodes"));

    assertThat(
        client.poolOperations().listPools().stream()
            .map(CloudPool::id)
            .collect(Collectors.toList()),
        is(List.of("ok")));
    assertThat(client.poolOperations().getPool("ok").targetLowPriorityNodes(), is(0));
  }

  @Test
  void aDeletedPoolIsDeletingForAWhileAndItsJobsRunNothing() throws Exception {
    batch.limits(AccountLimits.defaults().withPoolDeletionDelay(Duration.ofMinutes(60)));
    client.poolOperations().createPool(ubuntuPool("p", "Standard_D2s_v3", 1, 1));
    client.jobOperations().createJob("j", new PoolInformation().withPoolId("p"));
    client
        .taskOperations()
        .createTask("j", new TaskAddParameter().withId("t").withCommandLine(gated("t")));
    await("t running", TIMEOUT, () -> task("j", "t").state() == TaskState.RUNNING ? true : null);
    // Running in Batch's eyes comes before the command's first line: wait for that line too.
    await("t's command started", TIMEOUT, () -> lines(tmp.resolve("runs-t")) == 1 ? true : null);

    batch.clearRequests();
    client.poolOperations().deletePool("p");
    assertThat(batch.requests().get(0).status(), is(202));
    CloudPool deleting = client.poolOperations().getPool("p");
    assertThat(deleting.state(), is(PoolState.DELETING));
    assertThat(client.poolOperations().existsPool("p"), is(true));
    // Its running task went back to active (as a resize with requeue would do).
    await("t active", TIMEOUT, () -> task("j", "t").state() == TaskState.ACTIVE ? true : null);
    assertThat(task("j", "t").executionInfo().requeueCount(), is(1));

    BatchErrorException again =
        assertThrows(
            BatchErrorException.class,
            () -> client.poolOperations().createPool(ubuntuPool("P", "Standard_D2s_v3", 1, 1)));
    assertThat(again.response().code(), is(409));
    assertThat(again.body().code(), is("PoolBeingDeleted"));
    BatchErrorException resize =
        assertThrows(
            BatchErrorException.class, () -> client.poolOperations().resizePool("p", 2, 0));
    assertThat(resize.body().code(), is("PoolBeingDeleted"));
    BatchErrorException delete =
        assertThrows(BatchErrorException.class, () -> client.poolOperations().deletePool("p"));
    assertThat(delete.body().code(), is("PoolBeingDeleted"));

    await(
        "pool gone",
        TIMEOUT,
        () -> {
          try {
            return client.poolOperations().existsPool("p") ? null : true;
          } catch (IOException e) {
            throw new AssertionError(e);
          }
        });
    // A job bound to a missing pool runs nothing...
    Thread.sleep(300);
    assertThat(task("j", "t").state(), is(TaskState.ACTIVE));
    assertThat(Files.readAllLines(tmp.resolve("runs-t")), hasSize(1));
    // ...until a pool with that id exists again.
    client.poolOperations().createPool(ubuntuPool("p", "Standard_D2s_v3", 1, 1));
    await("t running again", TIMEOUT, () -> lines(tmp.resolve("runs-t")) == 2 ? true : null);
    Files.createFile(tmp.resolve("t"));
    await(
        "t completed", TIMEOUT, () -> task("j", "t").state() == TaskState.COMPLETED ? true : null);
    assertThat(task("j", "t").executionInfo().result(), is(TaskExecutionResult.SUCCESS));
  }
}

package dev.redwood.runner.batch.azure.restdouble;

import static dev.redwood.runner.batch.azure.restdouble.DoubleTestSupport.await;
import static dev.redwood.runner.batch.azure.restdouble.DoubleTestSupport.awaitNodesIn;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.microsoft.azure.batch.BatchClient;
import com.microsoft.azure.batch.protocol.models.BatchErrorException;
import com.microsoft.azure.batch.protocol.models.CloudJob;
import com.microsoft.azure.batch.protocol.models.CloudTask;
import com.microsoft.azure.batch.protocol.models.ComputeNode;
import com.microsoft.azure.batch.protocol.models.ComputeNodeState;
import com.microsoft.azure.batch.protocol.models.JobAddParameter;
import com.microsoft.azure.batch.protocol.models.JobConstraints;
import com.microsoft.azure.batch.protocol.models.JobPreparationAndReleaseTaskExecutionInformation;
import com.microsoft.azure.batch.protocol.models.JobPreparationTask;
import com.microsoft.azure.batch.protocol.models.JobPreparationTaskExecutionInformation;
import com.microsoft.azure.batch.protocol.models.JobPreparationTaskState;
import com.microsoft.azure.batch.protocol.models.JobState;
import com.microsoft.azure.batch.protocol.models.PoolInformation;
import com.microsoft.azure.batch.protocol.models.StartTask;
import com.microsoft.azure.batch.protocol.models.TaskAddParameter;
import com.microsoft.azure.batch.protocol.models.TaskExecutionResult;
import com.microsoft.azure.batch.protocol.models.TaskState;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The double's node-level fault hooks through the SDK: failing start tasks, unusable nodes, failing
 * job preparations (and their status list), and answers lost after the request took effect.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class BatchRestDoubleNodeFaultsTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  @TempDir Path tmp;

  private final String key = BatchRestDouble.newKey();
  private BatchRestDouble batch;
  private BatchClient client;

  @BeforeEach
  void start() throws Exception {
    batch = new BatchRestDouble("nodefaults", key).start();
    client = DoubleTestSupport.sharedKeyClient(batch, key);
  }

  @AfterEach
  void stop() {
    batch.close();
    assertThat(batch.liveProcesses(), is(empty()));
  }

  private void pool(String id, int dedicated, StartTask startTask) throws IOException {
    client
        .poolOperations()
        .createPool(
            DoubleTestSupport.ubuntuPool(id, "Standard_D2s_v5", dedicated, 1)
                .withStartTask(startTask));
  }

  private CloudTask task(String job, String id) {
    try {
      return client.taskOperations().getTask(job, id);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static int lines(Path p) {
    try {
      return Files.exists(p) ? Files.readAllLines(p).size() : 0;
    } catch (IOException e) {
      return 0;
    }
  }

  private String nodeFile(String pool, String node, String path) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    client.fileOperations().getFileFromComputeNode(pool, node, path, out);
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void failedStartTasksLeaveNodesUnusedAndUnusableNodesGiveTheirTasksBack() throws Exception {
    batch.failStartTasks("broken");
    pool("broken", 1, new StartTask().withCommandLine("true").withWaitForSuccess(true));
    ComputeNode failed =
        awaitNodesIn(client, "broken", ComputeNodeState.START_TASK_FAILED, 1).get(0);
    assertThat(failed.startTaskInfo().exitCode(), is(1));
    assertThat(failed.startTaskInfo().result(), is(TaskExecutionResult.FAILURE));
    assertThat(failed.startTaskInfo().failureInfo().code(), is("FailureExitCode"));
    assertThat(
        nodeFile("broken", failed.id(), "startup/stderr.txt"),
        containsString("injected failure of the start task of pool broken"));
    client.jobOperations().createJob("on-broken", new PoolInformation().withPoolId("broken"));
    client
        .taskOperations()
        .createTask("on-broken", new TaskAddParameter().withId("t").withCommandLine("true"));
    Thread.sleep(300);
    assertThat(task("on-broken", "t").state(), is(TaskState.ACTIVE));

    // An unusable node: its task is requeued (not failed, not counted) and runs elsewhere.
    pool("good", 2, null);
    awaitNodesIn(client, "good", ComputeNodeState.IDLE, 2);
    client.jobOperations().createJob("j", new PoolInformation().withPoolId("good"));
    Path runs = tmp.resolve("runs");
    Path gate = tmp.resolve("gate");
    client
        .taskOperations()
        .createTask(
            "j",
            new TaskAddParameter()
                .withId("a")
                .withCommandLine(
                    "/bin/bash -c 'echo $AZ_BATCH_NODE_ID >> "
                        + runs
                        + "; while [ ! -e "
                        + gate
                        + " ]; do sleep 0.05; done'"));
    await("a started", TIMEOUT, () -> lines(runs) == 1 ? true : null);
    String first = task("j", "a").nodeInfo().nodeId();
    assertThat(batch.makeNodeUnusable("good", first), is(true));
    assertThat(
        client.computeNodeOperations().getComputeNode("good", first).state(),
        is(ComputeNodeState.UNUSABLE));
    await("a started again", TIMEOUT, () -> lines(runs) == 2 ? true : null);
    String second = Files.readAllLines(runs).get(1);
    assertThat(second, not(first));
    Files.createFile(gate);
    await(
        "a completed", TIMEOUT, () -> task("j", "a").state() == TaskState.COMPLETED ? true : null);
    CloudTask a = task("j", "a");
    assertThat(a.executionInfo().result(), is(TaskExecutionResult.SUCCESS));
    assertThat(a.executionInfo().requeueCount(), is(0));
    assertThat(a.executionInfo().retryCount(), is(0));
    assertThat(a.nodeInfo().nodeId(), is(second));
    assertThat(batch.nodeStates("good").get(first), is("unusable"));
  }

  @Test
  void aFailedJobPreparationKeepsTheJobsTasksOffThatNode() throws Exception {
    pool("p", 2, null);
    List<ComputeNode> nodes = awaitNodesIn(client, "p", ComputeNodeState.IDLE, 2);
    String bad = nodes.get(0).id();
    String good = nodes.get(1).id();

    // A preparation that fails on one node only: every task runs on the other one.
    client
        .jobOperations()
        .createJob(
            new JobAddParameter()
                .withId("half")
                .withPoolInfo(new PoolInformation().withPoolId("p"))
                .withJobPreparationTask(
                    new JobPreparationTask()
                        .withCommandLine(
                            "/bin/bash -c 'echo preparing >&2; test $AZ_BATCH_NODE_ID != "
                                + bad
                                + "'")));
    for (int i = 0; i < 6; i++) {
      client
          .taskOperations()
          .createTask("half", new TaskAddParameter().withId("t" + i).withCommandLine("sleep 0.2"));
    }
    for (int i = 0; i < 6; i++) {
      String id = "t" + i;
      await(
          id + " done",
          TIMEOUT,
          () -> task("half", id).state() == TaskState.COMPLETED ? true : null);
      CloudTask t = task("half", id);
      assertThat(t.executionInfo().result(), is(TaskExecutionResult.SUCCESS));
      assertThat(t.nodeInfo().nodeId(), is(good));
    }
    List<JobPreparationAndReleaseTaskExecutionInformation> status =
        client.jobOperations().listPreparationAndReleaseTaskStatus("half");
    assertThat(status, hasSize(2));
    for (JobPreparationAndReleaseTaskExecutionInformation s : status) {
      assertThat(s.poolId(), is("p"));
      assertThat(s.nodeUrl(), containsString("/pools/p/nodes/" + s.nodeId()));
      JobPreparationTaskExecutionInformation info = s.jobPreparationTaskExecutionInfo();
      assertThat(info.state(), is(JobPreparationTaskState.COMPLETED));
      assertThat(info.startTime(), notNullValue());
      assertThat(info.endTime(), notNullValue());
      assertThat(info.taskRootDirectory(), is("workitems/half/job-1/jobpreparation"));
      assertThat(info.taskRootDirectoryUrl(), containsString(info.taskRootDirectory()));
      if (s.nodeId().equals(bad)) {
        assertThat(info.result(), is(TaskExecutionResult.FAILURE));
        assertThat(info.exitCode(), is(1));
        assertThat(info.failureInfo().code(), is("FailureExitCode"));
      } else {
        assertThat(s.nodeId(), is(good));
        assertThat(info.result(), is(TaskExecutionResult.SUCCESS));
        assertThat(info.exitCode(), is(0));
      }
    }

    // An injected failure on every node: the tasks stay active, nothing fails.
    batch.failJobPreparations("doomed-.*");
    client
        .jobOperations()
        .createJob(
            new JobAddParameter()
                .withId("doomed-1")
                .withPoolInfo(new PoolInformation().withPoolId("p"))
                .withJobPreparationTask(new JobPreparationTask().withCommandLine("true")));
    for (String id : List.of("x", "y", "z")) {
      client
          .taskOperations()
          .createTask("doomed-1", new TaskAddParameter().withId(id).withCommandLine("true"));
    }
    List<JobPreparationAndReleaseTaskExecutionInformation> failures =
        await(
            "two failed preparations",
            TIMEOUT,
            () -> {
              try {
                List<JobPreparationAndReleaseTaskExecutionInformation> l =
                    client.jobOperations().listPreparationAndReleaseTaskStatus("doomed-1");
                return l.size() == 2
                        && l.stream()
                            .allMatch(
                                s ->
                                    s.jobPreparationTaskExecutionInfo().result()
                                        == TaskExecutionResult.FAILURE)
                    ? l
                    : null;
              } catch (IOException e) {
                throw new AssertionError(e);
              }
            });
    Thread.sleep(300);
    assertThat(
        client.taskOperations().listTasks("doomed-1").stream()
            .map(t -> t.state())
            .collect(Collectors.toList()),
        is(List.of(TaskState.ACTIVE, TaskState.ACTIVE, TaskState.ACTIVE)));
    assertThat(client.jobOperations().getTaskCounts("doomed-1").failed(), is(0));
    String node = failures.get(0).nodeId();
    assertThat(
        nodeFile("p", node, "workitems/doomed-1/job-1/jobpreparation/stderr.txt"),
        containsString("injected failure of the job preparation task of job doomed-1"));
  }

  @Test
  void aLostAnswerLeavesTheRequestAppliedAndARetryMeetsItsEffect() throws Exception {
    pool("p", 0, null);
    batch.clearRequests();
    batch.loseResponses("POST", "^/jobs$", 1);
    Exception e =
        assertThrows(
            Exception.class,
            () -> client.jobOperations().createJob("lost", new PoolInformation().withPoolId("p")));
    List<RecordedRequest> posts =
        batch.requests().stream()
            .filter(r -> r.method().equals("POST") && r.path().equals("/jobs"))
            .collect(Collectors.toList());
    assertThat(posts.get(0).status(), is(-1));
    // The job was created although its answer never arrived.
    assertThat(client.jobOperations().getJob("lost").poolInfo().poolId(), is("p"));
    // The SDK's transport repeats the request, which now meets the job it created.
    assertThat(posts, hasSize(2));
    assertThat(posts.get(1).status(), is(409));
    assertThat(e, org.hamcrest.Matchers.instanceOf(BatchErrorException.class));
    assertThat(((BatchErrorException) e).body().code(), is("JobExists"));
  }

  @Test
  void aJobPastItsWallClockLimitIsTerminatedWithItsRunningTasks() throws Exception {
    pool("clock", 1, null);
    awaitNodesIn(client, "clock", ComputeNodeState.IDLE, 1);
    client
        .jobOperations()
        .createJob(
            new JobAddParameter()
                .withId("short")
                .withPoolInfo(new PoolInformation().withPoolId("clock"))
                .withConstraints(
                    new JobConstraints().withMaxWallClockTime(org.joda.time.Period.seconds(3))));
    client
        .taskOperations()
        .createTask("short", new TaskAddParameter().withId("long").withCommandLine("sleep 120"));
    CloudJob job =
        await(
            "job short completed",
            TIMEOUT,
            () -> {
              try {
                CloudJob j = client.jobOperations().getJob("short");
                return j.state() == JobState.COMPLETED ? j : null;
              } catch (IOException e) {
                throw new AssertionError(e);
              }
            });
    assertThat(job.executionInfo().terminateReason(), is("MaxWallClockTimeExpiry"));
    CloudTask task = client.taskOperations().getTask("short", "long");
    assertThat(task.state(), is(TaskState.COMPLETED));
    assertThat(task.executionInfo().result(), is(TaskExecutionResult.FAILURE));
    BatchErrorException refused =
        assertThrows(
            BatchErrorException.class,
            () ->
                client
                    .jobOperations()
                    .createJob(
                        new JobAddParameter()
                            .withId("bad")
                            .withPoolInfo(new PoolInformation().withPoolId("clock"))
                            .withConstraints(
                                new JobConstraints()
                                    .withMaxWallClockTime(org.joda.time.Period.seconds(0)))));
    assertThat(refused.body().code(), is("InvalidPropertyValue"));
  }
}

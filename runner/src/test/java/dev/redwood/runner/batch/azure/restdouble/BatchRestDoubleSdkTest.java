package dev.redwood.runner.batch.azure.restdouble;

import static dev.redwood.runner.batch.azure.restdouble.DoubleTestSupport.await;
import static dev.redwood.runner.batch.azure.restdouble.DoubleTestSupport.ubuntu;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.microsoft.azure.PagedList;
import com.microsoft.azure.batch.BatchClient;
import com.microsoft.azure.batch.DetailLevel;
import com.microsoft.azure.batch.interceptor.BatchClientParallelOptions;
import com.microsoft.azure.batch.protocol.models.AllocationState;
import com.microsoft.azure.batch.protocol.models.CloudJob;
import com.microsoft.azure.batch.protocol.models.CloudPool;
import com.microsoft.azure.batch.protocol.models.CloudTask;
import com.microsoft.azure.batch.protocol.models.ComputeNode;
import com.microsoft.azure.batch.protocol.models.ComputeNodeState;
import com.microsoft.azure.batch.protocol.models.EnvironmentSetting;
import com.microsoft.azure.batch.protocol.models.FileGetFromTaskOptions;
import com.microsoft.azure.batch.protocol.models.FileProperties;
import com.microsoft.azure.batch.protocol.models.JobAddParameter;
import com.microsoft.azure.batch.protocol.models.JobPatchParameter;
import com.microsoft.azure.batch.protocol.models.JobPreparationAndReleaseTaskExecutionInformation;
import com.microsoft.azure.batch.protocol.models.JobPreparationTask;
import com.microsoft.azure.batch.protocol.models.JobState;
import com.microsoft.azure.batch.protocol.models.OnAllTasksComplete;
import com.microsoft.azure.batch.protocol.models.OutputFile;
import com.microsoft.azure.batch.protocol.models.OutputFileBlobContainerDestination;
import com.microsoft.azure.batch.protocol.models.OutputFileDestination;
import com.microsoft.azure.batch.protocol.models.OutputFileUploadCondition;
import com.microsoft.azure.batch.protocol.models.OutputFileUploadOptions;
import com.microsoft.azure.batch.protocol.models.PoolAddParameter;
import com.microsoft.azure.batch.protocol.models.PoolGetHeaders;
import com.microsoft.azure.batch.protocol.models.PoolInformation;
import com.microsoft.azure.batch.protocol.models.PoolState;
import com.microsoft.azure.batch.protocol.models.ResourceFile;
import com.microsoft.azure.batch.protocol.models.StartTask;
import com.microsoft.azure.batch.protocol.models.TaskAddParameter;
import com.microsoft.azure.batch.protocol.models.TaskConstraints;
import com.microsoft.azure.batch.protocol.models.TaskCountsResult;
import com.microsoft.azure.batch.protocol.models.TaskDependencies;
import com.microsoft.azure.batch.protocol.models.TaskExecutionResult;
import com.microsoft.azure.batch.protocol.models.TaskListOptions;
import com.microsoft.azure.batch.protocol.models.TaskState;
import com.microsoft.rest.ServiceResponseWithHeaders;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.joda.time.Period;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The double driven end to end through the real track-1 SDK with SharedKey auth. */
@Timeout(value = 90, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class BatchRestDoubleSdkTest {
  private static final String ACCOUNT = "redwooddouble";
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private final String key = BatchRestDouble.newKey();
  private BatchRestDouble batch;
  private DoubleTestSupport.LocalHttp http;
  private BatchClient client;

  @BeforeEach
  void start() throws Exception {
    batch = new BatchRestDouble(ACCOUNT, key).start();
    http = new DoubleTestSupport.LocalHttp();
    client = DoubleTestSupport.sharedKeyClient(batch, key);
  }

  @AfterEach
  void stop() {
    batch.close();
    http.close();
    assertThat(batch.liveProcesses(), is(empty()));
  }

  private static EnvironmentSetting env(String name, String value) {
    return new EnvironmentSetting().withName(name).withValue(value);
  }

  @Test
  void poolJobPreparationAndTwoHundredFiftyTasks() throws Exception {
    http.files.put(
        "/data/input.txt", "hello from a resource file\n".getBytes(StandardCharsets.UTF_8));

    client
        .poolOperations()
        .createPool(
            new PoolAddParameter()
                .withId("pool1")
                .withVmSize("standard_d2s_v3")
                .withVirtualMachineConfiguration(ubuntu())
                .withTargetDedicatedNodes(2)
                .withTaskSlotsPerNode(4)
                .withStartTask(
                    new StartTask()
                        .withCommandLine(
                            "/bin/bash -c 'echo started-$AZ_BATCH_NODE_ID >"
                                + " $AZ_BATCH_NODE_SHARED_DIR/started'")
                        .withWaitForSuccess(true)));
    assertThat(client.poolOperations().existsPool("pool1"), is(true));
    assertThat(client.poolOperations().existsPool("nope"), is(false));
    CloudPool pool = client.poolOperations().getPool("pool1");
    assertThat(pool.state(), is(PoolState.ACTIVE));
    pool = DoubleTestSupport.awaitSteady(client, "pool1");
    assertThat(pool.allocationState(), is(AllocationState.STEADY));
    assertThat(pool.currentDedicatedNodes(), is(2));
    assertThat(pool.taskSlotsPerNode(), is(4));
    assertThat(pool.virtualMachineConfiguration().nodeAgentSKUId(), is("batch.node.ubuntu 22.04"));
    ServiceResponseWithHeaders<CloudPool, PoolGetHeaders> raw =
        client.protocolLayer().pools().getWithServiceResponseAsync("pool1").toBlocking().single();
    assertThat(raw.headers().requestId(), notNullValue());
    assertThat(raw.headers().eTag(), is(pool.eTag()));
    assertThat(raw.headers().lastModified(), notNullValue());

    // Both nodes finish their start task and become idle (so the tasks spread over both).
    DoubleTestSupport.awaitNodesIn(client, "pool1", ComputeNodeState.IDLE, 2);

    client
        .jobOperations()
        .createJob(
            new JobAddParameter()
                .withId("job1")
                .withPoolInfo(new PoolInformation().withPoolId("pool1"))
                .withOnAllTasksComplete(OnAllTasksComplete.NO_ACTION)
                .withCommonEnvironmentSettings(List.of(env("JOB_VAR", "from-job")))
                .withJobPreparationTask(
                    new JobPreparationTask()
                        .withCommandLine(
                            "/bin/bash -c 'echo prep >> $AZ_BATCH_NODE_SHARED_DIR/prep-runs;"
                                + " test -s input.txt'")
                        .withResourceFiles(
                            List.of(
                                new ResourceFile()
                                    .withHttpUrl(http.url("/data/input.txt"))
                                    .withFilePath("input.txt")))
                        .withWaitForSuccess(true)));

    List<TaskAddParameter> tasks = new ArrayList<>();
    for (int i = 0; i < 250; i++) {
      String id = String.format("t%03d", i);
      tasks.add(
          new TaskAddParameter()
              .withId(id)
              .withCommandLine(
                  "/bin/bash -c 'cat $AZ_BATCH_JOB_PREP_WORKING_DIR/input.txt;"
                      + " echo task=$AZ_BATCH_TASK_ID job=$AZ_BATCH_JOB_ID pool=$AZ_BATCH_POOL_ID"
                      + " node=$AZ_BATCH_NODE_ID account=$AZ_BATCH_ACCOUNT_NAME;"
                      + " echo wd=$AZ_BATCH_TASK_WORKING_DIR pwd=$(pwd) dir=$AZ_BATCH_TASK_DIR;"
                      + " echo vars=$JOB_VAR,$TASK_VAR; cat $AZ_BATCH_NODE_SHARED_DIR/started;"
                      + " echo oops >&2'")
              .withEnvironmentSettings(List.of(env("TASK_VAR", "v" + i)))
              .withOutputFiles(
                  List.of(
                      new OutputFile()
                          .withFilePattern("../std*.txt")
                          .withDestination(
                              new OutputFileDestination()
                                  .withContainer(
                                      new OutputFileBlobContainerDestination()
                                          .withContainerUrl(http.url("/outputs?sv=1&sig=s3cret"))
                                          .withPath("logs/" + id)))
                          .withUploadOptions(
                              new OutputFileUploadOptions()
                                  .withUploadCondition(
                                      OutputFileUploadCondition.TASK_COMPLETION)))));
    }
    // One worker thread per chunk: with fewer threads than chunks, SDK 11.2.0's createTasks can
    // wait forever (its main thread re-checks for TERMINATED workers after a notify a worker sends
    // just before it terminates, and then waits again with nobody left to notify it).
    assertTimeoutPreemptively(
        Duration.ofSeconds(30),
        () ->
            client
                .taskOperations()
                .createTasks("job1", tasks, List.of(new BatchClientParallelOptions(3))));

    List<RecordedRequest> collections =
        batch.requests().stream()
            .filter(r -> r.path().equals("/jobs/job1/addtaskcollection"))
            .collect(Collectors.toList());
    assertThat(collections.size(), greaterThanOrEqualTo(3));
    int added = 0;
    for (RecordedRequest r : collections) {
      int n = r.bodyJson().get("value").size();
      assertThat(n, lessThanOrEqualTo(100));
      assertThat(r.status(), is(200));
      added += n;
    }
    assertThat(added, is(250));

    // Now that every task is in, let the job end itself.
    client.jobOperations().patchJob("job1", OnAllTasksComplete.TERMINATE_JOB);

    DetailLevel completedIds =
        new DetailLevel.Builder()
            .withFilterClause("state eq 'completed'")
            .withSelectClause("id,state")
            .build();
    await(
        "250 completed tasks",
        TIMEOUT,
        () -> {
          try {
            List<CloudTask> done = client.taskOperations().listTasks("job1", completedIds);
            return done.size() == 250 ? done : null;
          } catch (Exception e) {
            throw new AssertionError(e);
          }
        });

    CloudJob job = await("job completed", TIMEOUT, () -> completedJob("job1"));
    assertThat(job.executionInfo().terminateReason(), is("AllTasksComplete"));

    // $select: only the chosen properties come back.
    CloudTask selected = client.taskOperations().listTasks("job1", completedIds).get(0);
    assertThat(selected.id(), notNullValue());
    assertThat(selected.state(), is(TaskState.COMPLETED));
    assertThat(selected.commandLine(), nullValue());

    // Paging with a small page: odata.nextLink followed verbatim (signed, api-version kept).
    batch.clearRequests();
    PagedList<CloudTask> paged =
        client
            .protocolLayer()
            .tasks()
            .list(
                "job1",
                new TaskListOptions()
                    .withFilter(
                        "(state eq 'completed' or state eq 'running') and"
                            + " executionInfo/endTime ge datetime'2000-01-01T00:00:00Z'")
                    .withSelect("id,state,executionInfo,nodeInfo")
                    .withMaxResults(40));
    List<CloudTask> all = new ArrayList<>(paged);
    assertThat(all, hasSize(250));
    Set<String> ids = all.stream().map(CloudTask::id).collect(Collectors.toSet());
    assertThat(ids, hasSize(250));
    assertThat(
        all.stream().map(t -> t.executionInfo().result()).collect(Collectors.toSet()),
        is(Set.of(TaskExecutionResult.SUCCESS)));
    List<RecordedRequest> pages = batch.requests();
    assertThat(pages, hasSize(7));
    assertThat(
        pages.stream().skip(1).map(r -> r.queryParam("$skiptoken")).collect(Collectors.toList()),
        everyItem(notNullValue()));
    assertThat(
        pages.stream().map(r -> r.queryParam("api-version")).collect(Collectors.toSet()),
        everyItem(notNullValue()));
    Set<String> nodesUsed = new HashSet<>();
    for (CloudTask t : all) {
      assertThat(t.nodeInfo().poolId(), is("pool1"));
      nodesUsed.add(t.nodeInfo().nodeId());
    }
    assertThat(nodesUsed, is(new HashSet<>(batch.nodeIds("pool1"))));
    assertThat(nodesUsed, hasSize(2));

    List<CloudTask> none =
        client
            .taskOperations()
            .listTasks(
                "job1",
                new DetailLevel.Builder()
                    .withFilterClause("executionInfo/endTime ge datetime'2999-01-01T00:00:00Z'")
                    .build());
    assertThat(none, is(empty()));

    // One task in full, its stdout and its uploaded logs.
    CloudTask t7 = client.taskOperations().getTask("job1", "t007");
    assertThat(t7.state(), is(TaskState.COMPLETED));
    assertThat(t7.executionInfo().exitCode(), is(0));
    assertThat(t7.executionInfo().result(), is(TaskExecutionResult.SUCCESS));
    assertThat(t7.executionInfo().retryCount(), is(0));
    assertThat(t7.executionInfo().startTime(), notNullValue());
    assertThat(t7.executionInfo().endTime(), notNullValue());
    String node = t7.nodeInfo().nodeId();
    Path taskDir =
        batch.nodeRoot().resolve("pool1").resolve(node).resolve("workitems/job1/job-1/t007");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    client.fileOperations().getFileFromTask("job1", "t007", "stdout.txt", out);
    String stdout = out.toString(StandardCharsets.UTF_8);
    assertThat(
        stdout,
        allOf(
            startsWith("hello from a resource file\n"),
            containsString(
                "task=t007 job=job1 pool=pool1 node=" + node + " account=" + ACCOUNT + "\n"),
            containsString(
                "wd="
                    + taskDir.resolve("wd")
                    + " pwd="
                    + taskDir.resolve("wd")
                    + " dir="
                    + taskDir
                    + "\n"),
            containsString("vars=from-job,v7\n"),
            containsString("started-" + node + "\n")));
    out.reset();
    client.fileOperations().getFileFromTask("job1", "t007", "stderr.txt", out);
    assertThat(out.toString(StandardCharsets.UTF_8), is("oops\n"));
    FileProperties props =
        client.fileOperations().getFilePropertiesFromTask("job1", "t007", "stdout.txt");
    assertThat(props.contentLength(), is((long) stdout.getBytes(StandardCharsets.UTF_8).length));
    assertThat(props.lastModified(), notNullValue());
    out.reset();
    client
        .protocolLayer()
        .files()
        .getFromTask(
            "job1",
            "t007",
            "stdout.txt",
            new FileGetFromTaskOptions().withOcpRange("bytes=0-4"),
            out);
    assertThat(out.toString(StandardCharsets.UTF_8), is("hello"));

    DoubleTestSupport.LocalHttp.Upload upload = http.upload("/outputs/logs/t007/stdout.txt");
    assertThat(upload, notNullValue());
    assertThat(upload.blobType(), is("BlockBlob"));
    assertThat(upload.query(), is("sv=1&sig=s3cret"));
    assertThat(new String(upload.body(), StandardCharsets.UTF_8), is(stdout));
    assertThat(http.upload("/outputs/logs/t007/stderr.txt"), notNullValue());
    assertThat(http.uploads, hasSize(500));

    // The preparation task ran once per node, before that node's first task of the job.
    for (String n : batch.nodeIds("pool1")) {
      Path shared = batch.nodeRoot().resolve("pool1").resolve(n).resolve("shared");
      assertThat(Files.readAllLines(shared.resolve("prep-runs")), is(List.of("prep")));
    }
    assertThat(String.valueOf(http.gets), http.gets, hasSize(2));
    List<JobPreparationAndReleaseTaskExecutionInformation> prepStatus =
        client.jobOperations().listPreparationAndReleaseTaskStatus("job1");
    assertThat(prepStatus, hasSize(2));
    for (JobPreparationAndReleaseTaskExecutionInformation p : prepStatus) {
      assertThat(p.jobPreparationTaskExecutionInfo().exitCode(), is(0));
      assertThat(p.jobPreparationTaskExecutionInfo().result(), is(TaskExecutionResult.SUCCESS));
    }

    TaskCountsResult counts = client.jobOperations().getTaskCountsResult("job1");
    assertThat(counts.taskCounts().completed(), is(250));
    assertThat(counts.taskCounts().succeeded(), is(250));
    assertThat(counts.taskSlotCounts().completed(), is(250));

    List<ComputeNode> nodes = client.computeNodeOperations().listComputeNodes("pool1");
    assertThat(nodes, hasSize(2));
    Map<String, ComputeNode> byId = new HashMap<>();
    for (ComputeNode n : nodes) {
      byId.put(n.id(), n);
      assertThat(n.state(), is(ComputeNodeState.IDLE));
      assertThat(n.startTaskInfo().exitCode(), is(0));
      assertThat(n.startTaskInfo().result(), is(TaskExecutionResult.SUCCESS));
    }
    assertThat(byId.get(node).totalTasksRun(), greaterThanOrEqualTo(1));
    out.reset();
    client.fileOperations().getFileFromComputeNode("pool1", node, "shared/started", out);
    assertThat(out.toString(StandardCharsets.UTF_8), is("started-" + node + "\n"));

    // States were polled with list + $filter, never one GET per task.
    long perTaskGets =
        batch.requests().stream()
            .filter(r -> r.method().equals("GET") && r.path().matches("/jobs/job1/tasks/[^/]+"))
            .count();
    assertThat(perTaskGets, is(1L));

    client.jobOperations().deleteJob("job1");
    client.poolOperations().deletePool("pool1");
    // Pool_Delete is asynchronous: the pool is deleting for a while, then gone.
    assertThat(client.poolOperations().getPool("pool1").state(), is(PoolState.DELETING));
    await(
        "pool1 deleted",
        TIMEOUT,
        () -> {
          try {
            return client.poolOperations().existsPool("pool1") ? null : true;
          } catch (Exception e) {
            throw new AssertionError(e);
          }
        });
    assertThat(client.poolOperations().listPools(), is(empty()));
    assertThat(client.jobOperations().listJobs(), is(empty()));
  }

  private CloudJob completedJob(String id) {
    try {
      CloudJob j = client.jobOperations().getJob(id);
      return j.state() == JobState.COMPLETED ? j : null;
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void poolsResizeAutoscaleAndJobLists() throws Exception {
    batch.limits(
        AccountLimits.defaults()
            .withPoolAllocationMode(AccountLimits.PoolAllocationMode.USER_SUBSCRIPTION));
    client.poolOperations().createPool("small", "standard_d2s_v3", ubuntu(), 1);
    DoubleTestSupport.awaitSteady(client, "small");
    assertThat(batch.nodeIds("small"), hasSize(1));
    client.poolOperations().resizePool("small", 3, 2);
    CloudPool p = DoubleTestSupport.awaitSteady(client, "small");
    assertThat(p.currentDedicatedNodes(), is(3));
    assertThat(p.currentLowPriorityNodes(), is(2));
    assertThat(batch.nodeIds("small"), hasSize(5));

    client
        .poolOperations()
        .enableAutoScale("small", "$TargetDedicatedNodes=1; $TargetLowPriorityNodes=0;");
    p = DoubleTestSupport.awaitSteady(client, "small");
    assertThat(p.enableAutoScale(), is(true));
    assertThat(p.targetDedicatedNodes(), is(1));
    assertThat(p.currentLowPriorityNodes(), is(0));
    assertThat(p.autoScaleRun().results(), containsString("$TargetDedicatedNodes=1"));

    // Samples of the pool's tasks are taken every 30 s of service time from when autoscale was
    // enabled; wait for one (the resize above took minutes of it), then replace the formula.
    String formula = "$TargetDedicatedNodes = min(10, $PendingTasks.GetSample(1));";
    await(
        "a task sample of pool small",
        TIMEOUT,
        () -> {
          try {
            return client.poolOperations().evaluateAutoScale("small", formula).error() == null
                ? true
                : null;
          } catch (Exception e) {
            throw new AssertionError(e);
          }
        });
    client.poolOperations().enableAutoScale("small", formula);
    p = client.poolOperations().getPool("small");
    assertThat(p.autoScaleFormula(), is(formula));
    assertThat(p.autoScaleRun().error(), is(nullValue()));
    // No job has pending tasks: the new formula scales the pool down to no node.
    assertThat(
        p.autoScaleRun().results(), is("$TargetDedicatedNodes=0;$NodeDeallocationOption=requeue"));
    p = DoubleTestSupport.awaitSteady(client, "small");
    assertThat(p.targetDedicatedNodes(), is(0));
    assertThat(p.currentDedicatedNodes(), is(0));
    assertThat(batch.nodeIds("small"), is(empty()));

    client
        .poolOperations()
        .createPool(
            new PoolAddParameter()
                .withId("auto")
                .withVmSize("standard_d2s_v3")
                .withVirtualMachineConfiguration(ubuntu())
                .withEnableAutoScale(true)
                .withAutoScaleFormula("$TargetLowPriorityNodes=2;")
                .withEnableInterNodeCommunication(false));
    assertThat(DoubleTestSupport.awaitSteady(client, "auto").currentLowPriorityNodes(), is(2));

    try {
      client.poolOperations().createPool("small", "standard_d2s_v3", ubuntu(), 1);
      throw new AssertionError("duplicate pool accepted");
    } catch (com.microsoft.azure.batch.protocol.models.BatchErrorException e) {
      assertThat(e.response().code(), is(409));
      assertThat(e.body().code(), is("PoolExists"));
      assertThat(e.body().message().value(), containsString("already exists"));
    }

    client.jobOperations().createJob("a", new PoolInformation().withPoolId("small"));
    client.jobOperations().createJob("b", new PoolInformation().withPoolId("auto"));
    try {
      client.jobOperations().createJob("A", new PoolInformation().withPoolId("small"));
      throw new AssertionError("duplicate job accepted");
    } catch (com.microsoft.azure.batch.protocol.models.BatchErrorException e) {
      assertThat(e.body().code(), is("JobExists"));
    }
    assertThat(
        client.jobOperations().listJobs().stream().map(CloudJob::id).collect(Collectors.toList()),
        is(List.of("a", "b")));
    assertThat(
        client
            .jobOperations()
            .listJobs(new DetailLevel.Builder().withFilterClause("id eq 'b'").build())
            .size(),
        is(1));
    client.jobOperations().patchJob("a", new JobPatchParameter().withPriority(100));
    assertThat(client.jobOperations().getJob("a").priority(), is(100));
    client.jobOperations().terminateJob("a", "done here");
    CloudJob a = client.jobOperations().getJob("a");
    assertThat(a.state(), is(JobState.COMPLETED));
    assertThat(a.executionInfo().terminateReason(), is("done here"));
    try {
      client
          .taskOperations()
          .createTask("a", new TaskAddParameter().withId("x").withCommandLine("true"));
      throw new AssertionError("task added to a completed job");
    } catch (com.microsoft.azure.batch.protocol.models.BatchErrorException e) {
      assertThat(e.body().code(), is("JobCompleted"));
    }
    try {
      client.jobOperations().getJob("nope");
      throw new AssertionError("missing job found");
    } catch (com.microsoft.azure.batch.protocol.models.BatchErrorException e) {
      assertThat(e.response().code(), is(404));
      assertThat(e.body().code(), is("JobNotFound"));
    }
  }

  @Test
  void containerResourceFilesDependenciesAndWallClockLimit() throws Exception {
    http.files.put("/staging/lib/a.jar", "A".getBytes(StandardCharsets.UTF_8));
    http.files.put("/staging/lib/sub/b.jar", "BB".getBytes(StandardCharsets.UTF_8));
    http.files.put("/staging/other/c.txt", "C".getBytes(StandardCharsets.UTF_8));
    client.poolOperations().createPool("p", "standard_d2s_v3", ubuntu(), 1);
    client
        .jobOperations()
        .createJob(
            new JobAddParameter()
                .withId("j")
                .withPoolInfo(new PoolInformation().withPoolId("p"))
                .withUsesTaskDependencies(true));
    client
        .taskOperations()
        .createTask(
            "j",
            new TaskAddParameter()
                .withId("first")
                .withCommandLine(
                    "/bin/bash -c 'find classpath -type f | sort; cat classpath/lib/sub/b.jar'")
                .withResourceFiles(
                    List.of(
                        new ResourceFile()
                            .withStorageContainerUrl(http.url("/staging?sv=1&sp=rl&sig=k"))
                            .withBlobPrefix("lib/")
                            .withFilePath("classpath")
                            .withFileMode("0755"))));
    client
        .taskOperations()
        .createTask(
            "j",
            new TaskAddParameter()
                .withId("second")
                .withCommandLine("echo after")
                .withDependsOn(new TaskDependencies().withTaskIds(List.of("first"))));
    client
        .taskOperations()
        .createTask(
            "j",
            new TaskAddParameter()
                .withId("slow")
                .withCommandLine("sleep 60")
                .withConstraints(new TaskConstraints().withMaxWallClockTime(Period.seconds(1))));

    CloudTask second = awaitCompleted("j", "second");
    CloudTask first = client.taskOperations().getTask("j", "first");
    assertThat(first.executionInfo().result(), is(TaskExecutionResult.SUCCESS));
    assertThat(
        second.executionInfo().startTime().isBefore(first.executionInfo().endTime()), is(false));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    client.fileOperations().getFileFromTask("j", "first", "stdout.txt", out);
    assertThat(
        out.toString(StandardCharsets.UTF_8),
        is("classpath/lib/a.jar\nclasspath/lib/sub/b.jar\nBB"));
    assertThat(
        http.gets, hasItem("/staging?restype=container&comp=list&prefix=lib%2F&sv=1&sp=rl&sig=k"));
    assertThat(http.gets, hasItem("/staging/lib/sub/b.jar?sv=1&sp=rl&sig=k"));
    Path jar = batch.taskDirectory("j", "first").orElseThrow().resolve("wd/classpath/lib/a.jar");
    assertThat(Files.isExecutable(jar), is(true));
    out.reset();
    client.fileOperations().getFileFromTask("j", "first", "wd/classpath/lib/a.jar", out);
    assertThat(out.toString(StandardCharsets.UTF_8), is("A"));

    CloudTask slow = awaitCompleted("j", "slow");
    assertThat(slow.executionInfo().result(), is(TaskExecutionResult.FAILURE));
    assertThat(slow.executionInfo().failureInfo().code(), is("MaxWallClockTimeExpiry"));
  }

  private CloudTask awaitCompleted(String job, String task) throws InterruptedException {
    return await(
        task + " completed",
        TIMEOUT,
        () -> {
          try {
            CloudTask t = client.taskOperations().getTask(job, task);
            return t.state() == TaskState.COMPLETED ? t : null;
          } catch (Exception e) {
            throw new AssertionError(e);
          }
        });
  }
}

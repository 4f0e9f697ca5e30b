package dev.redwood.runner.batch.azure.restdouble;

import static dev.redwood.runner.batch.azure.restdouble.DoubleTestSupport.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.azure.batch.BatchClient;
import com.microsoft.azure.batch.protocol.models.BatchErrorException;
import com.microsoft.azure.batch.protocol.models.CloudJob;
import com.microsoft.azure.batch.protocol.models.CloudTask;
import com.microsoft.azure.batch.protocol.models.ComputeNode;
import com.microsoft.azure.batch.protocol.models.ComputeNodeState;
import com.microsoft.azure.batch.protocol.models.ErrorCategory;
import com.microsoft.azure.batch.protocol.models.JobAddParameter;
import com.microsoft.azure.batch.protocol.models.JobConstraints;
import com.microsoft.azure.batch.protocol.models.JobPreparationTask;
import com.microsoft.azure.batch.protocol.models.JobState;
import com.microsoft.azure.batch.protocol.models.OutputFile;
import com.microsoft.azure.batch.protocol.models.OutputFileBlobContainerDestination;
import com.microsoft.azure.batch.protocol.models.OutputFileDestination;
import com.microsoft.azure.batch.protocol.models.OutputFileUploadCondition;
import com.microsoft.azure.batch.protocol.models.OutputFileUploadOptions;
import com.microsoft.azure.batch.protocol.models.PoolInformation;
import com.microsoft.azure.batch.protocol.models.ResourceFile;
import com.microsoft.azure.batch.protocol.models.StartTask;
import com.microsoft.azure.batch.protocol.models.TaskAddCollectionResult;
import com.microsoft.azure.batch.protocol.models.TaskAddParameter;
import com.microsoft.azure.batch.protocol.models.TaskAddStatus;
import com.microsoft.azure.batch.protocol.models.TaskConstraints;
import com.microsoft.azure.batch.protocol.models.TaskContainerSettings;
import com.microsoft.azure.batch.protocol.models.TaskCounts;
import com.microsoft.azure.batch.protocol.models.TaskExecutionResult;
import com.microsoft.azure.batch.protocol.models.TaskState;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Failures, retries, preemption, termination, auth and limits, through the SDK and raw HTTP. */
@Timeout(value = 90, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class BatchRestDoubleFaultsTest {
  private static final String ACCOUNT = "faultyaccount";
  private static final String API = "api-version=2024-07-01.20.0";
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  @TempDir Path tmp;
  private final String key = BatchRestDouble.newKey();
  private BatchRestDouble batch;
  private BatchClient client;
  private DoubleTestSupport.LocalHttp http;
  private final HttpClient raw =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  @BeforeEach
  void start() throws Exception {
    batch = new BatchRestDouble(ACCOUNT, key).start();
    client = DoubleTestSupport.sharedKeyClient(batch, key);
    http = new DoubleTestSupport.LocalHttp();
  }

  @AfterEach
  void stop() {
    batch.close();
    http.close();
    assertThat(batch.liveProcesses(), is(empty()));
  }

  private void pool(String id, int dedicated, int lowPriority, int slots, StartTask startTask)
      throws IOException {
    client
        .poolOperations()
        .createPool(
            DoubleTestSupport.ubuntuPool(id, "standard_d2s_v3", dedicated, slots)
                .withTargetLowPriorityNodes(lowPriority)
                .withStartTask(startTask));
  }

  private CloudTask awaitTask(String job, String task, TaskState state) throws Exception {
    return await(
        task + " " + state,
        TIMEOUT,
        () -> {
          try {
            CloudTask t = client.taskOperations().getTask(job, task);
            return t.state() == state ? t : null;
          } catch (IOException e) {
            throw new AssertionError(e);
          }
        });
  }

  private String stderr(String job, String task) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    client.fileOperations().getFileFromTask(job, task, "stderr.txt", out);
    return out.toString(StandardCharsets.UTF_8);
  }

  private static OutputFile upload(
      String pattern, String containerUrl, OutputFileUploadCondition c) {
    return new OutputFile()
        .withFilePattern(pattern)
        .withDestination(
            new OutputFileDestination()
                .withContainer(
                    new OutputFileBlobContainerDestination().withContainerUrl(containerUrl)))
        .withUploadOptions(new OutputFileUploadOptions().withUploadCondition(c));
  }

  @Test
  void retriesFailuresAndOutputConditions() throws Exception {
    pool("p", 1, 0, 4, null);
    client
        .jobOperations()
        .createJob(
            new JobAddParameter()
                .withId("j")
                .withPoolInfo(new PoolInformation().withPoolId("p"))
                .withConstraints(new JobConstraints().withMaxTaskRetryCount(1)));
    batch.failTaskExecutions("flaky", 2);
    batch.failTaskExecutions("doomed", 2);
    batch.failTaskExecutions("job-retry", 1);
    String container = http.url("/out?sig=x");
    List<TaskAddParameter> tasks =
        List.of(
            new TaskAddParameter()
                .withId("flaky")
                .withCommandLine("echo fine")
                .withConstraints(new TaskConstraints().withMaxTaskRetryCount(2)),
            new TaskAddParameter()
                .withId("doomed")
                .withCommandLine("echo never")
                .withConstraints(new TaskConstraints().withMaxTaskRetryCount(1)),
            new TaskAddParameter().withId("job-retry").withCommandLine("echo second"),
            new TaskAddParameter()
                .withId("exit3")
                .withCommandLine("/bin/bash -c 'echo bad > result.txt; exit 3'")
                .withConstraints(new TaskConstraints().withMaxTaskRetryCount(0))
                .withContainerSettings(new TaskContainerSettings().withImageName("ubuntu:22.04"))
                .withOutputFiles(
                    List.of(
                        upload("result.txt", container, OutputFileUploadCondition.TASK_FAILURE),
                        upload("*.txt", container, OutputFileUploadCondition.TASK_SUCCESS))),
            new TaskAddParameter()
                .withId("missing")
                .withCommandLine("cat nothing.txt")
                .withResourceFiles(
                    List.of(
                        new ResourceFile()
                            .withHttpUrl(http.url("/no/such/file"))
                            .withFilePath("nothing.txt"))));
    TaskAddCollectionResult added = client.protocolLayer().tasks().addCollection("j", tasks);
    assertThat(
        added.value().stream().map(r -> r.status()).collect(Collectors.toSet()),
        is(java.util.Set.of(TaskAddStatus.SUCCESS)));

    CloudTask flaky = awaitTask("j", "flaky", TaskState.COMPLETED);
    assertThat(flaky.executionInfo().result(), is(TaskExecutionResult.SUCCESS));
    assertThat(flaky.executionInfo().retryCount(), is(2));
    assertThat(flaky.executionInfo().exitCode(), is(0));
    assertThat(flaky.executionInfo().failureInfo(), nullValue());

    CloudTask doomed = awaitTask("j", "doomed", TaskState.COMPLETED);
    assertThat(doomed.executionInfo().result(), is(TaskExecutionResult.FAILURE));
    assertThat(doomed.executionInfo().retryCount(), is(1));
    assertThat(doomed.executionInfo().exitCode(), is(1));
    assertThat(doomed.executionInfo().failureInfo().code(), is("FailureExitCode"));
    assertThat(doomed.executionInfo().failureInfo().category(), is(ErrorCategory.USER_ERROR));
    assertThat(stderr("j", "doomed"), containsString("injected task failure"));

    CloudTask jobRetry = awaitTask("j", "job-retry", TaskState.COMPLETED);
    assertThat(jobRetry.executionInfo().retryCount(), is(1));
    assertThat(jobRetry.executionInfo().result(), is(TaskExecutionResult.SUCCESS));
    assertThat(jobRetry.constraints().maxTaskRetryCount(), is(1));

    CloudTask exit3 = awaitTask("j", "exit3", TaskState.COMPLETED);
    assertThat(exit3.executionInfo().exitCode(), is(3));
    assertThat(exit3.executionInfo().result(), is(TaskExecutionResult.FAILURE));
    assertThat(exit3.executionInfo().retryCount(), is(0));
    assertThat(
        http.uploads.stream().map(u -> u.path()).collect(Collectors.toList()),
        is(List.of("/out/result.txt")));
    assertThat(new String(http.uploads.get(0).body(), StandardCharsets.UTF_8), is("bad\n"));

    CloudTask missing = awaitTask("j", "missing", TaskState.COMPLETED);
    assertThat(missing.executionInfo().result(), is(TaskExecutionResult.FAILURE));
    assertThat(missing.executionInfo().exitCode(), nullValue());
    assertThat(missing.executionInfo().failureInfo().code(), is("BlobNotFound"));
    assertThat(missing.executionInfo().failureInfo().message(), not(containsString("sig=")));

    TaskCounts counts = client.jobOperations().getTaskCounts("j");
    assertThat(counts.completed(), is(5));
    assertThat(counts.succeeded(), is(2));
    assertThat(counts.failed(), is(3));

    // Reactivate a failed task: it runs again (the injected failures are used up).
    client.taskOperations().reactivateTask("j", "doomed");
    await(
        "doomed succeeded",
        TIMEOUT,
        () -> {
          try {
            CloudTask t = client.taskOperations().getTask("j", "doomed");
            return t.state() == TaskState.COMPLETED
                    && t.executionInfo().result() == TaskExecutionResult.SUCCESS
                ? t
                : null;
          } catch (IOException e) {
            throw new AssertionError(e);
          }
        });
  }

  @Test
  void startTaskAndJobPreparationFailures() throws Exception {
    pool("broken", 1, 0, 1, new StartTask().withCommandLine("/bin/bash -c 'echo no >&2; exit 2'"));
    ComputeNode node =
        DoubleTestSupport.awaitFirstNodeIn(client, "broken", ComputeNodeState.START_TASK_FAILED);
    assertThat(node.startTaskInfo().exitCode(), is(2));
    assertThat(node.startTaskInfo().failureInfo().code(), is("FailureExitCode"));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    client.fileOperations().getFileFromComputeNode("broken", node.id(), "startup/stderr.txt", out);
    assertThat(out.toString(StandardCharsets.UTF_8), is("no\n"));
    client.jobOperations().createJob("on-broken", new PoolInformation().withPoolId("broken"));
    client
        .taskOperations()
        .createTask("on-broken", new TaskAddParameter().withId("t").withCommandLine("true"));

    pool("fine", 1, 0, 2, null);
    client
        .jobOperations()
        .createJob(
            new JobAddParameter()
                .withId("bad-prep")
                .withPoolInfo(new PoolInformation().withPoolId("fine"))
                .withJobPreparationTask(
                    new JobPreparationTask().withCommandLine("/bin/bash -c 'exit 4'")));
    client
        .taskOperations()
        .createTask("bad-prep", new TaskAddParameter().withId("a").withCommandLine("true"));
    client
        .taskOperations()
        .createTask("bad-prep", new TaskAddParameter().withId("b").withCommandLine("true"));
    // The preparation fails on the only node: the service schedules none of the job's tasks
    // there, and does not fail them either: they stay active.
    var prep =
        await(
            "failed job preparation",
            TIMEOUT,
            () -> {
              try {
                var s = client.jobOperations().listPreparationAndReleaseTaskStatus("bad-prep");
                return s.size() == 1
                        && s.get(0).jobPreparationTaskExecutionInfo().result()
                            == TaskExecutionResult.FAILURE
                    ? s
                    : null;
              } catch (IOException e) {
                throw new AssertionError(e);
              }
            });
    Thread.sleep(500);
    for (String id : List.of("a", "b")) {
      assertThat(client.taskOperations().getTask("bad-prep", id).state(), is(TaskState.ACTIVE));
    }
    assertThat(prep.get(0).jobPreparationTaskExecutionInfo().exitCode(), is(4));
    assertThat(
        prep.get(0).jobPreparationTaskExecutionInfo().failureInfo().code(), is("FailureExitCode"));

    // The task on the pool whose only node failed its start task never left active.
    assertThat(client.taskOperations().getTask("on-broken", "t").state(), is(TaskState.ACTIVE));
  }

  private Path gate(String name) {
    return tmp.resolve(name);
  }

  private String waitForGate(String name) {
    return "/bin/bash -c 'echo run >> "
        + tmp.resolve("runs-" + name)
        + "; while [ ! -e "
        + gate(name)
        + " ]; do sleep 0.05; done; echo done'";
  }

  @Test
  void preemptedTasksAndNodesAreRequeued() throws Exception {
    // Spot nodes need a UserSubscription account; a preempted node stays preempted for a while.
    batch.limits(
        AccountLimits.defaults()
            .withPoolAllocationMode(AccountLimits.PoolAllocationMode.USER_SUBSCRIPTION)
            .withPreemptionRecoveryDelay(Duration.ofMinutes(20)));
    pool("spot", 0, 1, 1, null);
    client
        .jobOperations()
        .createJob(
            new JobAddParameter()
                .withId("j")
                .withPoolInfo(new PoolInformation().withPoolId("spot"))
                .withJobPreparationTask(
                    new JobPreparationTask()
                        .withCommandLine(
                            "/bin/bash -c 'echo prep >> $AZ_BATCH_NODE_SHARED_DIR/prep-runs'")));
    client
        .taskOperations()
        .createTask("j", new TaskAddParameter().withId("a").withCommandLine(waitForGate("a")));
    awaitTask("j", "a", TaskState.RUNNING);
    ProcessHandle first =
        await("a's process", TIMEOUT, () -> batch.taskProcess("j", "a").orElse(null));
    // The process exists before its command's first line: wait for that line too.
    await("a started", TIMEOUT, () -> lines(tmp.resolve("runs-a")) == 1 ? true : null);

    // Preempt the task alone: its process dies, it runs again on the same node.
    assertThat(batch.preemptTask("j", "a"), is(true));
    assertThat(first.onExit().get(10, TimeUnit.SECONDS).isAlive(), is(false));
    await("a ran twice", TIMEOUT, () -> lines(tmp.resolve("runs-a")) == 2 ? true : null);
    CloudTask a = client.taskOperations().getTask("j", "a");
    // Preemption is not a user's requeue: neither count grows.
    assertThat(a.executionInfo().requeueCount(), is(0));
    assertThat(a.executionInfo().retryCount(), is(0));

    // Preempt the whole node: a fresh node (new id) replaces it and prepares the job again.
    String oldNode = batch.nodeOf("j", "a").orElseThrow();
    ProcessHandle second =
        await("a's process", TIMEOUT, () -> batch.taskProcess("j", "a").orElse(null));
    assertThat(batch.preemptNode("spot", oldNode), is(true));
    assertThat(second.onExit().get(10, TimeUnit.SECONDS).isAlive(), is(false));
    assertThat(batch.nodeStates("spot"), is(Map.of(oldNode, "preempted")));
    assertThat(client.taskOperations().getTask("j", "a").state(), is(TaskState.ACTIVE));
    List<String> nodes =
        await(
            "a node replacing the preempted one",
            TIMEOUT,
            () -> {
              List<String> ids = batch.nodeIds("spot");
              return ids.size() == 1 && !ids.get(0).equals(oldNode) ? ids : null;
            });
    await("a ran three times", TIMEOUT, () -> lines(tmp.resolve("runs-a")) == 3 ? true : null);
    Files.createFile(gate("a"));
    a = awaitTask("j", "a", TaskState.COMPLETED);
    assertThat(a.executionInfo().result(), is(TaskExecutionResult.SUCCESS));
    assertThat(a.executionInfo().requeueCount(), is(0));
    assertThat(a.nodeInfo().nodeId(), is(nodes.get(0)));
    Path shared = batch.nodeRoot().resolve("spot").resolve(nodes.get(0)).resolve("shared");
    assertThat(Files.readAllLines(shared.resolve("prep-runs")), is(List.of("prep")));
    assertThat(client.poolOperations().getPool("spot").currentLowPriorityNodes(), is(1));
  }

  private static int lines(Path p) {
    try {
      return Files.exists(p) ? Files.readAllLines(p).size() : 0;
    } catch (IOException e) {
      return 0;
    }
  }

  @Test
  void terminatingAJobKillsItsRunningTasks() throws Exception {
    pool("p", 1, 0, 2, null);
    client.jobOperations().createJob("j", new PoolInformation().withPoolId("p"));
    client
        .taskOperations()
        .createTask(
            "j",
            new TaskAddParameter()
                .withId("long")
                .withCommandLine("/bin/bash -c 'sleep 300 & wait'"));
    client
        .taskOperations()
        .createTask("j", new TaskAddParameter().withId("quick").withCommandLine("true"));
    awaitTask("j", "quick", TaskState.COMPLETED);
    awaitTask("j", "long", TaskState.RUNNING);
    ProcessHandle bash =
        await("long's process", TIMEOUT, () -> batch.taskProcess("j", "long").orElse(null));
    List<ProcessHandle> tree =
        await(
            "sleep started",
            TIMEOUT,
            () -> {
              List<ProcessHandle> d = bash.descendants().collect(Collectors.toList());
              return d.isEmpty() ? null : d;
            });
    tree = new ArrayList<>(tree);
    tree.add(bash);

    // terminateJob(jobId) without a reason fails inside SDK 11.2.0 (null request body): give one.
    client.jobOperations().terminateJob("j", "cancelled by the test");
    for (ProcessHandle h : tree) {
      h.onExit().get(10, TimeUnit.SECONDS);
      assertThat(h.isAlive(), is(false));
    }
    assertThat(batch.taskProcess("j", "long"), is(Optional.empty()));
    CloudJob job = client.jobOperations().getJob("j");
    assertThat(job.state(), is(JobState.COMPLETED));
    assertThat(job.executionInfo().terminateReason(), is("cancelled by the test"));
    CloudTask t = client.taskOperations().getTask("j", "long");
    assertThat(t.state(), is(TaskState.COMPLETED));
    assertThat(t.executionInfo().failureInfo().code(), is("TaskEnded"));
    assertThat(batch.liveProcesses(), is(empty()));

    // A task terminated on its own, then deleted.
    client.jobOperations().createJob("k", new PoolInformation().withPoolId("p"));
    client
        .taskOperations()
        .createTask("k", new TaskAddParameter().withId("s").withCommandLine("sleep 300"));
    awaitTask("k", "s", TaskState.RUNNING);
    ProcessHandle s = await("s's process", TIMEOUT, () -> batch.taskProcess("k", "s").orElse(null));
    client.taskOperations().terminateTask("k", "s");
    s.onExit().get(10, TimeUnit.SECONDS);
    assertThat(client.taskOperations().getTask("k", "s").state(), is(TaskState.COMPLETED));
    client.taskOperations().deleteTask("k", "s");
    BatchErrorException gone =
        assertThrows(BatchErrorException.class, () -> client.taskOperations().getTask("k", "s"));
    assertThat(gone.body().code(), is("TaskNotFound"));
  }

  // ------------------------------------------------------------------ HTTP-level faults

  private HttpResponse<String> rawGet(String pathAndQuery, Map<String, String> headers)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(batch.url() + pathAndQuery))
            .timeout(Duration.ofSeconds(10));
    headers.forEach(b::header);
    return raw.send(b.GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode json(HttpResponse<String> r) throws IOException {
    return Json.MAPPER.readTree(r.body());
  }

  @Test
  void throttlingServerErrorsAndDroppedConnections() throws Exception {
    batch.acceptBearerToken("token-1");
    Map<String, String> bearer = Map.of("Authorization", "Bearer token-1");
    RequestFault throttle = batch.throttle("GET", "^/pools$", 1, 7);
    HttpResponse<String> r = rawGet("/pools?" + API, bearer);
    assertThat(r.statusCode(), is(429));
    assertThat(r.headers().firstValue("Retry-After"), is(Optional.of("7")));
    assertThat(json(r).path("code").asText(), is("TooManyRequests"));
    assertThat(json(r).path("message").path("lang").asText(), is("en-US"));
    assertThat(throttle.remaining(), is(0));
    r = rawGet("/pools?" + API, bearer);
    assertThat(r.statusCode(), is(200));
    assertThat(json(r).path("value").size(), is(0));
    assertThat(r.headers().firstValue("request-id").isPresent(), is(true));
    assertThat(r.headers().firstValue("DataServiceVersion"), is(Optional.of("3.0")));

    // The SDK does not retry 429: the error reaches the caller with its code.
    batch.throttle(null, "/pools", 1, 3);
    BatchErrorException throttled =
        assertThrows(BatchErrorException.class, () -> client.poolOperations().listPools());
    assertThat(throttled.response().code(), is(429));
    assertThat(throttled.response().headers().get("Retry-After"), is("3"));
    assertThat(throttled.body().code(), is("TooManyRequests"));

    // The SDK retries 5xx (up to 3 retries, at once): three 503s, then the answer.
    pool("p", 0, 0, 1, null);
    batch.clearRequests();
    batch.failRequests("GET", "^/pools/p$", 3, 503);
    assertThat(client.poolOperations().getPool("p").id(), is("p"));
    assertThat(
        batch.requests().stream().map(RecordedRequest::status).collect(Collectors.toList()),
        is(List.of(503, 503, 503, 200)));
    batch.failRequests("GET", "^/pools/p$", 4, 500);
    BatchErrorException failed =
        assertThrows(BatchErrorException.class, () -> client.poolOperations().getPool("p"));
    assertThat(failed.body().code(), is("InternalError"));

    // A dropped connection is an I/O error at the client.
    batch.clearRequests();
    batch.dropConnections("POST", "/jobs", 1);
    HttpRequest post =
        HttpRequest.newBuilder(URI.create(batch.url() + "/jobs?" + API))
            .timeout(Duration.ofSeconds(10))
            .header("Authorization", "Bearer token-1")
            .header("Content-Type", "application/json")
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "{\"id\":\"j\",\"poolInfo\":{\"poolId\":\"p\"}}"))
            .build();
    assertThrows(IOException.class, () -> raw.send(post, HttpResponse.BodyHandlers.ofString()));
    assertThat(batch.requests().get(0).status(), is(-1));
    assertThat(raw.send(post, HttpResponse.BodyHandlers.ofString()).statusCode(), is(201));
    assertThat(client.jobOperations().getJob("j").poolInfo().poolId(), is("p"));
  }

  @Test
  void authentication() throws Exception {
    // A wrong key: every call fails with 403 AuthenticationFailed.
    BatchClient wrongKey = DoubleTestSupport.sharedKeyClient(batch, BatchRestDouble.newKey());
    BatchErrorException denied =
        assertThrows(BatchErrorException.class, () -> wrongKey.poolOperations().listPools());
    assertThat(denied.response().code(), is(403));
    assertThat(denied.body().code(), is("AuthenticationFailed"));
    assertThat(denied.body().values().get(0).value(), containsString("MAC signature"));

    // A registered bearer token is accepted; another is not.
    batch.acceptBearerToken("good-token");
    BatchClient bearer =
        BatchClient.open(new DoubleTestSupport.BearerCredentials(batch.url(), () -> "good-token"));
    assertThat(bearer.poolOperations().listPools(), is(empty()));
    pool("p", 1, 0, 1, null);
    DoubleTestSupport.awaitSteady(bearer, "p");
    assertThat(bearer.poolOperations().getPool("p").currentDedicatedNodes(), is(1));
    BatchClient badBearer =
        BatchClient.open(new DoubleTestSupport.BearerCredentials(batch.url(), () -> "bad-token"));
    BatchErrorException unauthorized =
        assertThrows(BatchErrorException.class, () -> badBearer.poolOperations().listPools());
    assertThat(unauthorized.response().code(), is(401));
    assertThat(unauthorized.body().code(), is("AuthenticationFailed"));

    // Raw requests signed with SharedKey: fresh date accepted, stale date and no auth rejected.
    HttpResponse<String> fresh = rawGet("/pools/p?" + API, signedGet("/pools/p", Instant.now()));
    assertThat(fresh.body(), fresh.statusCode(), is(200));
    HttpResponse<String> stale =
        rawGet("/pools/p?" + API, signedGet("/pools/p", Instant.now().minusSeconds(16 * 60)));
    assertThat(stale.statusCode(), is(403));
    assertThat(json(stale).path("values").get(0).path("value").asText(), containsString("too old"));
    HttpResponse<String> anonymous = rawGet("/pools/p?" + API, Map.of());
    assertThat(anonymous.statusCode(), is(401));
    HttpResponse<String> noVersion =
        rawGet("/pools/p", Map.of("Authorization", "Bearer good-token"));
    assertThat(noVersion.statusCode(), is(400));
    assertThat(json(noVersion).path("code").asText(), is("MissingRequiredQueryParameter"));
  }

  private Map<String, String> signedGet(String path, Instant date) {
    String ocpDate = Json.rfc1123(date);
    // java.net.http sends "Content-Length: 0" on a GET, so that is what is signed.
    Map<String, String> signed = Map.of("ocp-date", ocpDate, "content-length", "0");
    String auth = SharedKey.authorization(ACCOUNT, key, "GET", signed, path, API);
    return Map.of("ocp-date", ocpDate, "Authorization", auth);
  }

  @Test
  void taskCollectionLimits() throws Exception {
    pool("p", 0, 0, 1, null);
    client.jobOperations().createJob("j", new PoolInformation().withPoolId("p"));

    // Over 1 MiB: 413 RequestBodyTooLarge with the limit (the raw protocol call, so the SDK's
    // JVM-wide chunk size for createTasks is not halved for other tests).
    String big = "echo " + "x".repeat(11_000);
    List<TaskAddParameter> huge = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      huge.add(new TaskAddParameter().withId("big" + i).withCommandLine(big));
    }
    BatchErrorException tooLarge =
        assertThrows(
            BatchErrorException.class,
            () -> client.protocolLayer().tasks().addCollection("j", huge));
    assertThat(tooLarge.response().code(), is(413));
    assertThat(tooLarge.body().code(), is("RequestBodyTooLarge"));
    assertThat(tooLarge.body().values().get(0).key(), is("MaxLimit"));
    assertThat(tooLarge.body().values().get(0).value(), is("1048576"));

    // Over 100 tasks: 400.
    List<TaskAddParameter> many = new ArrayList<>();
    for (int i = 0; i < 101; i++) {
      many.add(new TaskAddParameter().withId("m" + i).withCommandLine("true"));
    }
    BatchErrorException tooMany =
        assertThrows(
            BatchErrorException.class,
            () -> client.protocolLayer().tasks().addCollection("j", many));
    assertThat(tooMany.response().code(), is(400));
    assertThat(client.taskOperations().listTasks("j"), is(empty()));

    // Duplicates: TaskExists per task in a collection, 409 for a single add.
    client
        .taskOperations()
        .createTask("j", new TaskAddParameter().withId("one").withCommandLine("true"));
    TaskAddCollectionResult dup =
        client
            .protocolLayer()
            .tasks()
            .addCollection(
                "j",
                List.of(
                    new TaskAddParameter().withId("ONE").withCommandLine("true"),
                    new TaskAddParameter().withId("two").withCommandLine("true")));
    assertThat(dup.value().get(0).status(), is(TaskAddStatus.CLIENT_ERROR));
    assertThat(dup.value().get(0).error().code(), is("TaskExists"));
    assertThat(dup.value().get(1).status(), is(TaskAddStatus.SUCCESS));
    assertThat(dup.value().get(1).eTag(), notNullValue());
    BatchErrorException exists =
        assertThrows(
            BatchErrorException.class,
            () ->
                client
                    .taskOperations()
                    .createTask("j", new TaskAddParameter().withId("one").withCommandLine("true")));
    assertThat(exists.response().code(), is(409));
    assertThat(exists.body().code(), is("TaskExists"));
    // The SDK's createTasks ignores TaskExists, so re-adding is idempotent.
    client
        .taskOperations()
        .createTasks("j", List.of(new TaskAddParameter().withId("two").withCommandLine("true")));
    assertThat(
        client.taskOperations().listTasks("j").stream()
            .map(CloudTask::id)
            .sorted()
            .collect(Collectors.toList()),
        is(List.of("one", "two")));
  }
}

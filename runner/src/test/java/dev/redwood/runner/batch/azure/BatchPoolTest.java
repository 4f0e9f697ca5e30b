package dev.redwood.runner.batch.azure;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.microsoft.azure.batch.BatchClient;
import com.microsoft.azure.batch.auth.BatchSharedKeyCredentials;
import com.microsoft.azure.batch.protocol.models.CloudJob;
import com.microsoft.azure.batch.protocol.models.CloudTask;
import com.microsoft.azure.batch.protocol.models.EnvironmentSetting;
import com.microsoft.azure.batch.protocol.models.JobAddParameter;
import com.microsoft.azure.batch.protocol.models.JobPreparationTask;
import com.microsoft.azure.batch.protocol.models.PoolInformation;
import com.microsoft.azure.batch.protocol.models.TaskAddParameter;
import com.microsoft.azure.batch.protocol.models.TaskState;
import dev.redwood.runner.batch.JobSpec;
import dev.redwood.runner.batch.azure.restdouble.BatchRestDouble;
import dev.redwood.runner.batch.azure.restdouble.RecordedRequest;
import dev.redwood.runner.config.BatchAccount;
import dev.redwood.runner.config.BatchAuth;
import dev.redwood.runner.config.NodeImage;
import dev.redwood.runner.config.PoolConfig;
import dev.redwood.runner.config.Secret;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A pool's task submission and polling against the Batch REST double, with trivial tasks. */
@Timeout(120)
class BatchPoolTest {
  private final String key = BatchRestDouble.newKey();
  private BatchRestDouble account;
  private BatchPool pool;
  private PoolConfig config;
  private BatchAccount batch;
  private BatchClient client;

  @BeforeEach
  void start() throws Exception {
    account = new BatchRestDouble("acct", key).start();
    config =
        new PoolConfig(
            "p1",
            "acct",
            "Standard_D2s_v5",
            2,
            0,
            8,
            null,
            new NodeImage(
                "canonical",
                "0001-com-ubuntu-server-jammy",
                "22_04-lts",
                "batch.node.ubuntu 22.04"),
            null,
            false,
            null);
    batch =
        new BatchAccount(
            "acct", account.url(), null, new BatchAuth.BatchSharedKey("acct", new Secret(key)));
    client = BatchClient.open(new BatchSharedKeyCredentials(account.url(), "acct", key));
    pool = anotherRunsPool();
    pool.provision();
    pool.createJob(
        new JobSpec("run1", List.of(), Map.of()),
        new JobPreparationTask().withCommandLine("/bin/true").withWaitForSuccess(true),
        List.of(new EnvironmentSetting().withName("A").withValue("b")));
  }

  private BatchPool anotherRunsPool() {
    return new BatchPool(
        config, batch, client, new BatchCalls(8, Duration.ofMillis(50), Duration.ofMillis(400)));
  }

  @Test
  void aCreateJobRetriedAfterALostAnswerFindsItsOwnJob() throws Exception {
    account.clearRequests();
    account.loseResponses("POST", "/jobs", 1);
    BatchPool second = anotherRunsPool();
    second.createJob(
        new JobSpec("run2", List.of(), Map.of()),
        new JobPreparationTask().withCommandLine("/bin/true"),
        List.of());
    CloudJob job = client.jobOperations().getJob(second.batchJobId());
    assertThat(job.metadata().get(0).value(), is("run2"));
    long creates =
        account.requests().stream()
            .filter(r -> r.method().equals("POST") && r.path().equals("/jobs"))
            .count();
    assertThat("the lost create and its retry", creates, is(2L));
    second.terminateJob();
  }

  @Test
  void aJobOfAnotherRunWithTheSameIdIsNotTakenOver() throws Exception {
    client
        .jobOperations()
        .createJob(
            new JobAddParameter()
                .withId("run3-p1")
                .withPoolInfo(new PoolInformation().withPoolId("p1")));
    IOException e =
        assertThrows(
            IOException.class,
            () ->
                anotherRunsPool()
                    .createJob(
                        new JobSpec("run3", List.of(), Map.of()),
                        new JobPreparationTask().withCommandLine("/bin/true"),
                        List.of()));
    assertThat(e.getMessage(), containsString("JobExists"));
  }

  @AfterEach
  void stop() throws Exception {
    pool.terminateJob();
    pool.deleteJob();
    account.close();
  }

  private static List<TaskAddParameter> tasks(int n, int envBytes) {
    List<TaskAddParameter> tasks = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      tasks.add(
          new TaskAddParameter()
              .withId("t" + i)
              .withCommandLine("/bin/true")
              .withEnvironmentSettings(
                  List.of(
                      new EnvironmentSetting().withName("PAD").withValue("x".repeat(envBytes)))));
    }
    return tasks;
  }

  private Set<String> waitForCompletion(int n) throws Exception {
    Set<String> done = new HashSet<>();
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (done.size() < n && System.nanoTime() < deadline) {
      for (CloudTask t : pool.changedTasks(Duration.ofMillis(100))) {
        if (t.state() == TaskState.COMPLETED) {
          done.add(t.id());
        }
      }
      Thread.sleep(100);
    }
    return done;
  }

  @Test
  void collectionsHoldAtMostOneHundredTasksAndThrottlingIsRiddenOut() throws Exception {
    account.throttle("POST", "/addtaskcollection", 2, 1);
    pool.submit(tasks(250, 10));
    List<Integer> sizes = new ArrayList<>();
    for (RecordedRequest r : account.requests()) {
      if (r.path().endsWith("/addtaskcollection") && r.status() == 200) {
        sizes.add(r.bodyJson().get("value").size());
      }
    }
    assertThat(sizes.stream().mapToInt(Integer::intValue).sum(), is(250));
    assertThat(sizes, everyItem(lessThanOrEqualTo(100)));
    assertThat(waitForCompletion(250).size(), is(250));
    long perTaskGets =
        account.requests().stream()
            .filter(r -> r.method().equals("GET") && r.path().matches("/jobs/[^/]+/tasks/.+"))
            .count();
    assertThat(perTaskGets, is(0L));
  }

  @Test
  void entraIdTokensReachTheServiceAsBearerTokens() throws Exception {
    account.acceptBearerToken("token-for-redwood");
    BatchClient good =
        BatchClient.open(
            new BatchTokenCredentials(account.url(), fixedToken("token-for-redwood"), null));
    assertThat(good.poolOperations().existsPool("p1"), is(true));
    BatchClient bad =
        BatchClient.open(new BatchTokenCredentials(account.url(), fixedToken("stolen"), null));
    BatchCalls calls = new BatchCalls(2, Duration.ofMillis(10), Duration.ofMillis(10));
    java.io.IOException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            java.io.IOException.class,
            () -> calls.call("check pool p1", () -> bad.poolOperations().existsPool("p1")));
    assertThat(e.getMessage(), org.hamcrest.Matchers.containsString("check pool p1"));
    assertThat(
        e.getMessage(), org.hamcrest.Matchers.not(org.hamcrest.Matchers.containsString("stolen")));
  }

  private static com.azure.core.credential.TokenCredential fixedToken(String token) {
    return request ->
        reactor.core.publisher.Mono.just(
            new com.azure.core.credential.AccessToken(
                token, java.time.OffsetDateTime.now().plusHours(1)));
  }

  @Test
  void aCollectionOverOneMegabyteIsSplit() throws Exception {
    // 100 tasks of 16 KB each: 1.6 MB, over the service's 1 MB limit.
    pool.submit(tasks(100, 16_000));
    List<RecordedRequest> collections = new ArrayList<>();
    for (RecordedRequest r : account.requests()) {
      if (r.path().endsWith("/addtaskcollection")) {
        collections.add(r);
      }
    }
    assertThat(collections.get(0).status(), is(413));
    assertThat(collections.size(), greaterThanOrEqualTo(3));
    int added = 0;
    for (RecordedRequest r : collections) {
      if (r.status() == 200) {
        assertThat(r.body().length, lessThanOrEqualTo(BatchRestDouble.MAX_REQUEST_BODY));
        added += r.bodyJson().get("value").size();
      }
    }
    assertThat(added, is(100));
    assertThat(waitForCompletion(100).size(), greaterThan(99));
  }
}

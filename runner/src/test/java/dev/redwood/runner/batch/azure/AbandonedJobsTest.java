package dev.redwood.runner.batch.azure;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.microsoft.azure.batch.BatchClient;
import com.microsoft.azure.batch.auth.BatchSharedKeyCredentials;
import com.microsoft.azure.batch.protocol.models.BatchErrorException;
import com.microsoft.azure.batch.protocol.models.CloudJob;
import com.microsoft.azure.batch.protocol.models.JobAddParameter;
import com.microsoft.azure.batch.protocol.models.JobPreparationTask;
import com.microsoft.azure.batch.protocol.models.JobState;
import com.microsoft.azure.batch.protocol.models.MetadataItem;
import com.microsoft.azure.batch.protocol.models.PoolInformation;
import dev.redwood.runner.batch.JobSpec;
import dev.redwood.runner.batch.azure.restdouble.BatchRestDouble;
import dev.redwood.runner.batch.azure.restdouble.RecordedRequest;
import dev.redwood.runner.config.BatchAccount;
import dev.redwood.runner.config.BatchAuth;
import dev.redwood.runner.config.NodeImage;
import dev.redwood.runner.config.PoolConfig;
import dev.redwood.runner.config.Secret;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Which Batch jobs a run takes for abandoned by a stopped driver, and the heartbeat that keeps a
 * live driver's jobs from being taken so: against the Batch REST double.
 */
@Timeout(120)
class AbandonedJobsTest {
  private static final Duration FIVE_MINUTES = Duration.ofMinutes(5);

  /** The jobs of the run that looks: a resumed session's. */
  private static final Set<String> OWN = Set.of("mine-r1-p1");

  private final String key = BatchRestDouble.newKey();
  private BatchRestDouble account;
  private BatchClient client;
  private final BatchCalls calls = new BatchCalls(3, Duration.ofMillis(50), Duration.ofMillis(200));

  @BeforeEach
  void start() throws Exception {
    account = new BatchRestDouble("acct", key).start();
    client = BatchClient.open(new BatchSharedKeyCredentials(account.url(), "acct", key));
  }

  @AfterEach
  void stop() {
    account.close();
  }

  @Test
  void onlyOtherRunsActiveJobsWhoseHeartbeatIsStaleAreEnded() throws Exception {
    Instant now = Instant.now();
    Instant old = now.minus(Duration.ofMinutes(10));
    job("gone-p1", "gone", old);
    job("alive-p1", "alive", now.minus(Duration.ofSeconds(30)));
    // This run, resumed: its first session's driver is gone (resume checked), however fresh its
    // heartbeat looks; this session's own job is never touched.
    job("mine-p1", "mine", now.minus(Duration.ofSeconds(30)));
    job("mine-r1-p1", "mine", old);
    job("no-heartbeat-p1", "no-heartbeat", null);
    client
        .jobOperations()
        .createJob(
            new JobAddParameter()
                .withId("someone-elses")
                .withPoolInfo(new PoolInformation().withPoolId("p1")));
    job("completed-p1", "completed", old);
    client.jobOperations().terminateJob("completed-p1", "test");
    account.clearRequests();

    List<String> ended =
        AbandonedJobs.endOnAccount(client, "acct", calls, "mine", OWN, FIVE_MINUTES, now);

    assertThat(ended, is(List.of("gone-p1", "mine-p1")));
    BatchErrorException gone =
        assertThrows(BatchErrorException.class, () -> client.jobOperations().getJob("gone-p1"));
    assertThat(gone.body().code(), is("JobNotFound"));
    assertThat(
        activeJobs(), is(List.of("alive-p1", "mine-r1-p1", "no-heartbeat-p1", "someone-elses")));
    assertThat(client.jobOperations().getJob("completed-p1").state(), is(JobState.COMPLETED));
    // The service filters on state, so the list is filtered there, not read whole.
    List<String> listFilters = new ArrayList<>();
    for (RecordedRequest r : account.requests()) {
      if (r.method().equals("GET") && r.path().equals("/jobs")) {
        listFilters.add(String.valueOf(r.queryParam("$filter")));
      }
    }
    assertThat(listFilters, hasItem(containsString("state eq 'active'")));

    // Ten minutes on, the job without a heartbeat is judged by its creation, and the live one has
    // gone silent too; this run's own job is still never touched.
    List<String> later =
        AbandonedJobs.endOnAccount(
            client, "acct", calls, "mine", OWN, FIVE_MINUTES, now.plus(Duration.ofMinutes(10)));
    assertThat(later, is(List.of("alive-p1", "no-heartbeat-p1")));
    assertThat(activeJobs(), is(List.of("mine-r1-p1", "someone-elses")));
  }

  @Test
  void aPoolsJobCarriesItsRunAndAHeartbeatThatIsRenewed() throws Exception {
    PoolConfig config =
        new PoolConfig(
            "p1",
            "acct",
            "Standard_D2s_v5",
            1,
            0,
            2,
            null,
            new NodeImage(
                "canonical",
                "0001-com-ubuntu-server-jammy",
                "22_04-lts",
                "batch.node.ubuntu 22.04"),
            null,
            false,
            null);
    BatchAccount batch =
        new BatchAccount(
            "acct", account.url(), null, new BatchAuth.BatchSharedKey("acct", new Secret(key)));
    BatchPool pool = new BatchPool(config, batch, client, calls);
    Instant before = Instant.now();
    pool.createJob(
        new JobSpec("run1", List.of(), Map.of()),
        new JobPreparationTask().withCommandLine("/bin/true"),
        List.of());
    Map<String, String> created = metadata(pool.batchJobId());
    assertThat(created.get(BatchPool.RUN_METADATA), is("run1"));
    Instant first = Instant.parse(created.get(BatchPool.HEARTBEAT_METADATA));
    assertThat(first, greaterThanOrEqualTo(before));
    assertThat(first, lessThanOrEqualTo(Instant.now()));

    Instant beat = first.plus(Duration.ofMinutes(1));
    pool.heartbeat(beat);
    Map<String, String> renewed = metadata(pool.batchJobId());
    assertThat(renewed.get(BatchPool.RUN_METADATA), is("run1"));
    assertThat(renewed.get(BatchPool.HEARTBEAT_METADATA), is(beat.toString()));

    // A heartbeat after the job ended fails and changes nothing.
    pool.terminateJob();
    assertThrows(java.io.IOException.class, () -> pool.heartbeat(beat.plusSeconds(60)));
    assertThat(metadata(pool.batchJobId()).get(BatchPool.HEARTBEAT_METADATA), is(beat.toString()));
  }

  @Test
  void theDoubleRefusesMetadataWithoutAValueAsTheServiceDoes() throws Exception {
    job("j-p1", "j", Instant.now());
    // The SDK checks this itself; other clients meet the service's 400.
    account.acceptBearerToken("test-token");
    HttpResponse<String> answer =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create(account.url() + "/jobs/j-p1?api-version=2024-07-01.20.0"))
                    .method(
                        "PATCH",
                        HttpRequest.BodyPublishers.ofString("{\"metadata\":[{\"name\":\"x\"}]}"))
                    .header("Authorization", "Bearer test-token")
                    .header("Content-Type", "application/json; odata=minimalmetadata")
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(answer.body(), answer.statusCode(), is(400));
    assertThat(answer.body(), containsString("metadata.value"));
    assertThat(metadata("j-p1").get(BatchPool.RUN_METADATA), is("j"));
  }

  /** Creates a job of run {@code run} with {@code heartbeat} (or none, when null). */
  private void job(String id, String run, Instant heartbeat) throws Exception {
    List<MetadataItem> metadata = new ArrayList<>();
    metadata.add(new MetadataItem().withName(BatchPool.RUN_METADATA).withValue(run));
    if (heartbeat != null) {
      metadata.add(
          new MetadataItem()
              .withName(BatchPool.HEARTBEAT_METADATA)
              .withValue(heartbeat.toString()));
    }
    client
        .jobOperations()
        .createJob(
            new JobAddParameter()
                .withId(id)
                .withPoolInfo(new PoolInformation().withPoolId("p1"))
                .withMetadata(metadata));
  }

  private List<String> activeJobs() throws Exception {
    List<String> ids = new ArrayList<>();
    for (CloudJob job : client.jobOperations().listJobs()) {
      if (job.state() == JobState.ACTIVE) {
        ids.add(job.id());
      }
    }
    ids.sort(null);
    return ids;
  }

  private Map<String, String> metadata(String jobId) throws Exception {
    Map<String, String> m = new java.util.HashMap<>();
    for (MetadataItem item : client.jobOperations().getJob(jobId).metadata()) {
      m.put(item.name(), item.value());
    }
    return m;
  }
}

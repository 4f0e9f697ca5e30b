package dev.redwood.runner.batch.azure.restdouble;

import static dev.redwood.runner.batch.azure.restdouble.DoubleTestSupport.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.microsoft.azure.batch.BatchClient;
import com.microsoft.azure.batch.protocol.models.AutoUserScope;
import com.microsoft.azure.batch.protocol.models.AutoUserSpecification;
import com.microsoft.azure.batch.protocol.models.BatchErrorException;
import com.microsoft.azure.batch.protocol.models.CloudTask;
import com.microsoft.azure.batch.protocol.models.ComputeNode;
import com.microsoft.azure.batch.protocol.models.ComputeNodeState;
import com.microsoft.azure.batch.protocol.models.ContainerConfiguration;
import com.microsoft.azure.batch.protocol.models.ContainerRegistry;
import com.microsoft.azure.batch.protocol.models.ContainerType;
import com.microsoft.azure.batch.protocol.models.ElevationLevel;
import com.microsoft.azure.batch.protocol.models.ImageReference;
import com.microsoft.azure.batch.protocol.models.JobAddParameter;
import com.microsoft.azure.batch.protocol.models.PoolAddParameter;
import com.microsoft.azure.batch.protocol.models.PoolInformation;
import com.microsoft.azure.batch.protocol.models.TaskAddParameter;
import com.microsoft.azure.batch.protocol.models.TaskContainerSettings;
import com.microsoft.azure.batch.protocol.models.TaskState;
import com.microsoft.azure.batch.protocol.models.UserIdentity;
import com.microsoft.azure.batch.protocol.models.VirtualMachineConfiguration;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Container pools and tasks on the double: the image checks, the registry logins, and the Docker of
 * container-capable hosts.
 */
@Timeout(value = 90, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ContainerRuntimeTest {
  private static final String REGISTRY = "rwprivate.azurecr.io";
  private static final String IMAGE = REGISTRY + "/redwood-worker:1.0";
  private static final String PASSWORD = "registry-Passw0rd";

  private final String key = BatchRestDouble.newKey();
  private BatchRestDouble batch;
  private BatchClient client;

  @BeforeEach
  void start() throws IOException {
    batch = new BatchRestDouble("containers", key).start();
    batch.addPrivateRegistry(REGISTRY, "puller", PASSWORD);
    client = DoubleTestSupport.sharedKeyClient(batch, key);
  }

  @AfterEach
  void stop() {
    batch.close();
    assertThat(batch.liveProcesses(), is(empty()));
  }

  private static PoolAddParameter pool(
      String id, String publisher, String offer, String sku, ContainerConfiguration containers) {
    return new PoolAddParameter()
        .withId(id)
        .withVmSize("standard_d2s_v3")
        .withVirtualMachineConfiguration(
            new VirtualMachineConfiguration()
                .withImageReference(
                    new ImageReference().withPublisher(publisher).withOffer(offer).withSku(sku))
                .withNodeAgentSKUId("batch.node.ubuntu 22.04")
                .withContainerConfiguration(containers))
        .withTargetDedicatedNodes(1);
  }

  private static ContainerConfiguration docker(String password, String... prefetch) {
    ContainerConfiguration c =
        new ContainerConfiguration()
            .withType(ContainerType.DOCKER_COMPATIBLE)
            .withContainerImageNames(prefetch.length == 0 ? null : List.of(prefetch));
    if (password != null) {
      c.withContainerRegistries(
          List.of(
              new ContainerRegistry()
                  .withRegistryServer(REGISTRY)
                  .withUserName("puller")
                  .withPassword(password)));
    }
    return c;
  }

  private CloudTask run(String poolId, TaskAddParameter task) throws Exception {
    String job = "job-" + task.id();
    client
        .jobOperations()
        .createJob(
            new JobAddParameter()
                .withId(job)
                .withPoolInfo(new PoolInformation().withPoolId(poolId)));
    client.taskOperations().createTask(job, task);
    return await(
        task.id() + " completed",
        Duration.ofSeconds(30),
        () -> {
          try {
            CloudTask t = client.taskOperations().getTask(job, task.id());
            return t.state() == TaskState.COMPLETED ? t : null;
          } catch (IOException e) {
            throw new AssertionError(e);
          }
        });
  }

  private static TaskAddParameter inContainer(String id, String image) {
    return new TaskAddParameter()
        .withId(id)
        .withCommandLine("/bin/bash -c 'echo ran'")
        .withContainerSettings(new TaskContainerSettings().withImageName(image));
  }

  @Test
  void aContainerConfigurationOnAnImageWithoutContainerRuntimeIsRefused() {
    BatchErrorException e =
        assertThrows(
            BatchErrorException.class,
            () ->
                client
                    .poolOperations()
                    .createPool(
                        pool(
                            "plain",
                            "canonical",
                            "0001-com-ubuntu-server-jammy",
                            "22_04-lts",
                            docker(null))));
    assertThat(e.response().code(), is(400));
    assertThat(e.body().code(), is("InvalidPropertyValue"));
    assertThat(e.body().values().get(0).value(), is("containerConfiguration"));
    assertThat(e.body().values().get(1).value(), containsString("does not support containers"));
  }

  @Test
  void aPrivateImagePullsOnlyWithTheRegistryLoginOfThePool() throws Exception {
    client
        .poolOperations()
        .createPool(pool("nologin", "microsoft-dsvm", "ubuntu-hpc", "2204", docker(null)));
    CloudTask denied = run("nologin", inContainer("denied", IMAGE));
    assertThat(denied.executionInfo().failureInfo().code(), is("ContainerInvalidImage"));
    assertThat(
        denied.executionInfo().failureInfo().message(),
        is("One or more container images specified are invalid"));
    assertThat(
        denied.executionInfo().failureInfo().details().get(1).value(),
        containsString("unauthorized: authentication required"));
    assertThat(denied.executionInfo().retryCount(), is(0));
    assertThat("never ran", denied.executionInfo().exitCode(), is(nullValue()));

    client
        .poolOperations()
        .createPool(pool("wrong", "microsoft-dsvm", "ubuntu-hpc", "2204", docker("not-it")));
    CloudTask wrong = run("wrong", inContainer("wrong", IMAGE));
    assertThat(wrong.executionInfo().failureInfo().code(), is("ContainerInvalidImage"));

    client
        .poolOperations()
        .createPool(pool("login", "microsoft-dsvm", "ubuntu-hpc", "2204", docker(PASSWORD)));
    CloudTask ran = run("login", inContainer("ran", IMAGE));
    assertThat(ran.executionInfo().exitCode(), is(0));
    // Public images need no login; a task must say which image it runs in.
    assertThat(
        run("login", inContainer("public", "ubuntu:22.04")).executionInfo().exitCode(), is(0));
    CloudTask bare =
        run("login", new TaskAddParameter().withId("bare").withCommandLine("/bin/true"));
    assertThat(bare.executionInfo().failureInfo().code(), is("ContainerTaskSettingsNotFound"));
  }

  @Test
  void aNodeWhosePrefetchFailsIsUnusable() throws Exception {
    client
        .poolOperations()
        .createPool(
            pool(
                "prefetch",
                "microsoft-azure-batch",
                "ubuntu-server-container",
                "20-04-lts",
                docker(null, IMAGE)));
    // The node is allocated and boots on the double's clock; its prefetch then fails.
    ComputeNode node =
        DoubleTestSupport.awaitFirstNodeIn(client, "prefetch", ComputeNodeState.UNUSABLE);
    assertThat(node.state(), is(ComputeNodeState.UNUSABLE));
    assertThat(node.errors().get(0).code(), is("ContainerInvalidImage"));
  }

  /** A task on the host of a pool's node, as the pool's admin or as a plain user. */
  private static TaskAddParameter onHost(String id, boolean admin, String script) {
    return new TaskAddParameter()
        .withId(id)
        .withCommandLine("/bin/bash -c '" + script + "'")
        .withUserIdentity(
            new UserIdentity()
                .withAutoUser(
                    new AutoUserSpecification()
                        .withScope(AutoUserScope.POOL)
                        .withElevationLevel(
                            admin ? ElevationLevel.ADMIN : ElevationLevel.NON_ADMIN)));
  }

  private String output(String taskId, String file) throws IOException {
    Path dir = batch.taskDirectory("job-" + taskId, taskId).orElseThrow();
    return Files.readString(dir.resolve(file));
  }

  @Test
  void aHostTaskOnAContainerCapableImageRunsContainersAsAdminOnlyAndTheyOutliveIt()
      throws Exception {
    batch.addContainerImage("example.org/sleeper:1", List.of("/bin/sleep"));
    client.poolOperations().createPool(pool("hosts", "microsoft-dsvm", "ubuntu-hpc", "2204", null));

    CloudTask user = run("hosts", onHost("user", false, "docker version --format x"));
    assertThat(user.executionInfo().exitCode(), is(1));
    assertThat(output("user", "stderr.txt"), containsString("permission denied"));

    CloudTask missing = run("hosts", onHost("missing", true, "docker pull example.org/nothing:2"));
    assertThat(missing.executionInfo().exitCode(), is(1));
    assertThat(output("missing", "stderr.txt"), containsString("pull access denied"));

    CloudTask started =
        run(
            "hosts",
            onHost(
                "started",
                true,
                "id=$(docker run -d --network=host example.org/sleeper:1 60) && echo $id"
                    + " && docker inspect -f {{.State.Running}} $id"));
    assertThat(started.executionInfo().exitCode(), is(0));
    String[] said = output("started", "stdout.txt").strip().split("\n");
    assertThat(said[1], is("true"));
    assertThat("the container outlives its task", batch.liveProcesses().size(), is(1));

    String id = said[0];
    CloudTask stopped =
        run(
            "hosts",
            onHost(
                "stopped",
                true,
                "docker kill " + id + " && docker rm " + id + " && docker inspect -f x " + id));
    assertThat(stopped.executionInfo().exitCode(), is(1));
    assertThat(output("stopped", "stderr.txt"), containsString("No such container"));
    assertThat(batch.liveProcesses(), is(empty()));

    // Images without a container runtime have no docker at all.
    client
        .poolOperations()
        .createPool(
            pool("plainhost", "canonical", "0001-com-ubuntu-server-jammy", "22_04-lts", null));
    CloudTask none = run("plainhost", onHost("none", true, "docker version"));
    assertThat(none.executionInfo().exitCode(), is(127));
  }
}

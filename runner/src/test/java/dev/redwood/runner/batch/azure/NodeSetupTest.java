package dev.redwood.runner.batch.azure;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.microsoft.azure.batch.BatchClient;
import com.microsoft.azure.batch.auth.BatchSharedKeyCredentials;
import com.microsoft.azure.batch.protocol.models.BatchErrorException;
import com.microsoft.azure.batch.protocol.models.CloudTask;
import com.microsoft.azure.batch.protocol.models.ComputeNode;
import com.microsoft.azure.batch.protocol.models.ComputeNodeState;
import com.microsoft.azure.batch.protocol.models.JobAddParameter;
import com.microsoft.azure.batch.protocol.models.JobPreparationTask;
import com.microsoft.azure.batch.protocol.models.PoolInformation;
import com.microsoft.azure.batch.protocol.models.ResourceFile;
import com.microsoft.azure.batch.protocol.models.StartTask;
import com.microsoft.azure.batch.protocol.models.TaskAddParameter;
import com.microsoft.azure.batch.protocol.models.TaskState;
import dev.redwood.runner.batch.azure.restdouble.BatchRestDouble;
import dev.redwood.runner.batch.azure.restdouble.DoubleTestSupport;
import dev.redwood.runner.config.BatchAccount;
import dev.redwood.runner.config.BatchAuth;
import dev.redwood.runner.config.NodeImage;
import dev.redwood.runner.config.PoolConfig;
import dev.redwood.runner.config.Secret;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Nodes of the Batch REST double boot like fresh marketplace images, and Redwood's start task gets
 * Java onto them: no {@code java} before it, an {@code apt-get} only on Debian and Ubuntu images,
 * the image's first-boot apt lock ridden out; resource-file lists over the service's limit refused.
 */
@Timeout(120)
class NodeSetupTest {
  private final String key = BatchRestDouble.newKey();
  private BatchRestDouble account;
  private BatchClient client;

  @BeforeEach
  void start() throws Exception {
    account = new BatchRestDouble("acct", key).start();
    client = BatchClient.open(new BatchSharedKeyCredentials(account.url(), "acct", key));
  }

  @AfterEach
  void stop() {
    account.close();
  }

  private static final String UBUNTU = "batch.node.ubuntu 22.04";

  private void createPool(String id, String nodeAgentSku, StartTask startTask) throws Exception {
    client
        .poolOperations()
        .createPool(
            DoubleTestSupport.ubuntuPool(id, "Standard_D2s_v5", 1, 1)
                .withVirtualMachineConfiguration(
                    DoubleTestSupport.ubuntu().withNodeAgentSKUId(nodeAgentSku))
                .withStartTask(startTask));
  }

  private static StartTask redwoodStartTask() {
    return new StartTask()
        .withCommandLine(NodeCommands.installJava())
        .withUserIdentity(NodeCommands.poolAdmin())
        .withWaitForSuccess(true);
  }

  /** Runs {@code command} as a task of a new job on the pool; its exit code and stdout. */
  private String[] runTask(String poolId, String command) throws Exception {
    String job = "job-" + poolId;
    client
        .jobOperations()
        .createJob(
            new JobAddParameter()
                .withId(job)
                .withPoolInfo(new PoolInformation().withPoolId(poolId)));
    client
        .taskOperations()
        .createTask(job, new TaskAddParameter().withId("t").withCommandLine(command));
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    CloudTask task = client.taskOperations().getTask(job, "t");
    while (task.state() != TaskState.COMPLETED && System.nanoTime() < deadline) {
      Thread.sleep(100);
      task = client.taskOperations().getTask(job, "t");
    }
    assertThat("task of " + poolId + " completed", task.state(), is(TaskState.COMPLETED));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    client.fileOperations().getFileFromTask(job, "t", "stdout.txt", out);
    return new String[] {
      String.valueOf(task.executionInfo().exitCode()), out.toString(StandardCharsets.UTF_8)
    };
  }

  private ComputeNode settledNode(String poolId) throws Exception {
    return DoubleTestSupport.awaitSettledNode(client, poolId, Duration.ofSeconds(90));
  }

  private String startTaskStdout(String poolId, String nodeId) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    client.fileOperations().getFileFromComputeNode(poolId, nodeId, "startup/stdout.txt", out);
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void nodesHaveNoJavaUntilTheStartTaskInstallsIt() throws Exception {
    createPool("bare", UBUNTU, null);
    createPool("redwood", UBUNTU, redwoodStartTask());
    String probe = "/bin/bash -c 'command -v java || echo no-java; java -version 2>&1'";

    String[] bare = runTask("bare", probe);
    assertThat(bare[1], containsString("no-java"));
    assertThat("java -version without java", bare[0], is("127"));

    assertThat(settledNode("redwood").state(), is(ComputeNodeState.IDLE));
    String[] installed = runTask("redwood", probe);
    assertThat(installed[1], not(containsString("no-java")));
    assertThat(installed[1], containsString("version"));
    assertThat(installed[0], is("0"));
  }

  @Test
  void theStartTaskRidesOutTheImagesFirstBootAptLock() throws Exception {
    account.holdAptLockAtBoot(Duration.ofSeconds(4));
    BatchPool pool =
        new BatchPool(
            new PoolConfig(
                "locked",
                "acct",
                "Standard_D2s_v5",
                1,
                0,
                1,
                null,
                new NodeImage("canonical", "0001-com-ubuntu-server-jammy", "22_04-lts", UBUNTU),
                null,
                false,
                null),
            new BatchAccount(
                "acct", account.url(), null, new BatchAuth.BatchSharedKey("acct", new Secret(key))),
            client,
            new BatchCalls(8, Duration.ofMillis(50), Duration.ofMillis(400)));
    pool.provision();
    ComputeNode node = settledNode("locked");
    String stdout = startTaskStdout("locked", node.id());
    assertThat(stdout, node.state(), is(ComputeNodeState.IDLE));
    assertThat(
        stdout, containsString("redwood: installing Java with apt-get failed (attempt 1 of"));
    assertThat(runTask("locked", "/bin/bash -c 'java -version'")[0], is("0"));
  }

  @Test
  void imagesWithoutAptFailTheStartTask() throws Exception {
    createPool("alma", "batch.node.el 9", redwoodStartTask());
    ComputeNode node = settledNode("alma");
    assertThat(node.state(), is(ComputeNodeState.START_TASK_FAILED));
  }

  @Test
  void resourceFileListsOverTheServiceLimitAreRefused() throws Exception {
    createPool("p", UBUNTU, null);
    List<ResourceFile> files = new ArrayList<>();
    for (int i = 0; i < 140; i++) {
      files.add(
          new ResourceFile()
              .withHttpUrl(
                  "https://acct.blob.core.windows.net/redwood/staging/"
                      + "0123456789abcdef01234567-some-library-"
                      + i
                      + ".jar?sv=2021-08-06&se=2026-12-09T00%3A00%3A00Z&sr=b&sp=r&sig="
                      + "x".repeat(44))
              .withFilePath("lib/" + i + ".jar"));
    }
    BatchErrorException job =
        assertThrows(
            BatchErrorException.class,
            () ->
                client
                    .jobOperations()
                    .createJob(
                        new JobAddParameter()
                            .withId("big")
                            .withPoolInfo(new PoolInformation().withPoolId("p"))
                            .withJobPreparationTask(
                                new JobPreparationTask()
                                    .withCommandLine("/bin/true")
                                    .withResourceFiles(files))));
    assertThat(job.body().code(), is("RequestEntityTooLarge"));
    assertThat(
        job.body().message().value(),
        containsString("Total size of resourceFiles cannot be more than 32768 characters"));

    client
        .jobOperations()
        .createJob(
            new JobAddParameter().withId("ok").withPoolInfo(new PoolInformation().withPoolId("p")));
    BatchErrorException task =
        assertThrows(
            BatchErrorException.class,
            () ->
                client
                    .taskOperations()
                    .createTask(
                        "ok",
                        new TaskAddParameter()
                            .withId("t")
                            .withCommandLine("/bin/true")
                            .withResourceFiles(files)));
    assertThat(task.body().code(), is("RequestEntityTooLarge"));
  }
}

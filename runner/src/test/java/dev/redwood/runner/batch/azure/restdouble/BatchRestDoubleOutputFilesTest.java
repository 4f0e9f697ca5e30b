package dev.redwood.runner.batch.azure.restdouble;

import static dev.redwood.runner.batch.azure.restdouble.DoubleTestSupport.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.sas.BlobContainerSasPermission;
import com.azure.storage.blob.sas.BlobServiceSasSignatureValues;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.microsoft.azure.batch.BatchClient;
import com.microsoft.azure.batch.protocol.models.CloudTask;
import com.microsoft.azure.batch.protocol.models.ErrorCategory;
import com.microsoft.azure.batch.protocol.models.ImageReference;
import com.microsoft.azure.batch.protocol.models.JobAddParameter;
import com.microsoft.azure.batch.protocol.models.OutputFile;
import com.microsoft.azure.batch.protocol.models.OutputFileBlobContainerDestination;
import com.microsoft.azure.batch.protocol.models.OutputFileDestination;
import com.microsoft.azure.batch.protocol.models.OutputFileUploadCondition;
import com.microsoft.azure.batch.protocol.models.OutputFileUploadOptions;
import com.microsoft.azure.batch.protocol.models.PoolAddParameter;
import com.microsoft.azure.batch.protocol.models.PoolInformation;
import com.microsoft.azure.batch.protocol.models.TaskAddParameter;
import com.microsoft.azure.batch.protocol.models.TaskExecutionResult;
import com.microsoft.azure.batch.protocol.models.TaskState;
import com.microsoft.azure.batch.protocol.models.VirtualMachineConfiguration;
import dev.redwood.runner.azure.EmulatedAzure;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Task {@code outputFiles} as the service handles them: checked when the task is added, uploaded to
 * a real blob container (Azurite) after the process exits per their uploadCondition, and upload
 * failures reported with the service's failureInfo codes.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class BatchRestDoubleOutputFilesTest {
  private static final String API = "api-version=2024-07-01.20.0";
  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String key = BatchRestDouble.newKey();
  private final String containerName = "rwout-" + UUID.randomUUID().toString().substring(0, 8);
  private BatchRestDouble batch;
  private BatchClient client;
  private BlobContainerClient container;
  private final HttpClient raw =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  @BeforeEach
  void start() throws Exception {
    batch = new BatchRestDouble("outputs", key).start();
    batch.acceptBearerToken("token-1");
    client = DoubleTestSupport.sharedKeyClient(batch, key);
    container = EmulatedAzure.storage().createBlobContainer(containerName);
  }

  @AfterEach
  void stop() {
    batch.close();
    container.deleteIfExists();
    assertThat(batch.liveProcesses(), is(empty()));
  }

  private String sasUrl(BlobContainerClient c, BlobContainerSasPermission permission) {
    String sas =
        c.generateSas(
            new BlobServiceSasSignatureValues(OffsetDateTime.now().plusHours(1), permission));
    return c.getBlobContainerUrl() + "?" + sas;
  }

  private static OutputFile upload(
      String pattern, String containerUrl, String path, OutputFileUploadCondition condition) {
    return new OutputFile()
        .withFilePattern(pattern)
        .withDestination(
            new OutputFileDestination()
                .withContainer(
                    new OutputFileBlobContainerDestination()
                        .withContainerUrl(containerUrl)
                        .withPath(path)))
        .withUploadOptions(new OutputFileUploadOptions().withUploadCondition(condition));
  }

  private CloudTask completed(String job, String task) throws InterruptedException {
    return await(
        task + " completed",
        TIMEOUT,
        () -> {
          try {
            CloudTask t = client.taskOperations().getTask(job, task);
            return t.state() == TaskState.COMPLETED ? t : null;
          } catch (IOException e) {
            throw new AssertionError(e);
          }
        });
  }

  private String taskFile(String job, String task, String file) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    client.fileOperations().getFileFromTask(job, task, file, out);
    return out.toString(StandardCharsets.UTF_8);
  }

  private String blob(String name) {
    return container.getBlobClient(name).downloadContent().toString();
  }

  @Test
  void logsGoUpPerUploadConditionAndFailuresCarryTheServiceCodes() throws Exception {
    client
        .poolOperations()
        .createPool(
            new PoolAddParameter()
                .withId("p")
                .withVmSize("standard_d2s_v3")
                .withVirtualMachineConfiguration(
                    new VirtualMachineConfiguration()
                        .withImageReference(
                            new ImageReference()
                                .withPublisher("canonical")
                                .withOffer("ubuntu")
                                .withSku("22_04-lts"))
                        .withNodeAgentSKUId("batch.node.ubuntu 22.04"))
                .withTargetDedicatedNodes(1)
                .withTaskSlotsPerNode(4));
    client
        .jobOperations()
        .createJob(
            new JobAddParameter().withId("j").withPoolInfo(new PoolInformation().withPoolId("p")));
    String logs =
        sasUrl(
            container,
            new BlobContainerSasPermission().setCreatePermission(true).setWritePermission(true));
    String missing =
        sasUrl(
            EmulatedAzure.storage().getBlobContainerClient(containerName + "-missing"),
            new BlobContainerSasPermission().setCreatePermission(true).setWritePermission(true));
    String readOnly = sasUrl(container, new BlobContainerSasPermission().setReadPermission(true));
    client
        .taskOperations()
        .createTasks(
            "j",
            List.of(
                new TaskAddParameter()
                    .withId("ok")
                    .withCommandLine("/bin/bash -c 'echo out; echo err >&2'")
                    .withOutputFiles(
                        List.of(
                            upload(
                                "../stdout.txt",
                                logs,
                                "j/ok/stdout.txt",
                                OutputFileUploadCondition.TASK_COMPLETION),
                            upload(
                                "../stderr.txt",
                                logs,
                                "j/ok/stderr.txt",
                                OutputFileUploadCondition.TASK_COMPLETION))),
                new TaskAddParameter()
                    .withId("exit4")
                    .withCommandLine("/bin/bash -c 'echo why >&2; exit 4'")
                    .withOutputFiles(
                        List.of(
                            upload(
                                "../stdout.txt",
                                logs,
                                "j/exit4/stdout.txt",
                                OutputFileUploadCondition.TASK_SUCCESS),
                            upload(
                                "../stderr.txt",
                                logs,
                                "j/exit4/stderr.txt",
                                OutputFileUploadCondition.TASK_FAILURE))),
                new TaskAddParameter()
                    .withId("nocontainer")
                    .withCommandLine("echo fine")
                    .withOutputFiles(
                        List.of(
                            upload(
                                "../stdout.txt",
                                missing,
                                "x/stdout.txt",
                                OutputFileUploadCondition.TASK_COMPLETION))),
                new TaskAddParameter()
                    .withId("denied")
                    .withCommandLine("echo fine")
                    .withOutputFiles(
                        List.of(
                            upload(
                                "../stdout.txt",
                                readOnly,
                                "x/denied.txt",
                                OutputFileUploadCondition.TASK_COMPLETION)))));

    CloudTask ok = completed("j", "ok");
    assertThat(ok.executionInfo().result(), is(TaskExecutionResult.SUCCESS));
    assertThat(blob("j/ok/stdout.txt"), is("out\n"));
    assertThat(blob("j/ok/stderr.txt"), is("err\n"));
    assertThat(taskFile("j", "ok", "fileuploadout.txt"), containsString("j/ok/stderr.txt"));
    assertThat(taskFile("j", "ok", "fileuploadout.txt"), not(containsString("sig=")));

    CloudTask exit4 = completed("j", "exit4");
    assertThat(exit4.executionInfo().exitCode(), is(4));
    assertThat(exit4.executionInfo().failureInfo().code(), is("FailureExitCode"));
    assertThat(blob("j/exit4/stderr.txt"), is("why\n"));
    assertThat(container.getBlobClient("j/exit4/stdout.txt").exists(), is(false));

    // The process succeeded, the upload did not: the task fails, exit code 0, not retried.
    CloudTask noContainer = completed("j", "nocontainer");
    assertThat(noContainer.executionInfo().result(), is(TaskExecutionResult.FAILURE));
    assertThat(noContainer.executionInfo().exitCode(), is(0));
    assertThat(noContainer.executionInfo().retryCount(), is(0));
    assertThat(noContainer.executionInfo().failureInfo().category(), is(ErrorCategory.USER_ERROR));
    assertThat(noContainer.executionInfo().failureInfo().code(), is("FileUploadContainerNotFound"));
    assertThat(noContainer.executionInfo().failureInfo().message(), not(containsString("sig=")));
    assertThat(
        taskFile("j", "nocontainer", "fileuploaderr.txt"),
        containsString("FileUploadContainerNotFound"));

    CloudTask denied = completed("j", "denied");
    assertThat(denied.executionInfo().result(), is(TaskExecutionResult.FAILURE));
    assertThat(denied.executionInfo().failureInfo().code(), is("FileUploadMiscError"));
    assertThat(denied.executionInfo().failureInfo().message(), containsString("403"));
    assertThat(denied.executionInfo().failureInfo().message(), not(containsString("sig=")));
  }

  @Test
  void malformedOutputFilesAreRefusedWhenTheTaskIsAdded() throws Exception {
    client
        .jobOperations()
        .createJob(
            new JobAddParameter().withId("j").withPoolInfo(new PoolInformation().withPoolId("p")));
    String destination = "{\"container\":{\"containerUrl\":\"https://a.blob.core.windows.net/c\"}}";
    String options = "{\"uploadCondition\":\"taskCompletion\"}";
    String[][] cases = {
      {
        "{\"destination\":" + destination + ",\"uploadOptions\":" + options + "}",
        "MissingRequiredProperty",
        "filePattern"
      },
      {
        "{\"filePattern\":\"a\",\"uploadOptions\":" + options + "}",
        "MissingRequiredProperty",
        "destination"
      },
      {
        "{\"filePattern\":\"a\",\"destination\":{},\"uploadOptions\":" + options + "}",
        "MissingRequiredProperty",
        "container"
      },
      {
        "{\"filePattern\":\"a\",\"destination\":{\"container\":{\"path\":\"x\"}},\"uploadOptions\":"
            + options
            + "}",
        "MissingRequiredProperty",
        "containerUrl"
      },
      {
        "{\"filePattern\":\"a\",\"destination\":{\"container\":{\"containerUrl\":\"c?sig=s3cret\"}},"
            + "\"uploadOptions\":"
            + options
            + "}",
        "InvalidPropertyValue",
        "containerUrl"
      },
      {
        "{\"filePattern\":\"a\",\"destination\":" + destination + "}",
        "MissingRequiredProperty",
        "uploadOptions"
      },
      {
        "{\"filePattern\":\"a\",\"destination\":" + destination + ",\"uploadOptions\":{}}",
        "MissingRequiredProperty",
        "uploadCondition"
      },
      {
        "{\"filePattern\":\"a\",\"destination\":"
            + destination
            + ",\"uploadOptions\":{\"uploadCondition\":\"always\"}}",
        "InvalidPropertyValue",
        "uploadCondition"
      },
    };
    for (String[] c : cases) {
      String task = "{\"id\":\"t\",\"commandLine\":\"echo\",\"outputFiles\":[" + c[0] + "]}";
      HttpResponse<String> added = post("/jobs/j/tasks", task);
      assertThat(c[0], added.statusCode(), is(400));
      JsonNode error = JSON.readTree(added.body());
      assertThat(c[0], error.get("code").asText(), is(c[1]));
      assertThat(c[0], error.get("values").get(0).get("value").asText(), is(c[2]));
      assertThat(added.body(), not(containsString("s3cret")));
      // In a collection, the task is refused on its own.
      HttpResponse<String> collection =
          post("/jobs/j/addtaskcollection", "{\"value\":[" + task + "]}");
      assertThat(collection.statusCode(), is(200));
      JsonNode result = JSON.readTree(collection.body()).get("value").get(0);
      assertThat(result.get("status").asText(), is("ClientError"));
      assertThat(result.get("error").get("code").asText(), is(c[1]));
    }
    assertThat(client.jobOperations().getTaskCounts("j").active(), is(0));
    assertThat(batch.taskDirectory("j", "t").orElse(null), nullValue());
  }

  private HttpResponse<String> post(String path, String body) throws Exception {
    return raw.send(
        HttpRequest.newBuilder(URI.create(batch.url() + path + "?" + API))
            .timeout(Duration.ofSeconds(10))
            .header("Authorization", "Bearer token-1")
            .header("Content-Type", "application/json; odata=minimalmetadata")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}

package dev.redwood.runner.options;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.redwood.runner.storage.TaskAzfsClients;
import org.apache.beam.sdk.io.azure.options.BlobstoreOptions;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.util.common.ReflectHelpers;
import org.junit.jupiter.api.Test;

class NodeOptionsTest {
  private static final ObjectMapper JSON =
      new ObjectMapper()
          .registerModules(ObjectMapper.findModules(ReflectHelpers.findClassLoader()));

  @Test
  void credentialsStayOnTheDriverAndEverythingElseReachesTheNodes() throws JsonProcessingException {
    PipelineOptions driver =
        PipelineOptionsFactory.fromArgs(
                "--jobName=night-run",
                "--accessKey=KEY-VALUE-1",
                "--sasToken=sv=2020&sig=SECRET-2",
                "--azureConnectionString=AccountName=a;AccountKey=KEY-VALUE-3",
                "--accountName=acct",
                "--blobServiceEndpoint=https://acct.blob.core.windows.net")
            .create();
    PipelineOptions nodes = NodeOptions.withoutSecrets(driver);

    String shipped = JSON.writeValueAsString(nodes);
    for (String secret : new String[] {"KEY-VALUE-1", "SECRET-2", "KEY-VALUE-3"}) {
      assertThat(shipped, not(containsString(secret)));
    }
    assertThat(shipped, containsString("night-run"));
    BlobstoreOptions blob = nodes.as(BlobstoreOptions.class);
    assertThat(blob.getAccessKey(), is(nullValue()));
    assertThat(blob.getAccountName(), is("acct"));
    assertThat(blob.getBlobServiceEndpoint(), is("https://acct.blob.core.windows.net"));
    assertThat(nodes.getJobName(), is("night-run"));
    assertThat(
        blob.getBlobstoreClientFactoryClass().getName(), is(TaskAzfsClients.class.getName()));
    // The driver's own options are untouched.
    assertThat(driver.as(BlobstoreOptions.class).getAccessKey(), is("KEY-VALUE-1"));
  }

  @Test
  void namesThatHoldCredentials() {
    for (String name :
        new String[] {
          "accessKey",
          "sasToken",
          "azureConnectionString",
          "clientSecret",
          "dbPassword",
          "gcpCredential",
          "azureCredentialsProvider",
          "customerProvidedKey"
        }) {
      assertThat(name, NodeOptions.isSecret(name), is(true));
    }
    for (String name :
        new String[] {
          "hotKeyLoggingEnabled", "keepJobData", "tokenizerModel", "jobName", "outputDirectory"
        }) {
      assertThat(name, NodeOptions.isSecret(name), is(false));
    }
  }
}

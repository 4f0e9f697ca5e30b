package dev.redwood.runner.storage;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.azure.storage.blob.BlobServiceClient;
import java.util.Map;
import org.apache.beam.sdk.io.azure.options.BlobstoreOptions;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;

/** The task side of azfs:// access, without a server: what happens before a request is sent. */
class TaskAzfsClientsTest {
  private static final String ENDPOINT = "http://127.0.0.1:9/devstoreaccount1";

  private static BlobServiceClient client(Map<String, String> environment) {
    PipelineOptions options = PipelineOptionsFactory.create();
    TaskAzfsClients.configure(options, environment);
    BlobstoreOptions blob = options.as(BlobstoreOptions.class);
    return new TaskAzfsClients().createBuilder(blob).buildClient();
  }

  /** A task granted container 'results'. */
  private static BlobServiceClient grantedResults() {
    return client(
        Map.of(
            TaskAzfsClients.ENDPOINT_VARIABLE,
            ENDPOINT,
            TaskAzfsClients.SAS_VARIABLE,
            "{\"results\": \"sv=2021&sig=abc\"}"));
  }

  @Test
  void aGrantedContainerIsKnownToExistWithoutAsking() {
    // Port 9 (discard) is closed: any request actually sent would fail.
    BlobServiceClient client = grantedResults();
    assertThat(client.getBlobContainerClient("results").exists(), is(true));
  }

  @Test
  void aContainerWithoutAGrantFailsNamingIt() {
    BlobServiceClient client = grantedResults();
    RuntimeException e =
        assertThrows(
            RuntimeException.class,
            () -> client.getBlobContainerClient("other").getBlobClient("x").getProperties());
    assertThat(e.getMessage(), containsString("container 'other'"));
  }

  @Test
  void withoutAnyGrantEveryContainerFailsNamingIt() {
    BlobServiceClient client = client(Map.of());
    RuntimeException e =
        assertThrows(
            RuntimeException.class,
            () -> client.getBlobContainerClient("results").getBlobClient("x").getProperties());
    assertThat(e.getMessage(), containsString("container 'results'"));
  }
}

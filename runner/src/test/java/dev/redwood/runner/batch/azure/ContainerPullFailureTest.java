package dev.redwood.runner.batch.azure;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;

import com.microsoft.azure.batch.protocol.models.NameValuePair;
import com.microsoft.azure.batch.protocol.models.TaskFailureInformation;
import dev.redwood.runner.config.BatchAccount;
import dev.redwood.runner.config.BatchAuth;
import dev.redwood.runner.config.NodeImage;
import dev.redwood.runner.config.PoolConfig;
import dev.redwood.runner.config.RegistryLogin;
import dev.redwood.runner.config.Secret;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the run's error says when a pool's nodes cannot pull its container image. */
class ContainerPullFailureTest {
  private static final String PASSWORD = "never-Sh0wn-password";
  private static final PoolConfig POOL =
      new PoolConfig(
          "boxes",
          "acct",
          "Standard_D2s_v5",
          1,
          0,
          1,
          null,
          new NodeImage("microsoft-dsvm", "ubuntu-hpc", "2204", null),
          "acr1.azurecr.io/worker:2",
          false,
          null);
  private static final BatchAccount ACCOUNT =
      new BatchAccount(
          "acct",
          "https://acct.westeurope.batch.azure.com",
          "westeurope",
          new BatchAuth.BatchDefaultCredential());
  private static final TaskFailureInformation INVALID_IMAGE =
      new TaskFailureInformation()
          .withCode("ContainerInvalidImage")
          .withMessage("One or more container images specified are invalid")
          .withDetails(List.of(new NameValuePair().withName("Message").withValue("unauthorized")));

  @Test
  void withoutALoginItSaysWhatToAddToTheCredentialsFile() {
    String message =
        new ContainerPullFailure(new BatchPool(POOL, ACCOUNT, null, null, null), INVALID_IMAGE)
            .getMessage();
    assertThat(message, containsString("Batch pool acct/boxes cannot pull"));
    assertThat(message, containsString("from registry acr1.azurecr.io (ContainerInvalidImage"));
    assertThat(message, containsString("Message: unauthorized"));
    assertThat(message, containsString("add {\"registryServer\": \"acr1.azurecr.io\""));
    // This pool was not created by the run: Batch keeps the logins it was created with.
    assertThat(message, containsString("existed before this run"));
  }

  @Test
  void withALoginItNamesTheUserAndNeverThePassword() {
    RegistryLogin login = new RegistryLogin("acr1.azurecr.io", "puller", new Secret(PASSWORD));
    String message =
        new ContainerPullFailure(new BatchPool(POOL, ACCOUNT, null, null, login), INVALID_IMAGE)
            .getMessage();
    assertThat(message, containsString("logged in to acr1.azurecr.io as \"puller\""));
    assertThat(message, not(containsString(PASSWORD)));
  }
}

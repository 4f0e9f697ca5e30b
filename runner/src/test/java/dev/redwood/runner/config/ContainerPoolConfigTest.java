package dev.redwood.runner.config;

import static dev.redwood.runner.config.ConfigFixture.ONE_ACCOUNT;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Container pools: the image they get, the images they may not have, and the registry logins of the
 * credentials file.
 */
class ContainerPoolConfigTest {
  private static final String PASSWORD = "Reg1stry-Passw0rd~secret";

  @TempDir Path tempDir;
  private ConfigFixture fx;

  @BeforeEach
  void setUp() {
    fx = new ConfigFixture(tempDir);
  }

  /** AzureClusterlessHPC's credentials with {@code "containerRegistries"} added. */
  private static String credentialsWith(String registries) {
    return ONE_ACCOUNT.replaceFirst("\\{", "{\"containerRegistries\": " + registries + ",");
  }

  @Test
  void aContainerPoolWithoutAnImageGetsOneWithAContainerRuntime() {
    AzureConfig config =
        fx.read(
            """
            {"_CONTAINER": "myregistry.azurecr.io/redwood-worker:1.0", "_POOL_COUNT": "2"}
            """,
            ONE_ACCOUNT);
    for (PoolConfig pool : config.pools()) {
      assertThat(pool.image(), is(DockerCompatibleImages.DEFAULT));
      assertThat(pool.image().nodeAgentSku(), is("batch.node.ubuntu 22.04"));
    }
    // A pool without a container keeps Redwood's usual image.
    AzureConfig mixed =
        fx.read(
            """
            {"pools": [{"id": "plain"},
                       {"id": "boxed", "containerImage": "ghcr.io/acme/worker:2"}]}
            """,
            ONE_ACCOUNT);
    assertThat(mixed.pools().get(0).image(), is(PoolConfig.DEFAULT_IMAGE));
    assertThat(mixed.pools().get(1).image(), is(DockerCompatibleImages.DEFAULT));
    assertThat(fx.warnings, is(empty()));
  }

  @Test
  void aContainerImageOnAnImageWithoutContainerRuntimeNamesFilePoolAndKeys() {
    AzureConfigException flat =
        fx.fails(
            """
            {"_CONTAINER": "myregistry.azurecr.io/redwood-worker:1.0",
             "_NODE_OS_PUBLISHER": "Canonical", "_NODE_OS_OFFER": "0001-com-ubuntu-server-jammy",
             "_NODE_OS_SKU": "22_04-lts"}
            """,
            ONE_ACCOUNT);
    assertThat(flat.file(), containsString("parameters.json"));
    assertThat(flat.key(), is("_NODE_OS_PUBLISHER/_NODE_OS_OFFER/_NODE_OS_SKU"));
    assertThat(flat.getMessage(), containsString("without a container runtime"));
    assertThat(flat.getMessage(), containsString("pool \"redwood_1\""));
    assertThat(flat.getMessage(), containsString("(_CONTAINER)"));
    assertThat(flat.getMessage(), containsString("microsoft-dsvm / ubuntu-hpc / 2204"));

    AzureConfigException structured =
        fx.fails(
            """
            {"poolDefaults": {"image": {"publisher": "canonical", "offer": "ubuntu-24_04-lts",
                                        "sku": "server"}},
             "pools": [{"id": "boxed", "containerImage": "ghcr.io/acme/worker:2"}]}
            """,
            ONE_ACCOUNT);
    assertThat(structured.key(), is("poolDefaults.image"));
    assertThat(structured.getMessage(), containsString("pool \"boxed\""));
    assertThat(structured.getMessage(), containsString("(pools[0].containerImage)"));
  }

  @Test
  void containerCapableAndUnknownImagesAreTheUsersChoice() {
    AzureConfig config =
        fx.read(
            """
            {"poolDefaults": {"containerImage": "ghcr.io/acme/worker:2"},
             "pools": [
               {"id": "batch-image", "image": {"publisher": "microsoft-azure-batch",
                  "offer": "ubuntu-server-container-rdma", "sku": "20-04-lts"}},
               {"id": "custom", "image": {"publisher": "contoso", "offer": "hpc-docker",
                  "sku": "1", "nodeAgentSku": "batch.node.ubuntu 22.04"}}]}
            """,
            ONE_ACCOUNT);
    assertThat(config.pools().get(0).image().offer(), is("ubuntu-server-container-rdma"));
    assertThat(config.pools().get(1).image().publisher(), is("contoso"));
  }

  @Test
  void registryLoginsComeFromTheCredentialsFileAndNeverShowTheirPassword() {
    AzureConfig config =
        fx.read(
            "{\"_CONTAINER\": \"myregistry.azurecr.io/redwood-worker:1.0\"}",
            credentialsWith(
                "[{\"registryServer\": \"MyRegistry.azurecr.io\", \"userName\": \"puller\","
                    + " \"password\": \""
                    + PASSWORD
                    + "\"}]"));
    RegistryLogin login = config.registryFor(config.pools().get(0).containerImage()).get();
    assertThat(login.registryServer(), is("myregistry.azurecr.io"));
    assertThat(login.userName(), is("puller"));
    assertThat(login.password().reveal(), is(PASSWORD));
    assertThat(config.toString(), not(containsString(PASSWORD)));
    assertThat(config.registryFor("ghcr.io/acme/worker:2"), is(Optional.empty()));
    assertThat(config.registryFor("ubuntu:22.04"), is(Optional.empty()));
    assertThat(RegistryLogin.serverOf("ubuntu:22.04"), is("docker.io"));
    assertThat(RegistryLogin.serverOf("localhost:5000/w:1"), is("localhost:5000"));

    // The structured credentials form takes them as well.
    AzureConfig structured =
        fx.read(
            "{\"accounts\": [{\"url\": \"https://batchweu.westeurope.batch.azure.com\"}]}",
            """
            {"storage": {"accountName": "redwoodstore", "accountKey": "%s"},
             "containerRegistries": [{"registryServer": "ghcr.io", "userName": "u",
                                      "password": "%s"}]}
            """
                .formatted(ConfigFixture.STORAGE_KEY, PASSWORD));
    assertThat(structured.containerRegistries().size(), is(1));
  }

  @Test
  void badRegistryLoginsFailNamingTheKeyAndNeverThePassword() {
    String params = "{\"_CONTAINER\": \"myregistry.azurecr.io/redwood-worker:1.0\"}";
    for (List<String> bad :
        List.of(
            List.of(
                "[{\"registryServer\": \"myregistry.azurecr.io\", \"userName\": \"u\"}]",
                "containerRegistries[0].password",
                "is missing"),
            List.of(
                "[{\"registryServer\": \"https://"
                    + PASSWORD
                    + "\", \"userName\": \"u\","
                    + " \"password\": \""
                    + PASSWORD
                    + "\"}]",
                "containerRegistries[0].registryServer",
                "no https://"),
            List.of(
                "[{\"registryServer\": \"myregistry.azurecr.io\", \"identityReference\":"
                    + " {\"resourceId\": \"/subscriptions/x\"}}]",
                "containerRegistries[0].identityReference",
                "managed identity"),
            List.of(
                "[{\"registryServer\": \"r.io\", \"userName\": \"u\", \"password\": \"p\"},"
                    + " {\"registryServer\": \"R.io\", \"userName\": \"v\", \"password\": \""
                    + PASSWORD
                    + "\"}]",
                "containerRegistries[1].registryServer",
                "repeats the registry"))) {
      AzureConfigException e = fx.fails(params, credentialsWith(bad.get(0)));
      assertThat(e.file(), containsString("credentials.json"));
      assertThat(e.key(), is(bad.get(1)));
      assertThat(e.getMessage(), containsString(bad.get(2)));
      assertThat(e.getMessage(), not(containsString(PASSWORD)));
    }
    AzureConfigException misplaced =
        fx.fails(
            "{\"containerRegistries\": [{\"registryServer\": \"r.io\", \"userName\": \"u\","
                + " \"password\": \""
                + PASSWORD
                + "\"}]}",
            ONE_ACCOUNT);
    assertThat(misplaced.key(), is("containerRegistries"));
    assertThat(misplaced.getMessage(), containsString("is a credential"));
    assertThat(misplaced.getMessage(), not(containsString(PASSWORD)));
  }
}

package dev.redwood.runner.config;

import static dev.redwood.runner.config.ConfigFixture.AD_SECRET;
import static dev.redwood.runner.config.ConfigFixture.CLIENT;
import static dev.redwood.runner.config.ConfigFixture.ONE_ACCOUNT;
import static dev.redwood.runner.config.ConfigFixture.STORAGE_KEY;
import static dev.redwood.runner.config.ConfigFixture.TENANT;
import static dev.redwood.runner.config.ConfigFixture.clusterlessCredentials;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** AzureClusterlessHPC's parameters.json and credentials files, read unchanged. */
class ClusterlessHpcFormatTest {
  @TempDir Path tempDir;
  private ConfigFixture fx;

  @BeforeEach
  void setUp() {
    fx = new ConfigFixture(tempDir);
  }

  /** The repository's own parameters.json, found from the module directory upwards. */
  private static Path repoParameters() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.exists(dir.resolve("parameters.json"))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new IllegalStateException("no parameters.json above " + Path.of("").toAbsolutePath());
    }
    return dir.resolve("parameters.json");
  }

  @Test
  void readsTheRepositoryParametersFile() {
    AzureConfig config = fx.read(repoParameters(), fx.write("credentials.json", ONE_ACCOUNT));

    assertThat(config.pools(), hasSize(1));
    PoolConfig pool = config.pools().get(0);
    assertThat(pool.poolId(), is("redwood_1"));
    assertThat(pool.account(), is("redwoodbatch"));
    assertThat(pool.vmSize(), is("Standard_E2s_v3"));
    assertThat(pool.dedicatedNodes(), is(4));
    assertThat(pool.spotNodes(), is(0));
    assertThat(pool.taskSlotsPerNode(), is(1));
    assertThat(pool.autoscaleFormula(), is(nullValue()));
    assertThat(
        pool.image(),
        is(
            new NodeImage(
                "canonical",
                "0001-com-ubuntu-server-jammy",
                "22_04-lts",
                "batch.node.ubuntu 22.04")));
    assertThat(pool.containerImage(), is(nullValue()));
    assertThat(pool.interNodeCommunication(), is(false));
    assertThat(config.jobIdPrefix(), is("redwood"));
    assertThat(config.blobContainer(), is("redwood"));
    assertThat(config.taskRetries(), is(3));
    assertThat(config.taskEnvironment(), is(Map.of("OMP_NUM_THREADS", "2")));

    assertThat(config.accounts(), hasSize(1));
    BatchAccount account = config.accounts().get(0);
    assertThat(account.name(), is("redwoodbatch"));
    assertThat(account.accountUrl(), is("https://redwoodbatch.westeurope.batch.azure.com"));
    assertThat(account.region(), is("westeurope"));
    assertThat(
        account.auth(),
        is(
            new BatchAuth.ServicePrincipal(
                TENANT, CLIENT, new Secret(AD_SECRET), "https://batch.core.windows.net/")));
    assertThat(
        config.storage(),
        is(
            new StorageAccount(
                "redwoodstore",
                "https://redwoodstore.blob.core.windows.net",
                new StorageAuth.AccountKey(new Secret(STORAGE_KEY)))));
    assertThat(fx.warnings, is(empty()));
  }

  @Test
  void readsAzureClusterlessHpcExampleWithJuliaKeysAndWarnsAboutThem() {
    // examples/mpi/parameters.json of AzureClusterlessHPC.jl, with its old default image.
    AzureConfig config =
        fx.read(
            """
            {
                "_POOL_ID": "BatchPoolMPI",
                "_POOL_VM_SIZE": "Standard_E4s_v3",
                "_JOB_ID": "BatchJob",
                "_NODE_OS_PUBLISHER": "Canonical",
                "_NODE_OS_OFFER": "UbuntuServer",
                "_NODE_OS_SKU": "18.04",
                "_BLOB_CONTAINER": "azureclusterlesstemp",
                "_POOL_COUNT": "2",
                "_NODE_COUNT_PER_POOL": "2",
                "_MPI_RUN": "1",
                "_INTER_NODE_CONNECTION": "1",
                "_NUM_NODES_PER_TASK": "2",
                "_NUM_PROCS_PER_NODE": "4",
                "_OMP_NUM_THREADS": "1",
                "_JULIA_DEPOT_PATH": "/root/.julia"
            }
            """,
            ONE_ACCOUNT);

    assertThat(
        config.pools().stream().map(PoolConfig::poolId).toList(),
        contains("BatchPoolMPI_1", "BatchPoolMPI_2"));
    assertThat(
        config.pools().stream().map(PoolConfig::account).toList(),
        contains("redwoodbatch", "redwoodbatch"));
    PoolConfig pool = config.pools().get(1);
    assertThat(pool.vmSize(), is("Standard_E4s_v3"));
    assertThat(pool.dedicatedNodes(), is(2));
    assertThat(pool.interNodeCommunication(), is(true));
    assertThat(pool.image().nodeAgentSku(), is("batch.node.ubuntu 18.04"));
    assertThat(config.jobIdPrefix(), is("BatchJob"));
    assertThat(config.blobContainer(), is("azureclusterlesstemp"));
    assertThat(config.taskRetries(), is(nullValue()));

    assertThat(fx.warnings, hasSize(2));
    String ignored = fx.warnings.get(0);
    assertThat(ignored, containsString("parameters.json"));
    assertThat(ignored, containsString("_JULIA_DEPOT_PATH"));
    assertThat(ignored, containsString("_MPI_RUN"));
    assertThat(ignored, containsString("_NUM_NODES_PER_TASK"));
    assertThat(ignored, containsString("_NUM_PROCS_PER_NODE"));
    assertThat(
        fx.warnings.get(1), containsString("retired the node agent \"batch.node.ubuntu 18.04\""));
    assertThat(fx.warnings.get(1), containsString("_NODE_OS_PUBLISHER"));
  }

  @Test
  void spreadsPoolsOverTwoAccountsInTwoRegionsInTurn() {
    String credentials =
        "["
            + clusterlessCredentials("batchweu", "westeurope", "storeweu")
            + ","
            + clusterlessCredentials("batchscus", "southcentralus", "storescus")
                .replace(ConfigFixture.STORAGE_KEY, ConfigFixture.STORAGE_KEY_2)
            + "]";
    AzureConfig config =
        fx.read(
            """
            {"_POOL_ID": "BatchPool", "_POOL_COUNT": "5", "_NODE_COUNT_PER_POOL": "3"}
            """,
            credentials);

    assertThat(
        config.accounts().stream().map(a -> a.name() + "@" + a.region()).toList(),
        contains("batchweu@westeurope", "batchscus@southcentralus"));
    assertThat(
        config.accounts().get(1).accountUrl(),
        is("https://batchscus.southcentralus.batch.azure.com"));
    assertThat(
        config.pools().stream().map(p -> p.poolId() + ">" + p.account()).toList(),
        contains(
            "BatchPool_1>batchweu",
            "BatchPool_2>batchscus",
            "BatchPool_3>batchweu",
            "BatchPool_4>batchscus",
            "BatchPool_5>batchweu"));
    // The job's objects live in the first entry's storage account.
    assertThat(config.storage().accountName(), is("storeweu"));
    assertThat(config.storage().auth(), is(new StorageAuth.AccountKey(new Secret(STORAGE_KEY))));
    assertThat(fx.warnings, is(empty()));
  }

  @Test
  void fewerPoolsThanAccountsUseTheFirstAccounts() {
    String credentials =
        "["
            + clusterlessCredentials("batchweu", "westeurope", "storeweu")
            + ","
            + clusterlessCredentials("batchscus", "southcentralus", "storescus")
            + "]";
    AzureConfig config = fx.read("{\"_POOL_COUNT\": \"1\"}", credentials);

    assertThat(config.pools(), hasSize(1));
    assertThat(config.pools().get(0).account(), is("batchweu"));
    assertThat(config.accounts(), hasSize(2));
  }

  @Test
  void oneBatchAccountWithSeveralStorageAccountsIsOneAccount() {
    // What AzureClusterlessHPC builds from user_data with one Batch and two storage accounts.
    String credentials =
        "["
            + clusterlessCredentials("batchweu", "westeurope", "storeone")
            + ","
            + clusterlessCredentials("batchweu", "westeurope", "storetwo")
            + "]";
    AzureConfig config = fx.read("{\"_POOL_COUNT\": \"2\"}", credentials);

    assertThat(config.accounts(), hasSize(1));
    assertThat(
        config.pools().stream().map(PoolConfig::account).toList(),
        contains("batchweu", "batchweu"));
    assertThat(config.storage().accountName(), is("storeone"));
  }

  @Test
  void missingKeysTakeDefaults() {
    AzureConfig config = fx.read("{}", ONE_ACCOUNT);

    PoolConfig pool = config.pools().get(0);
    assertThat(pool.poolId(), is("redwood_1"));
    assertThat(pool.vmSize(), is("Standard_E2s_v3"));
    assertThat(pool.dedicatedNodes(), is(1));
    assertThat(pool.image(), is(PoolConfig.DEFAULT_IMAGE));
    assertThat(config.jobIdPrefix(), is("redwood"));
    assertThat(config.blobContainer(), is("redwood"));
    assertThat(config.taskRetries(), is(nullValue()));
    assertThat(config.taskEnvironment(), is(Map.of()));
  }

  @Test
  void containerNoneOrEmptyMeansNoContainerAndNumbersMayBeBare() {
    AzureConfig none = fx.read("{\"_CONTAINER\": \"None\", \"_POOL_COUNT\": 2}", ONE_ACCOUNT);
    assertThat(none.pools().get(0).containerImage(), is(nullValue()));
    assertThat(none.pools(), hasSize(2));

    AzureConfig image =
        fx.read(
            """
            {"_CONTAINER": "philippwitte/azureclusterlesshpc:v1.0",
             "_NODE_OS_PUBLISHER": "microsoft-azure-batch",
             "_NODE_OS_OFFER": "ubuntu-server-container",
             "_NODE_OS_SKU": "20-04-lts"}
            """,
            ONE_ACCOUNT);
    assertThat(image.pools().get(0).containerImage(), is("philippwitte/azureclusterlesshpc:v1.0"));
    assertThat(image.pools().get(0).image().nodeAgentSku(), is("batch.node.ubuntu 20.04"));
  }

  @Test
  void blobContainerIsLowercasedAsAzureClusterlessHpcDoes() {
    AzureConfig config = fx.read("{\"_BLOB_CONTAINER\": \"AzureClusterlessTemp\"}", ONE_ACCOUNT);
    assertThat(config.blobContainer(), is("azureclusterlesstemp"));
  }

  @Test
  void templateWithoutRegionTakesItFromTheUrl() {
    // AzureClusterlessHPC's credentials.json template has no _REGION.
    String credentials = ONE_ACCOUNT.replaceFirst(",\\s*\"_REGION\": \"westeurope\"", "");
    assertThat(credentials, not(containsString("_REGION")));
    AzureConfig config = fx.read("{}", credentials);
    assertThat(config.accounts().get(0).region(), is("westeurope"));
  }

  @Test
  void withoutServicePrincipalKeysBatchUsesDefaultCredential() {
    AzureConfig config =
        fx.read(
            "{}",
            """
            {"_BATCH_ACCOUNT_URL": "https://mybatch.eastus.batch.azure.com",
             "_BATCH_RESOURCE": "https://batch.core.windows.net/",
             "_STORAGE_ACCOUNT_NAME": "mystore"}
            """);
    assertThat(config.accounts().get(0).auth(), instanceOf(BatchAuth.BatchDefaultCredential.class));
    assertThat(config.storage().auth(), instanceOf(StorageAuth.StorageDefaultCredential.class));
    assertThat(fx.warnings, hasSize(1));
    assertThat(fx.warnings.get(0), containsString("_BATCH_RESOURCE"));
  }

  @Test
  void appInsightsKeysAreIgnoredWithAWarningThatShowsNoValue() {
    String credentials =
        ONE_ACCOUNT.replace(
            "\"_REGION\"",
            "\"_APP_INSIGHTS_APP_ID\": \"app-id-1\", \"_APP_INSIGHTS_INSTRUMENTATION_KEY\":"
                + " \"instrumentation-secret\", \"_REGION\"");
    fx.read("{}", credentials);
    assertThat(fx.warnings, hasSize(1));
    assertThat(fx.warnings.get(0), containsString("credentials.json"));
    assertThat(fx.warnings.get(0), containsString("_APP_INSIGHTS_INSTRUMENTATION_KEY"));
    assertThat(fx.warnings.get(0), not(containsString("instrumentation-secret")));
  }

  @Test
  void allKeysOfAzureClusterlessHpcAreKnown() {
    List<String> documented =
        List.of(
            "_POOL_ID",
            "_POOL_COUNT",
            "_NODE_COUNT_PER_POOL",
            "_POOL_VM_SIZE",
            "_JOB_ID",
            "_STANDARD_OUT_FILE_NAME",
            "_NODE_OS_PUBLISHER",
            "_NODE_OS_OFFER",
            "_NODE_OS_SKU",
            "_BLOB_CONTAINER",
            "_INTER_NODE_CONNECTION",
            "_NUM_RETRYS",
            "_MPI_RUN",
            "_CONTAINER",
            "_NUM_NODES_PER_TASK",
            "_NUM_PROCS_PER_NODE",
            "_OMP_NUM_THREADS",
            "_JULIA_NUM_THREADS",
            "_JULIA_DEPOT_PATH",
            "_PYTHONPATH",
            "_VERBOSE");
    assertThat(ClusterlessHpcKeys.allParameters().containsAll(documented), is(true));
  }
}

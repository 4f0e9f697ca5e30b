package dev.redwood.runner.config;

import static dev.redwood.runner.config.ConfigFixture.AD_SECRET;
import static dev.redwood.runner.config.ConfigFixture.BATCH_KEY;
import static dev.redwood.runner.config.ConfigFixture.CLIENT;
import static dev.redwood.runner.config.ConfigFixture.ONE_ACCOUNT;
import static dev.redwood.runner.config.ConfigFixture.STORAGE_KEY;
import static dev.redwood.runner.config.ConfigFixture.TENANT;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Redwood's structured form of both files, and the configuration without a credentials file. */
class StructuredFormTest {
  @TempDir Path tempDir;
  private ConfigFixture fx;

  @BeforeEach
  void setUp() {
    fx = new ConfigFixture(tempDir);
  }

  private static final String TWO_ACCOUNTS =
      """
      {
        "accounts": [
          {"url": "https://batchweu.westeurope.batch.azure.com", "batchAccountKey": "%s"},
          {"url": "https://batchscus.southcentralus.batch.azure.com",
           "tenantId": "%s", "clientId": "%s", "clientSecret": "%s"}
        ],
        "storage": {"accountName": "redwoodstore", "accountKey": "%s"}
      }
      """
          .formatted(BATCH_KEY, TENANT, CLIENT, AD_SECRET, STORAGE_KEY);

  @Test
  void poolsWithPerPoolSettingsInTwoAccounts() {
    AzureConfig config =
        fx.read(
            """
            {
              "_POOL_VM_SIZE": "Standard_D4s_v5",
              "_NODE_COUNT_PER_POOL": "2",
              "jobId": "rtm",
              "blobContainer": "rtm-data",
              "taskRetries": 2,
              "taskEnvironment": {"JAVA_TOOL_OPTIONS": "-Xss4m"},
              "poolDefaults": {"taskSlotsPerNode": 2},
              "pools": [
                {"id": "weu-dedicated", "account": "batchweu"},
                {"id": "scus-spot", "region": "southcentralus", "vmSize": "Standard_E8s_v5",
                 "dedicatedNodes": 0, "spotNodes": 16, "taskSlotsPerNode": 8,
                 "autoscaleFormula": "$TargetLowPriorityNodes = 16;",
                 "containerImage": "myregistry.azurecr.io/redwood-worker:1.0",
                 "image": {"publisher": "microsoft-dsvm", "offer": "ubuntu-hpc", "sku": "2404"},
                 "interNodeCommunication": true}
              ]
            }
            """,
            TWO_ACCOUNTS);

    assertThat(config.jobIdPrefix(), is("rtm"));
    assertThat(config.blobContainer(), is("rtm-data"));
    assertThat(config.taskRetries(), is(2));
    assertThat(config.taskEnvironment(), is(Map.of("JAVA_TOOL_OPTIONS", "-Xss4m")));

    PoolConfig weu = config.pools().get(0);
    assertThat(
        weu,
        is(
            new PoolConfig(
                "weu-dedicated",
                "batchweu",
                "Standard_D4s_v5",
                2,
                0,
                2,
                null,
                PoolConfig.DEFAULT_IMAGE,
                null,
                false,
                null)));
    PoolConfig scus = config.pools().get(1);
    assertThat(
        scus,
        is(
            new PoolConfig(
                "scus-spot",
                "batchscus",
                "Standard_E8s_v5",
                0,
                16,
                8,
                "$TargetLowPriorityNodes = 16;",
                new NodeImage("microsoft-dsvm", "ubuntu-hpc", "2404", "batch.node.ubuntu 24.04"),
                "myregistry.azurecr.io/redwood-worker:1.0",
                true,
                null)));
    assertThat(scus.targetSlots(), is(128));

    assertThat(
        config.account("batchweu").auth(),
        is(new BatchAuth.BatchSharedKey("batchweu", new Secret(BATCH_KEY))));
    assertThat(
        config.account("batchscus").auth(),
        is(
            new BatchAuth.ServicePrincipal(
                TENANT, CLIENT, new Secret(AD_SECRET), "https://batch.core.windows.net/")));
    assertThat(config.account("batchscus").region(), is("southcentralus"));
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
  void poolDefaultsApplyToPoolsMadeFromPoolCount() {
    AzureConfig config =
        fx.read(
            """
            {"_POOL_ID": "rw", "_POOL_COUNT": "2",
             "poolDefaults": {"spotNodes": 4, "taskSlotsPerNode": 4,
                              "image": {"nodeAgentSku": "batch.node.ubuntu 22.04"}}}
            """,
            ONE_ACCOUNT);
    assertThat(
        config.pools().stream()
            .map(
                p ->
                    p.poolId()
                        + ":"
                        + p.dedicatedNodes()
                        + "+"
                        + p.spotNodes()
                        + "x"
                        + p.taskSlotsPerNode())
            .toList(),
        contains("rw_1:1+4x4", "rw_2:1+4x4"));
  }

  @Test
  void nodeAgentSkuCanBeGivenForAnImageRedwoodDoesNotKnow() {
    AzureConfig config =
        fx.read(
            """
            {"_NODE_OS_PUBLISHER": "contoso", "_NODE_OS_OFFER": "hardened-base",
             "_NODE_OS_SKU": "2025-gen2",
             "poolDefaults": {"image": {"nodeAgentSku": "batch.node.ubuntu 22.04"}}}
            """,
            ONE_ACCOUNT);
    assertThat(
        config.pools().get(0).image(),
        is(new NodeImage("contoso", "hardened-base", "2025-gen2", "batch.node.ubuntu 22.04")));
  }

  @Test
  void explicitDefaultAuthAndConnectionStringStorage() {
    AzureConfig config =
        fx.read(
            "{\"pools\": [{\"id\": \"p1\"}]}",
            """
            {
              "accounts": [{"name": "batch1", "url": "http://127.0.0.1:8443", "auth": "default"}],
              "storage": {"connectionString": "UseDevelopmentStorage=true"}
            }
            """);
    BatchAccount account = config.accounts().get(0);
    assertThat(account.name(), is("batch1"));
    assertThat(account.accountUrl(), is("http://127.0.0.1:8443"));
    assertThat(account.region(), is(nullValue()));
    assertThat(account.auth(), instanceOf(BatchAuth.BatchDefaultCredential.class));
    assertThat(config.pools().get(0).account(), is("batch1"));
    assertThat(config.storage().accountName(), is("devstoreaccount1"));
    assertThat(config.storage().blobEndpoint(), is("http://127.0.0.1:10000/devstoreaccount1"));
    assertThat(
        config.storage().auth(),
        is(new StorageAuth.ConnectionString(new Secret("UseDevelopmentStorage=true"))));
  }

  @Test
  void withoutCredentialsFileAccountsComeFromParametersAndStorageFromTheEnvironment() {
    String connection =
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey="
            + STORAGE_KEY
            + ";BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;";
    fx.environment.put(AzureConfigReader.STORAGE_CONNECTION_STRING_ENV, connection);
    AzureConfig config =
        fx.read(
            """
            {"_POOL_COUNT": "2",
             "accounts": [{"url": "https://batchweu.westeurope.batch.azure.com"},
                          {"url": "https://batchneu.northeurope.batch.azure.com"}]}
            """,
            null);
    assertThat(
        config.pools().stream().map(p -> p.poolId() + ">" + p.account()).toList(),
        contains("redwood_1>batchweu", "redwood_2>batchneu"));
    assertThat(config.accounts().get(1).region(), is("northeurope"));
    assertThat(config.accounts().get(0).auth(), instanceOf(BatchAuth.BatchDefaultCredential.class));
    assertThat(
        config.storage(),
        is(
            new StorageAccount(
                "devstoreaccount1",
                "http://127.0.0.1:10000/devstoreaccount1",
                new StorageAuth.ConnectionString(new Secret(connection)))));
  }

  @Test
  void withoutCredentialsFileStorageCanBeNamedForDefaultCredential() {
    AzureConfig config =
        fx.read(
            """
            {"accounts": [{"url": "https://batchweu.westeurope.batch.azure.com"}],
             "storage": {"accountName": "redwoodstore"}}
            """,
            null);
    assertThat(
        config.storage(),
        is(
            new StorageAccount(
                "redwoodstore",
                "https://redwoodstore.blob.core.windows.net",
                new StorageAuth.StorageDefaultCredential())));
  }

  @Test
  void credentialsFileWithOnlyStorageUsesAccountsOfTheParametersFile() {
    AzureConfig config =
        fx.read(
            """
            {"accounts": [{"url": "https://batchweu.westeurope.batch.azure.com"}]}
            """,
            """
            {"storage": {"accountName": "redwoodstore", "auth": "accountKey",
                         "accountKey": "%s"}}
            """
                .formatted(STORAGE_KEY));
    assertThat(config.accounts().get(0).auth(), instanceOf(BatchAuth.BatchDefaultCredential.class));
    assertThat(config.storage().auth(), is(new StorageAuth.AccountKey(new Secret(STORAGE_KEY))));
  }
}

package dev.redwood.runner.config;

import static dev.redwood.runner.config.ConfigFixture.ONE_ACCOUNT;
import static dev.redwood.runner.config.ConfigFixture.clusterlessCredentials;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each kind of bad configuration fails with a message that names the file and the key. */
class ValidationErrorsTest {
  @TempDir Path tempDir;
  private ConfigFixture fx;

  @BeforeEach
  void setUp() {
    fx = new ConfigFixture(tempDir);
  }

  /** Reads the files and checks the error: its file, its key and a part of its message. */
  private AzureConfigException assertFails(
      String parameters, String credentials, String file, String key, String problem) {
    AzureConfigException e = fx.fails(parameters, credentials);
    assertThat(e.file(), endsWith(file));
    assertThat(e.key(), is(key));
    assertThat(e.getMessage(), startsWith(e.file() + ": " + (key == null ? "" : key + " ")));
    assertThat(e.getMessage(), containsString(problem));
    return e;
  }

  // ---- bad values

  @Test
  void badNumberNamesFileKeyAndValue() {
    AzureConfigException e =
        assertFails(
            "{\"_NODE_COUNT_PER_POOL\": \"four\"}",
            ONE_ACCOUNT,
            "parameters.json",
            "_NODE_COUNT_PER_POOL",
            "must be a whole number >= 0, got \"four\"");
    assertThat(
        e.getMessage(),
        is(
            tempDir.resolve("parameters.json")
                + ": _NODE_COUNT_PER_POOL must be a whole number >= 0, got \"four\""));
    assertFails(
        "{\"_POOL_COUNT\": \"0\"}",
        ONE_ACCOUNT,
        "parameters.json",
        "_POOL_COUNT",
        "must be a whole number >= 1, got \"0\"");
    assertFails(
        "{\"_NUM_RETRYS\": \"-1\"}", ONE_ACCOUNT, "parameters.json", "_NUM_RETRYS", "got \"-1\"");
    assertFails(
        "{\"_OMP_NUM_THREADS\": 2.5}",
        ONE_ACCOUNT,
        "parameters.json",
        "_OMP_NUM_THREADS",
        "must be a whole number >= 1, got 2.5");
    assertFails(
        "{\"_INTER_NODE_CONNECTION\": \"yes\"}",
        ONE_ACCOUNT,
        "parameters.json",
        "_INTER_NODE_CONNECTION",
        "must be \"0\" or \"1\", got \"yes\"");
  }

  @Test
  void wrongTypes() {
    assertFails(
        "{\"_POOL_ID\": 5}", ONE_ACCOUNT, "parameters.json", "_POOL_ID", "must be a string, got 5");
    assertFails(
        "{\"pools\": {\"id\": \"p\"}}",
        ONE_ACCOUNT,
        "parameters.json",
        "pools",
        "must be a JSON array of objects");
    assertFails(
        "{\"pools\": [{\"id\": \"p\", \"dedicatedNodes\": \"4\"}]}",
        ONE_ACCOUNT,
        "parameters.json",
        "pools[0].dedicatedNodes",
        "must be a whole number >= 0, got \"4\" (write the number without quotes)");
    assertFails(
        "{\"pools\": [{\"id\": \"p\", \"taskSlotsPerNode\": 0}]}",
        ONE_ACCOUNT,
        "parameters.json",
        "pools[0].taskSlotsPerNode",
        "must be a whole number from 1 to 256");
    assertFails(
        "{\"pools\": [{\"id\": \"p\", \"interNodeCommunication\": \"1\"}]}",
        ONE_ACCOUNT,
        "parameters.json",
        "pools[0].interNodeCommunication",
        "must be true or false");
    assertFails(
        "{\"taskEnvironment\": {\"N\": 4}}",
        ONE_ACCOUNT,
        "parameters.json",
        "taskEnvironment.N",
        "must be a string, got 4");
    assertFails("[]", ONE_ACCOUNT, "parameters.json", null, "must be a JSON object");
    assertFails("{}", "\"text\"", "credentials.json", null, "must be a JSON object");
  }

  // ---- unknown and misplaced keys

  @Test
  void unknownKeysWithDidYouMean() {
    assertFails(
        "{\"_NUM_RETRIES\": \"2\"}",
        ONE_ACCOUNT,
        "parameters.json",
        "_NUM_RETRIES",
        "is not a known key (did you mean \"_NUM_RETRYS\"?)");
    assertFails(
        "{\"pools\": [{\"id\": \"p\", \"vmsize\": \"Standard_D2s_v5\"}]}",
        ONE_ACCOUNT,
        "parameters.json",
        "pools[0].vmsize",
        "(did you mean \"vmSize\"?)");
    assertFails(
        "{\"colour\": \"red\"}", ONE_ACCOUNT, "parameters.json", "colour", "is not a known key");
    assertFails(
        "{}",
        ONE_ACCOUNT.replace("_AD_TENANT", "_AD_TENNANT"),
        "credentials.json",
        "_AD_TENNANT",
        "(did you mean \"_AD_TENANT\"?)");
    assertFails(
        "{}",
        "{\"accounts\": [{\"url\": \"https://batchx.westus.batch.azure.com\", \"batchKey\":"
            + " \"x\"}]}",
        "credentials.json",
        "accounts[0].batchKey",
        "is not a known key");
  }

  @Test
  void keysInTheWrongFileSayWhereTheyBelong() {
    assertFails(
        "{\"_STORAGE_ACCOUNT_KEY\": \"abc\"}",
        ONE_ACCOUNT,
        "parameters.json",
        "_STORAGE_ACCOUNT_KEY",
        "put it in the credentials file");
    assertFails(
        "{}",
        ONE_ACCOUNT.replace("\"_REGION\"", "\"_POOL_COUNT\": \"2\", \"_REGION\""),
        "credentials.json",
        "_POOL_COUNT",
        "put it in the parameters file");
    assertFails(
        "{\"accounts\": [{\"url\": \"https://batchx.westus.batch.azure.com\", \"batchAccountKey\":"
            + " \"a2V5\"}]}",
        null,
        "parameters.json",
        "accounts[0].batchAccountKey",
        "put it in the credentials file");
    assertFails(
        "{\"pools\": [{\"id\": \"p\", \"_POOL_VM_SIZE\": \"Standard_D2s_v5\"}]}",
        ONE_ACCOUNT,
        "parameters.json",
        "pools[0]._POOL_VM_SIZE",
        "write \"vmSize\"");
    assertFails(
        "{\"vmSize\": \"Standard_D2s_v5\"}",
        ONE_ACCOUNT,
        "parameters.json",
        "vmSize",
        "is a pool setting");
  }

  @Test
  void settingsGivenTwiceAreAnError() {
    assertFails(
        "{\"_JOB_ID\": \"a\", \"jobId\": \"b\"}",
        ONE_ACCOUNT,
        "parameters.json",
        "jobId",
        "is also given as _JOB_ID");
    assertFails(
        "{\"_POOL_COUNT\": \"2\", \"pools\": [{\"id\": \"p\"}]}",
        ONE_ACCOUNT,
        "parameters.json",
        "_POOL_COUNT",
        "cannot be combined with \"pools\"");
    assertFails(
        "{\"_POOL_VM_SIZE\": \"Standard_D2s_v5\", \"poolDefaults\": {\"vmSize\":"
            + " \"Standard_D4s_v5\"}}",
        ONE_ACCOUNT,
        "parameters.json",
        "poolDefaults.vmSize",
        "is also given as _POOL_VM_SIZE");
    assertFails(
        "{\"_OMP_NUM_THREADS\": \"2\", \"taskEnvironment\": {\"OMP_NUM_THREADS\": \"4\"}}",
        ONE_ACCOUNT,
        "parameters.json",
        "taskEnvironment.OMP_NUM_THREADS",
        "give the setting once");
    assertFails(
        "{\"storage\": {\"accountName\": \"other\"}}",
        ONE_ACCOUNT,
        "parameters.json",
        "storage",
        "is also given in");
  }

  // ---- missing keys

  @Test
  void missingRequiredKeys() {
    assertFails(
        "{\"pools\": [{\"vmSize\": \"Standard_D2s_v5\"}]}",
        ONE_ACCOUNT,
        "parameters.json",
        "pools[0].id",
        "is missing");
    assertFails(
        "{}",
        ONE_ACCOUNT.replaceFirst("\"_AD_SECRET_BATCH\": \"[^\"]*\",", ""),
        "credentials.json",
        "_AD_SECRET_BATCH",
        "is missing: a service principal needs");
    assertFails(
        "{}",
        ONE_ACCOUNT.replaceFirst("\"_BATCH_ACCOUNT_URL\": \"[^\"]*\",", ""),
        "credentials.json",
        "_BATCH_ACCOUNT_URL",
        "is missing");
    assertFails(
        "{\"_NODE_OS_PUBLISHER\": \"canonical\"}",
        ONE_ACCOUNT,
        "parameters.json",
        "_NODE_OS_OFFER",
        "is missing: give _NODE_OS_PUBLISHER, _NODE_OS_OFFER, _NODE_OS_SKU");
    assertFails(
        "{\"pools\": [{\"id\": \"p\", \"image\": {\"publisher\": \"canonical\"}}]}",
        ONE_ACCOUNT,
        "parameters.json",
        "pools[0].image.offer",
        "is missing");
    assertFails("{}", null, "parameters.json", "accounts", "no Batch account is configured");
    assertFails(
        "{\"accounts\": [{\"url\": \"https://batchx.westus.batch.azure.com\"}]}",
        null,
        "parameters.json",
        "storage",
        "AZURE_STORAGE_CONNECTION_STRING");
    assertFails(
        "{}",
        "{\"accounts\": [{\"url\": \"http://127.0.0.1:8443\"}]}",
        "credentials.json",
        "accounts[0].name",
        "does not contain the account's name");
  }

  // ---- pools

  @Test
  void duplicatePoolIdsAreAnErrorIgnoringCase() {
    assertFails(
        "{\"pools\": [{\"id\": \"Pool-A\"}, {\"id\": \"pool-a\"}]}",
        ONE_ACCOUNT,
        "parameters.json",
        "pools[1].id",
        "repeats the pool id \"pool-a\" of pools[0]");
  }

  @Test
  void poolNamingAnUnknownAccount() {
    String two =
        "["
            + clusterlessCredentials("batchweu", "westeurope", "storeweu")
            + ","
            + clusterlessCredentials("batchscus", "southcentralus", "storescus")
            + "]";
    assertFails(
        "{\"pools\": [{\"id\": \"p\", \"account\": \"batchwue\"}]}",
        two,
        "parameters.json",
        "pools[0].account",
        "names the Batch account \"batchwue\", which is not configured (did you mean"
            + " \"batchweu\"?)");
    assertFails(
        "{\"pools\": [{\"id\": \"p\"}]}",
        two,
        "parameters.json",
        "pools[0].account",
        "is missing: with several Batch accounts");
    assertFails(
        "{\"pools\": [{\"id\": \"p\", \"region\": \"eastus\"}]}",
        two,
        "parameters.json",
        "pools[0].region",
        "where no configured Batch account is");
    assertFails(
        "{\"pools\": [{\"id\": \"p\", \"account\": \"batchweu\", \"region\": \"eastus\"}]}",
        two,
        "parameters.json",
        "pools[0].region",
        "but the account \"batchweu\" is in \"westeurope\"");
  }

  @Test
  void imageWhoseNodeAgentCannotBeDerived() {
    assertFails(
        "{\"_NODE_OS_PUBLISHER\": \"someone\", \"_NODE_OS_OFFER\": \"custom\","
            + " \"_NODE_OS_SKU\": \"1\"}",
        ONE_ACCOUNT,
        "parameters.json",
        "_NODE_OS_PUBLISHER/_NODE_OS_OFFER/_NODE_OS_SKU",
        "\"nodeAgentSku\"");
    assertFails(
        "{\"poolDefaults\": {\"image\": {\"nodeAgentSku\": \"ubuntu 22.04\"}}}",
        ONE_ACCOUNT,
        "parameters.json",
        "poolDefaults.image.nodeAgentSku",
        "must be a Batch node agent SKU");
  }

  @Test
  void imageWithoutAptAndNoContainerImage() {
    AzureConfigException e =
        assertFails(
            "{\"pools\": [{\"id\": \"rhel\", \"image\": {\"publisher\": \"RedHat\","
                + " \"offer\": \"RHEL\", \"sku\": \"9-lvm-gen2\"}}]}",
            ONE_ACCOUNT,
            "parameters.json",
            "pools[0].image",
            "is an image without apt-get (node agent \"batch.node.el 9\"), so the start task"
                + " cannot install Java on the nodes of pool \"rhel\"");
    assertThat(e.getMessage(), containsString("22_04-lts"));
    assertFails(
        "{\"_NODE_OS_PUBLISHER\": \"almalinux\", \"_NODE_OS_OFFER\": \"almalinux-x86_64\","
            + " \"_NODE_OS_SKU\": \"9-gen2\"}",
        ONE_ACCOUNT,
        "parameters.json",
        "_NODE_OS_PUBLISHER/_NODE_OS_OFFER/_NODE_OS_SKU",
        "without apt-get");
    assertFails(
        "{\"poolDefaults\": {\"image\": {\"nodeAgentSku\": \"batch.node.azurelinux 3.0\"}}}",
        ONE_ACCOUNT,
        "parameters.json",
        "poolDefaults.image",
        "without apt-get");
    // Container pools too: the job preparation fetches the classpath with the host's Java.
    assertFails(
        "{\"_CONTAINER\": \"redwood-worker:1.0\", \"pools\": [{\"id\": \"rhel\", \"image\":"
            + " {\"nodeAgentSku\": \"batch.node.el 9\"}}]}",
        ONE_ACCOUNT,
        "parameters.json",
        "pools[0].image",
        "without apt-get");
  }

  // ---- names Azure would reject

  @Test
  void namesAzureWouldReject() {
    assertFails(
        "{\"pools\": [{\"id\": \"my pool\"}]}",
        ONE_ACCOUNT,
        "parameters.json",
        "pools[0].id",
        "must be a Batch id: 1-64 letters, digits, hyphens or underscores, got \"my pool\"");
    assertFails(
        "{\"_JOB_ID\": \"" + "j".repeat(65) + "\"}",
        ONE_ACCOUNT,
        "parameters.json",
        "_JOB_ID",
        "(65 characters)");
    assertFails(
        "{\"_POOL_ID\": \"" + "p".repeat(62) + "\", \"_POOL_COUNT\": \"10\"}",
        ONE_ACCOUNT,
        "parameters.json",
        "_POOL_ID",
        "must be at most 64 characters");
    assertFails(
        "{\"blobContainer\": \"Redwood_Data\"}",
        ONE_ACCOUNT,
        "parameters.json",
        "blobContainer",
        "must be a blob container name: 3-63 lowercase letters");
    assertFails(
        "{\"_BLOB_CONTAINER\": \"ab\"}",
        ONE_ACCOUNT,
        "parameters.json",
        "_BLOB_CONTAINER",
        "got \"ab\"");
    assertFails(
        "{\"blobContainer\": \"red--wood\"}",
        ONE_ACCOUNT,
        "parameters.json",
        "blobContainer",
        "single hyphens");
    assertFails(
        "{\"_POOL_VM_SIZE\": \"Standard E2s\"}",
        ONE_ACCOUNT,
        "parameters.json",
        "_POOL_VM_SIZE",
        "must be an Azure VM size");
    assertFails(
        "{\"_CONTAINER\": \"My Image\"}",
        ONE_ACCOUNT,
        "parameters.json",
        "_CONTAINER",
        "must be a container image reference");
    assertFails(
        "{\"taskEnvironment\": {\"AZ_BATCH_NODE_ID\": \"x\"}}",
        ONE_ACCOUNT,
        "parameters.json",
        "taskEnvironment.AZ_BATCH_NODE_ID",
        "is reserved");
    assertFails(
        "{}",
        ONE_ACCOUNT.replace("redwoodstore", "Redwood_Store"),
        "credentials.json",
        "_STORAGE_ACCOUNT_NAME",
        "must be an account name: 3-24 lowercase letters and digits");
    assertFails(
        "{}",
        ONE_ACCOUNT.replace(ConfigFixture.CLIENT, "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"),
        "credentials.json",
        "_AD_BATCH_CLIENT_ID",
        "(still the template's placeholder?)");
  }

  @Test
  void malformedAccountUrls() {
    String url = "https://redwoodbatch.westeurope.batch.azure.com";
    assertFails(
        "{}",
        ONE_ACCOUNT.replace(url, "redwoodbatch.westeurope.batch.azure.com"),
        "credentials.json",
        "_BATCH_ACCOUNT_URL",
        "(the https:// is missing)");
    assertFails(
        "{}",
        ONE_ACCOUNT.replace(url, "http://redwoodbatch.westeurope.batch.azure.com"),
        "credentials.json",
        "_BATCH_ACCOUNT_URL",
        "must use https");
    assertFails(
        "{}",
        ONE_ACCOUNT.replace(url, url + "/pools"),
        "credentials.json",
        "_BATCH_ACCOUNT_URL",
        "without a path");
    assertFails(
        "{}",
        ONE_ACCOUNT.replace(url, "ftp://redwoodbatch.westeurope.batch.azure.com"),
        "credentials.json",
        "_BATCH_ACCOUNT_URL",
        "must be an https:// URL");
    assertFails(
        "{}",
        ONE_ACCOUNT.replace(url, "https://"),
        "credentials.json",
        "_BATCH_ACCOUNT_URL",
        "must be a URL");
    assertFails(
        "{\"accounts\": [{\"url\": \"https://Bad_Name.westus.batch.azure.com\"}]}",
        null,
        "parameters.json",
        "accounts[0].url",
        "must be a URL");
    assertFails(
        "{}",
        "{\"accounts\": [{\"name\": \"other\", \"url\": \"" + url + "\"}]}",
        "credentials.json",
        "accounts[0].name",
        "but url is the account \"redwoodbatch\"");
  }

  @Test
  void badStorageConnectionStringInTheEnvironment() {
    fx.environment.put(AzureConfigReader.STORAGE_CONNECTION_STRING_ENV, "AccountName=x");
    assertFails(
        "{\"accounts\": [{\"url\": \"https://batchx.westus.batch.azure.com\"}]}",
        null,
        "environment",
        "AZURE_STORAGE_CONNECTION_STRING",
        "without a credential");
  }

  @Test
  void unknownAuthKind() {
    assertFails(
        "{}",
        "{\"accounts\": [{\"url\": \"https://batchx.westus.batch.azure.com\", \"auth\":"
            + " \"defualt\"}]}",
        "credentials.json",
        "accounts[0].auth",
        "(did you mean \"default\"?)");
    assertFails(
        "{}",
        "{\"accounts\": [{\"url\": \"https://batchx.westus.batch.azure.com\", \"auth\":"
            + " \"default\", \"batchAccountKey\": \"a2V5\"}]}",
        "credentials.json",
        "accounts[0].batchAccountKey",
        "is given but \"auth\" is \"default\"");
  }

  // ---- files

  @Test
  void missingFile() {
    AzureConfigException e =
        assertThrows(AzureConfigException.class, () -> fx.read(tempDir.resolve("nope.json"), null));
    assertThat(e.getMessage(), startsWith(tempDir.resolve("nope.json") + ": no such file"));
    assertThat(e.key(), is(nullValue()));

    Path parameters = fx.write("parameters.json", "{}");
    e =
        assertThrows(
            AzureConfigException.class,
            () -> fx.read(parameters, tempDir.resolve("credentials.json")));
    assertThat(e.file(), endsWith("credentials.json"));
    assertThat(e.getMessage(), containsString("no such file"));
  }

  @Test
  void directoryAndEmptyFile() {
    AzureConfigException e = assertThrows(AzureConfigException.class, () -> fx.read(tempDir, null));
    assertThat(e.getMessage(), is(tempDir + ": is a directory, not a JSON file"));
    assertFails("", ONE_ACCOUNT, "parameters.json", null, "is empty");
    assertFails("  \n", ONE_ACCOUNT, "parameters.json", null, "is empty");
  }

  @Test
  void unreadableFile() throws Exception {
    assumeFalse("root".equals(System.getProperty("user.name")), "root reads any file");
    Path parameters = fx.write("parameters.json", "{}");
    Files.setPosixFilePermissions(parameters, PosixFilePermissions.fromString("-w-------"));
    AzureConfigException e =
        assertThrows(AzureConfigException.class, () -> fx.read(parameters, null));
    assertThat(e.getMessage(), is(parameters + ": cannot be read: permission denied"));
  }

  @Test
  void invalidJsonNamesLineAndColumn() {
    assertFails(
        "{\n  \"_POOL_ID\": \"redwood\"\n  \"_POOL_COUNT\": \"2\"\n}",
        ONE_ACCOUNT,
        "parameters.json",
        null,
        "is not valid JSON at line 3, column 3: Unexpected character");
    assertFails(
        "{\n  \"_POOL_ID\": \"redwood\",\n",
        ONE_ACCOUNT,
        "parameters.json",
        null,
        "is not valid JSON at line 3");
    assertFails(
        "{\"_POOL_ID\": \"a\"} {\"_POOL_ID\": \"b\"}",
        ONE_ACCOUNT,
        "parameters.json",
        null,
        "is not valid JSON at line 1");
    assertFails(
        "{}",
        "{\n \"_REGION\": \"westeurope\",\n \"_REGION\": \"northeurope\"\n}",
        "credentials.json",
        null,
        "has a key twice at line 3, column 11: Duplicate field '_REGION'");
  }

  @Test
  void didYouMeanOnlySuggestsCloseNames() {
    assertThat(
        DidYouMean.closest("_NODE_COUNT", java.util.List.of("_POOL_COUNT", "_NODE_COUNT_PER_POOL")),
        is(java.util.Optional.of("_NODE_COUNT_PER_POOL")));
    assertThat(DidYouMean.closest("colour", PoolConfig.KEYS), is(java.util.Optional.empty()));
    assertThat(
        DidYouMean.closest("tasksSlotsPerNode", PoolConfig.KEYS),
        is(java.util.Optional.of("taskSlotsPerNode")));
    assertThat(DidYouMean.distance("ab", "ba"), is(1));
    assertThat(
        DidYouMean.closest("_AD_SECRET", ClusterlessHpcKeys.CREDENTIALS),
        is(java.util.Optional.of("_AD_SECRET_BATCH")));
  }
}

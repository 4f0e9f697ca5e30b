package dev.redwood.runner.config;

import static dev.redwood.runner.config.ConfigFixture.AD_SECRET;
import static dev.redwood.runner.config.ConfigFixture.BATCH_KEY;
import static dev.redwood.runner.config.ConfigFixture.CLIENT;
import static dev.redwood.runner.config.ConfigFixture.ONE_ACCOUNT;
import static dev.redwood.runner.config.ConfigFixture.STORAGE_KEY;
import static dev.redwood.runner.config.ConfigFixture.TENANT;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** No secret value reaches an exception message, a warning, a log line or a toString. */
class SecretsNeverShownTest {
  @TempDir Path tempDir;
  private ConfigFixture fx;

  @BeforeEach
  void setUp() {
    fx = new ConfigFixture(tempDir);
  }

  private static void assertShowsNone(String text, String... secrets) {
    for (String secret : secrets) {
      assertThat(text, not(containsString(secret)));
    }
  }

  @Test
  void secretPrintsStars() {
    assertThat(new Secret("hunter2").toString(), is("****"));
  }

  @Test
  void configToStringShowsNoSecret() {
    AzureConfig flat = fx.read("{}", ONE_ACCOUNT);
    assertShowsNone(flat.toString(), AD_SECRET, STORAGE_KEY);
    assertThat(flat.toString(), containsString("****"));
    assertThat(flat.toString(), containsString(TENANT)); // ids are not secrets

    String connection = "AccountName=redwoodstore;AccountKey=" + STORAGE_KEY;
    AzureConfig structured =
        fx.read(
            "{}",
            """
            {"accounts": [{"url": "https://batchweu.westeurope.batch.azure.com",
                           "batchAccountKey": "%s"}],
             "storage": {"connectionString": "%s"}}
            """
                .formatted(BATCH_KEY, connection));
    assertShowsNone(structured.toString(), BATCH_KEY, STORAGE_KEY, connection);
  }

  @Test
  void errorsAboutASecretKeysValueDoNotShowIt() {
    String notBase64 = "not*base64*Secret~Value";
    AzureConfigException e = fx.fails("{}", ONE_ACCOUNT.replace(STORAGE_KEY, notBase64));
    assertThat(e.key(), is("_STORAGE_ACCOUNT_KEY"));
    assertThat(e.getMessage(), containsString("the value is not shown"));
    assertShowsNone(e.getMessage(), notBase64, "Secret~Value");

    e = fx.fails("{}", ONE_ACCOUNT.replace("\"" + AD_SECRET + "\"", "987654321"));
    assertThat(e.key(), is("_AD_SECRET_BATCH"));
    assertThat(e.getMessage(), containsString("must be a string, got a number (value not shown)"));
    assertShowsNone(e.getMessage(), "987654321");

    e =
        fx.fails(
            "{}",
            """
            {"accounts": [{"url": "https://batchweu.westeurope.batch.azure.com",
                           "batchAccountKey": "%s", "clientSecret": "%s"}]}
            """
                .formatted(BATCH_KEY, AD_SECRET));
    assertShowsNone(e.getMessage(), BATCH_KEY, AD_SECRET);

    e =
        fx.fails(
            "{}",
            """
            {"storage": {"connectionString": "AccountName=redwoodstore;Password=%s"}}
            """
                .formatted(AD_SECRET));
    assertThat(e.key(), is("storage.connectionString"));
    assertShowsNone(e.getMessage(), AD_SECRET);

    e =
        fx.fails(
            "{}",
            """
            {"storage": {"connectionString": "%s"}}
            """
                .formatted(AD_SECRET));
    assertShowsNone(e.getMessage(), AD_SECRET);
  }

  @Test
  void aSecretPastedUnderTheWrongKeyOfTheCredentialsFileIsNotShown() {
    AzureConfigException e =
        fx.fails("{}", ONE_ACCOUNT.replace("\"redwoodstore\"", "\"" + STORAGE_KEY + "\""));
    assertThat(e.key(), is("_STORAGE_ACCOUNT_NAME"));
    assertThat(e.getMessage(), containsString("must be an account name"));
    assertShowsNone(e.getMessage(), STORAGE_KEY);

    e =
        fx.fails(
            "{}",
            ONE_ACCOUNT.replace("https://redwoodbatch.westeurope.batch.azure.com", AD_SECRET));
    assertThat(e.key(), is("_BATCH_ACCOUNT_URL"));
    assertShowsNone(e.getMessage(), AD_SECRET);

    e = fx.fails("{}", ONE_ACCOUNT.replace(CLIENT, AD_SECRET));
    assertThat(e.key(), is("_AD_BATCH_CLIENT_ID"));
    assertShowsNone(e.getMessage(), AD_SECRET);

    e = fx.fails("{}", ONE_ACCOUNT.replace("\"" + TENANT + "\"", "[\"" + AD_SECRET + "\"]"));
    assertThat(e.key(), is("_AD_TENANT"));
    assertThat(e.getMessage(), containsString("must be a string, got an array"));
  }

  @Test
  void errorsInTheEnvironmentsConnectionStringDoNotShowIt() {
    String connection = "AccountKey=" + STORAGE_KEY + ";BlobEndpoint=ftp://example.org";
    fx.environment.put(AzureConfigReader.STORAGE_CONNECTION_STRING_ENV, connection);
    AzureConfigException e =
        fx.fails(
            "{\"accounts\": [{\"url\": \"https://batchweu.westeurope.batch.azure.com\"}]}", null);
    assertThat(e.key(), is(AzureConfigReader.STORAGE_CONNECTION_STRING_ENV));
    assertShowsNone(e.getMessage(), STORAGE_KEY);
  }

  @Test
  void sasTokenInAnEndpointIsNotEchoed() {
    AzureConfigException e =
        fx.fails(
            "{\"accounts\": [{\"url\": \"https://batchweu.westeurope.batch.azure.com\"}],"
                + " \"storage\": {\"blobEndpoint\":"
                + " \"https://redwoodstore.blob.core.windows.net/?sv=2022&sig=SECRETSIGNATURE\"}}",
            null);
    assertThat(e.key(), is("storage.blobEndpoint"));
    assertThat(e.getMessage(), containsString("must not have a query"));
    assertShowsNone(e.getMessage(), "SECRETSIGNATURE");
  }

  @Test
  void jsonSyntaxErrorInCredentialsDoesNotQuoteTheText() {
    // An unquoted key value: Jackson would quote the token it could not read.
    String broken = "{\n  \"_STORAGE_ACCOUNT_KEY\": abcSECRETdef\n}";
    AzureConfigException e = fx.fails("{}", broken);
    assertThat(e.getMessage(), containsString("is not valid JSON at line 2"));
    assertThat(e.getMessage(), containsString("not shown because this file holds secrets"));
    assertShowsNone(e.getMessage(), "abcSECRETdef", "SECRET");

    // The parameters file holds no secrets: there the token is quoted, which helps.
    AzureConfigException p = fx.fails("{\"_POOL_ID\": redwood}", ONE_ACCOUNT);
    assertThat(p.getMessage(), containsString("redwood"));
  }

  @Test
  void warningsShowNoSecret() {
    String credentials =
        ONE_ACCOUNT.replace(
            "\"_REGION\": \"westeurope\"",
            "\"_REGION\": \"northeurope\", \"_APP_INSIGHTS_INSTRUMENTATION_KEY\": \""
                + AD_SECRET
                + "-insights\"");
    fx.read(
        "{\"_NODE_OS_PUBLISHER\": \"Canonical\", \"_NODE_OS_OFFER\": \"UbuntuServer\","
            + " \"_NODE_OS_SKU\": \"18.04\", \"_PYTHONPATH\": \"/x\"}",
        credentials);
    assertThat(fx.warnings.size(), is(4)); // ignored keys x2, region mismatch, retired image
    for (String warning : fx.warnings) {
      assertShowsNone(warning, AD_SECRET, STORAGE_KEY, CLIENT + "x");
    }
  }

  @Test
  void logLinesShowNoSecret() {
    // The three-argument read logs its warnings and a summary through SLF4J (slf4j-simple in
    // tests, which writes to System.err).
    PrintStream saved = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      Path parameters = fx.write("parameters.json", "{\"_VERBOSE\": \"1\"}");
      String two =
          "["
              + ConfigFixture.clusterlessCredentials("batchweu", "westeurope", "storeweu")
              + ","
              + ConfigFixture.clusterlessCredentials("batchscus", "southcentralus", "storescus")
              + "]";
      Path credentials = fx.write("credentials.json", two);
      AzureConfigReader.read(parameters, credentials, java.util.Map.of());
    } finally {
      System.setErr(saved);
    }
    String log = captured.toString(StandardCharsets.UTF_8);
    assertThat(log, containsString("_VERBOSE"));
    assertThat(log, containsString("storescus"));
    for (String secret : List.of(AD_SECRET, STORAGE_KEY)) {
      assertThat(log, not(containsString(secret)));
    }
  }
}

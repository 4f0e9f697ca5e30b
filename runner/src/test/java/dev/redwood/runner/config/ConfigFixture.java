package dev.redwood.runner.config;

import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes parameters and credentials files into a test's temporary directory and reads them with
 * {@link AzureConfigReader}, collecting the warnings.
 */
final class ConfigFixture {
  /** Secret values the tests use; none may show up in a message, a warning or a toString. */
  static final String AD_SECRET = "Sup3r~AdSecret.Value_do-not-print";

  static final String STORAGE_KEY = "c3RvcmFnZS1rZXktdGhhdC1tdXN0LXN0YXktc2VjcmV0LTAxMjM0NTY3ODk=";
  static final String STORAGE_KEY_2 = "c2Vjb25kLXN0b3JhZ2Uta2V5LW5vdC10by1iZS1zaG93bg==";
  static final String BATCH_KEY = "YmF0Y2gtc2hhcmVkLWtleS1zZWNyZXQtdmFsdWUtOTg3NjU0MzIx";

  static final String TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
  static final String CLIENT = "0b3e2d1c-aaaa-bbbb-cccc-1234567890ab";

  final Path dir;
  final List<String> warnings = new ArrayList<>();
  final Map<String, String> environment = new HashMap<>();

  ConfigFixture(Path dir) {
    this.dir = dir;
  }

  /** Writes {@code text} to {@code name}; credentials files are made private (0600). */
  Path write(String name, String text) {
    try {
      Path file = dir.resolve(name);
      Files.writeString(file, text);
      if (name.contains("credentials")) {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
      }
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  AzureConfig read(Path parameters, Path credentials) {
    return AzureConfigReader.read(parameters, credentials, environment, warnings::add);
  }

  AzureConfig read(String parametersJson, String credentialsJson) {
    Path parameters = write("parameters.json", parametersJson);
    Path credentials = credentialsJson == null ? null : write("credentials.json", credentialsJson);
    return read(parameters, credentials);
  }

  AzureConfigException fails(String parametersJson, String credentialsJson) {
    return assertThrows(AzureConfigException.class, () -> read(parametersJson, credentialsJson));
  }

  /** AzureClusterlessHPC's credentials template, filled in, for one account in westeurope. */
  static String clusterlessCredentials(String batchAccount, String region, String storage) {
    return """
           {
             "_AD_TENANT": "%s",
             "_AD_BATCH_CLIENT_ID": "%s",
             "_AD_SECRET_BATCH": "%s",
             "_BATCH_ACCOUNT_URL": "https://%s.%s.batch.azure.com",
             "_BATCH_RESOURCE": "https://batch.core.windows.net/",
             "_STORAGE_ACCOUNT_NAME": "%s",
             "_STORAGE_ACCOUNT_KEY": "%s",
             "_REGION": "%s"
           }
           """
        .formatted(TENANT, CLIENT, AD_SECRET, batchAccount, region, storage, STORAGE_KEY, region);
  }

  static final String ONE_ACCOUNT =
      clusterlessCredentials("redwoodbatch", "westeurope", "redwoodstore");
}

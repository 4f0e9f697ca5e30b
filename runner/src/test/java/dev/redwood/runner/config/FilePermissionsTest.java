package dev.redwood.runner.config;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A credentials file that its group or other users can read gets a warning. */
class FilePermissionsTest {
  @TempDir Path tempDir;

  @Test
  void readableByOthersOrGroup() {
    assertThat(
        FilePermissions.readableByOthers(PosixFilePermissions.fromString("rw-------")), is(false));
    assertThat(
        FilePermissions.readableByOthers(PosixFilePermissions.fromString("rwx-w--w-")), is(false));
    assertThat(
        FilePermissions.readableByOthers(PosixFilePermissions.fromString("rw-r-----")), is(true));
    assertThat(
        FilePermissions.readableByOthers(PosixFilePermissions.fromString("rw----r--")), is(true));
  }

  @Test
  void warningNamesTheFileAndSuggestsChmod() throws Exception {
    Path file = Files.writeString(tempDir.resolve("credentials.json"), "{}");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    String warning = FilePermissions.warningFor(file, file.toString()).orElseThrow();
    assertThat(warning, containsString(file.toString()));
    assertThat(warning, containsString("readable by other users"));
    assertThat(warning, containsString("rw-r--r--"));
    assertThat(warning, containsString("chmod 600 " + file));

    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
    assertThat(
        FilePermissions.warningFor(file, "creds.json").orElseThrow(),
        containsString("readable by its group"));

    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    assertThat(FilePermissions.warningFor(file, file.toString()), is(Optional.empty()));
  }

  @Test
  void readerWarnsAboutAWorldReadableCredentialsFile() throws Exception {
    ConfigFixture fx = new ConfigFixture(tempDir);
    Path parameters = fx.write("parameters.json", "{}");
    Path credentials = fx.write("credentials.json", ConfigFixture.ONE_ACCOUNT);
    fx.read(parameters, credentials);
    assertThat(fx.warnings, is(empty()));

    Files.setPosixFilePermissions(credentials, PosixFilePermissions.fromString("rw-rw-r--"));
    fx.read(parameters, credentials);
    assertThat(fx.warnings, hasSize(1));
    assertThat(fx.warnings.get(0), containsString(credentials.toString()));
    assertThat(fx.warnings.get(0), containsString("chmod 600"));

    // The parameters file holds no secrets: it may be readable by all.
    fx.warnings.clear();
    Files.setPosixFilePermissions(parameters, PosixFilePermissions.fromString("rw-r--r--"));
    Files.setPosixFilePermissions(credentials, PosixFilePermissions.fromString("rw-------"));
    fx.read(parameters, credentials);
    assertThat(fx.warnings, is(empty()));
  }
}

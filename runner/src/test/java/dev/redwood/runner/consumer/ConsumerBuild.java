package dev.redwood.runner.consumer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A Maven project outside this reactor that uses Redwood's artifacts as a user's project would: the
 * artifacts are installed, with the poms they are published with, into a local repository of its
 * own (so nothing of this reactor's dependency management or ~/.m2 state leaks in), and the project
 * is built and run by a separate {@code mvn}. Everything else it needs comes through the build's
 * own local repository as a read-only remote (then Maven Central), so nothing is downloaded twice.
 *
 * <p>Integration tests (failsafe, after {@code package}) set the system properties it reads: {@code
 * redwood.mavenHome}, {@code redwood.localRepository}, {@code redwood.root}.
 */
public final class ConsumerBuild {
  private static final long TIMEOUT_MINUTES = 15;

  private final Path work;
  private final Path project;
  private final Path repository;
  private final Path settings;

  private ConsumerBuild(Path work, Path project) {
    this.work = work;
    this.project = project;
    this.repository = work.resolve("repository");
    this.settings = work.resolve("settings.xml");
  }

  /** A copy of {@code source} (a project directory) under {@code work}. */
  public static ConsumerBuild of(Path source, Path work) throws IOException {
    Path project = work.resolve("project");
    try (Stream<Path> files = Files.walk(source)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        Path relative = source.relativize(file);
        if (relative.startsWith("target")) {
          continue;
        }
        Path target = project.resolve(relative.toString());
        if (Files.isDirectory(file)) {
          Files.createDirectories(target);
        } else {
          Files.copy(file, target, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
    ConsumerBuild build = new ConsumerBuild(work, project);
    Files.createDirectories(build.repository);
    String cache = Path.of(property("redwood.localRepository")).toUri().toString();
    Files.writeString(
        build.settings,
        """
        <settings>
          <profiles>
            <profile>
              <id>build-cache</id>
              <repositories>
                <repository>
                  <id>build-cache</id>
                  <url>%1$s</url>
                  <snapshots><enabled>false</enabled></snapshots>
                </repository>
              </repositories>
              <pluginRepositories>
                <pluginRepository>
                  <id>build-cache</id>
                  <url>%1$s</url>
                  <snapshots><enabled>false</enabled></snapshots>
                </pluginRepository>
              </pluginRepositories>
            </profile>
          </profiles>
          <activeProfiles><activeProfile>build-cache</activeProfile></activeProfiles>
        </settings>
        """
            .formatted(cache),
        StandardCharsets.UTF_8);
    return build;
  }

  /**
   * A user's project that runs an example from its published artifact ({@code
   * runner/src/it/example-consumer}), with the runner and the example module installed.
   */
  public static ConsumerBuild ofExample(String module, Path work) throws IOException {
    return of(root().resolve("runner/src/it/example-consumer"), work)
        .install("runner", "redwood-runner")
        .install(module, "redwood-" + module);
  }

  /** Runs {@code mainClass} of the example module {@code module} with {@code args}. */
  public BuildResult runExample(String module, String mainClass, String args) throws IOException {
    return run(
        "-q",
        "exec:exec",
        "-Dexample.artifactId=redwood-" + module,
        "-Dexample.mainClass=" + mainClass,
        "-Dexample.args=" + args);
  }

  /** This checkout's root directory. */
  public static Path root() {
    return Path.of(property("redwood.root"));
  }

  /** The copied project's directory. */
  public Path project() {
    return project;
  }

  /**
   * Installs a module's artifact with its published pom ({@code target/published-pom.xml}), as
   * {@code mvn install} would, into this build's own repository.
   */
  public ConsumerBuild install(String module, String artifactId) throws IOException {
    Path target = root().resolve(module).resolve("target");
    String version = property("redwood.version");
    Path jar = target.resolve(artifactId + "-" + version + ".jar");
    Path pom = target.resolve("published-pom.xml");
    for (Path file : List.of(jar, pom)) {
      if (!Files.isRegularFile(file)) {
        throw new IllegalStateException(file + " is missing: package " + module + " first");
      }
    }
    BuildResult result =
        maven(
            work,
            "org.apache.maven.plugins:maven-install-plugin:3.1.2:install-file",
            "-Dfile=" + jar,
            "-DpomFile=" + pom);
    if (result.exitCode() != 0) {
      throw new IllegalStateException("Installing " + jar + " failed:\n" + result.output());
    }
    return this;
  }

  /** Runs {@code mvn} with {@code arguments} in the copied project. */
  public BuildResult run(String... arguments) throws IOException {
    return maven(project, arguments);
  }

  private BuildResult maven(Path directory, String... arguments) throws IOException {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(property("redwood.mavenHome"), "bin", "mvn").toString(),
                "-B",
                "-ntp",
                "-s",
                settings.toString(),
                "-Dmaven.repo.local=" + repository));
    command.addAll(Arrays.asList(arguments));
    Path log = Files.createTempFile(work, "mvn", ".log");
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(directory.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    // The consumer's own JVMs start without this build's flags or options.
    builder.environment().remove("MAVEN_OPTS");
    builder.environment().remove("JAVA_TOOL_OPTIONS");
    Process process = builder.start();
    try {
      if (!process.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        throw new IllegalStateException(
            "mvn "
                + String.join(" ", arguments)
                + " in "
                + directory
                + " did not finish within "
                + TIMEOUT_MINUTES
                + " minutes; its output:\n"
                + Files.readString(log, StandardCharsets.UTF_8));
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while running mvn in " + directory, e);
    }
    return new BuildResult(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
  }

  private static String property(String name) {
    String value = System.getProperty(name);
    if (value == null) {
      throw new IllegalStateException(
          "System property "
              + name
              + " is not set: run this test"
              + " through the module's failsafe configuration (mvn verify)");
    }
    return value;
  }

  /** What a {@code mvn} run returned and printed. */
  public record BuildResult(int exitCode, String output) {}
}

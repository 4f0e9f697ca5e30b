package dev.redwood.runner.portable;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.beam.fn.harness.FnHarness;
import org.apache.beam.model.fnexecution.v1.ProvisionApi;
import org.apache.beam.model.fnexecution.v1.ProvisionServiceGrpc;
import org.apache.beam.model.jobmanagement.v1.ArtifactApi;
import org.apache.beam.model.jobmanagement.v1.ArtifactRetrievalServiceGrpc;
import org.apache.beam.model.pipeline.v1.Endpoints;
import org.apache.beam.model.pipeline.v1.RunnerApi;
import org.apache.beam.sdk.fn.channel.ManagedChannelFactory;
import org.apache.beam.sdk.util.construction.BeamUrns;
import org.apache.beam.vendor.grpc.v1p69p0.com.google.protobuf.InvalidProtocolBufferException;
import org.apache.beam.vendor.grpc.v1p69p0.com.google.protobuf.TextFormat;
import org.apache.beam.vendor.grpc.v1p69p0.com.google.protobuf.util.JsonFormat;
import org.apache.beam.vendor.grpc.v1p69p0.io.grpc.ManagedChannel;
import org.apache.beam.vendor.grpc.v1p69p0.io.grpc.Metadata;
import org.apache.beam.vendor.grpc.v1p69p0.io.grpc.stub.MetadataUtils;

/**
 * Redwood's boot program for Java SDK harnesses in PROCESS environments, the command a worker node
 * starts (through the {@code redwood-java-sdk-boot.sh} launcher) for each harness: Beam starts it
 * with only a worker id and the node's provision endpoint, so it asks the provision service for the
 * job's options, endpoints and artifacts, fetches the artifacts (the user's jars) into a directory
 * of its own, and then runs the SDK harness ({@link FnHarness}) in a child JVM whose classpath is
 * those jars followed by the worker's classpath (which holds the SDK harness). It exits with the
 * harness's exit code; a shutdown hook ends the harness when the boot is stopped, and the harness
 * ends itself when the boot disappears (killed without its hook running).
 *
 * <p>A PROCESS environment whose command is {@value #COMMAND_NAME} is given, on each node, a
 * launcher written there at run time; any other path to a copy of the launcher works too, given the
 * variables {@link #forThisWorker} adds.
 */
public final class JavaSdkBoot {
  /** The PROCESS command naming this boot on any Redwood node, whatever its file system. */
  public static final String COMMAND_NAME = "redwood-java-sdk-boot";

  /** The java executable the launcher runs the boot with. */
  public static final String JAVA_VARIABLE = "REDWOOD_JAVA";

  /** The classpath the launcher runs the boot with: the worker's, holding the SDK harness. */
  public static final String CLASSPATH_VARIABLE = "REDWOOD_WORKER_CLASSPATH";

  /** Extra JVM flags for the harness JVM, separated by white space. */
  public static final String HARNESS_FLAGS_VARIABLE = "REDWOOD_SDK_HARNESS_JVM_FLAGS";

  private static final String LAUNCHER_RESOURCE = "redwood-java-sdk-boot.sh";
  private static final String RUN_HARNESS = "--run-harness";
  private static final Metadata.Key<String> WORKER_ID =
      Metadata.Key.of("worker_id", Metadata.ASCII_STRING_MARSHALLER);
  private static final long PROVISION_TIMEOUT_SECONDS = 60;
  private static final long ARTIFACT_TIMEOUT_SECONDS = 600;
  private static final long STOP_GRACE_MILLIS = 5_000;
  private static final String PROCESS_URN =
      BeamUrns.getUrn(RunnerApi.StandardEnvironments.Environments.PROCESS);

  /** {@code $AZ_BATCH_X} or {@code ${AZ_BATCH_X}} in a PROCESS command. */
  private static final Pattern NODE_VARIABLE =
      Pattern.compile("\\$(?:\\{(AZ_BATCH_[A-Z_]+)\\}|(AZ_BATCH_[A-Z_]+))");

  private static Path writtenLauncher;

  private JavaSdkBoot() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 1 && args[0].equals(RUN_HARNESS)) {
      runHarness();
      return;
    }
    if (args.length == 1 && args[0].startsWith("--write-launcher=")) {
      writeLauncher(Path.of(args[0].substring("--write-launcher=".length())));
      return;
    }
    String id = null;
    String provisionEndpoint = null;
    String semiPersistDir = null;
    for (String arg : args) {
      if (arg.startsWith("--id=")) {
        id = arg.substring("--id=".length());
      } else if (arg.startsWith("--provision_endpoint=")) {
        provisionEndpoint = arg.substring("--provision_endpoint=".length());
      } else if (arg.startsWith("--semi_persist_dir=")) {
        semiPersistDir = arg.substring("--semi_persist_dir=".length());
      }
    }
    if (id == null || provisionEndpoint == null) {
      System.err.println(
          "Usage: JavaSdkBoot --id=WORKER_ID --provision_endpoint=HOST:PORT"
              + " [--semi_persist_dir=DIR] | --write-launcher=PATH");
      System.exit(2);
    }
    System.exit(boot(id, provisionEndpoint, semiPersistDir));
  }

  /** Writes the shell launcher to a file, executable, for a PROCESS environment's command. */
  public static Path writeLauncher(Path target) throws IOException {
    try (InputStream in = JavaSdkBoot.class.getResourceAsStream(LAUNCHER_RESOURCE)) {
      if (in == null) {
        throw new IOException("The runner jar has no " + LAUNCHER_RESOURCE);
      }
      Path parent = target.toAbsolutePath().getParent();
      Files.createDirectories(parent);
      // Written beside the target and moved, so a node never runs a half-written launcher.
      Path partial = Files.createTempFile(parent, ".boot", ".partial");
      Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
      Files.setPosixFilePermissions(partial, PosixFilePermissions.fromString("rwxr-xr-x"));
      Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING);
    }
    return target;
  }

  /**
   * The environment as this worker runs it: a PROCESS environment gets the java and classpath the
   * launcher needs (unless the pipeline set them) and, when its command is {@value #COMMAND_NAME},
   * this node's launcher. Other environments are returned as they are.
   */
  public static RunnerApi.Environment forThisWorker(RunnerApi.Environment environment)
      throws IOException {
    if (!PROCESS_URN.equals(environment.getUrn())) {
      return environment;
    }
    RunnerApi.ProcessPayload payload;
    try {
      payload = RunnerApi.ProcessPayload.parseFrom(environment.getPayload());
    } catch (InvalidProtocolBufferException e) {
      throw new IOException("Unreadable PROCESS environment payload", e);
    }
    RunnerApi.ProcessPayload.Builder local = payload.toBuilder();
    if (!payload.getEnvMap().containsKey(JAVA_VARIABLE)) {
      local.putEnv(
          JAVA_VARIABLE, Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }
    if (!payload.getEnvMap().containsKey(CLASSPATH_VARIABLE)) {
      local.putEnv(CLASSPATH_VARIABLE, System.getProperty("java.class.path"));
    }
    if (payload.getCommand().equals(COMMAND_NAME)) {
      local.setCommand(launcher().toString());
    } else {
      local.setCommand(nodeCommand(payload.getCommand()));
    }
    return environment.toBuilder().setPayload(local.build().toByteString()).build();
  }

  /**
   * A PROCESS command as this node runs it: Batch's node variables expanded (a pool's start task
   * installs SDKs under {@code $AZ_BATCH_NODE_SHARED_DIR}, whose path differs by node and backend),
   * checked to be an executable file here, so that a missing SDK fails saying so.
   */
  static String nodeCommand(String command) throws IOException {
    Matcher variable = NODE_VARIABLE.matcher(command);
    StringBuilder expanded = new StringBuilder();
    while (variable.find()) {
      String name = variable.group(1) != null ? variable.group(1) : variable.group(2);
      String value = System.getenv(name);
      if (value == null) {
        throw new IOException(
            "The PROCESS environment's command "
                + command
                + " names $"
                + name
                + ", which this node does not set");
      }
      variable.appendReplacement(expanded, Matcher.quoteReplacement(value));
    }
    variable.appendTail(expanded);
    String local = expanded.toString();
    if (!executableHere(local)) {
      throw new IOException(
          "The PROCESS environment's command "
              + (local.equals(command) ? command : command + " (" + local + ")")
              + " is not an executable file on this node: install it with the pool's"
              + " startTaskCommand, or use "
              + COMMAND_NAME
              + " for Java pipelines");
    }
    return local;
  }

  private static boolean executableHere(String command) {
    if (command.contains(File.separator)) {
      return Files.isExecutable(Path.of(command));
    }
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command))) {
        return true;
      }
    }
    return false;
  }

  /** This JVM's copy of the launcher, written once, removed when the JVM exits. */
  private static synchronized Path launcher() throws IOException {
    if (writtenLauncher == null) {
      Path dir = Files.createTempDirectory("redwood-boot");
      dir.toFile().deleteOnExit();
      Path script = writeLauncher(dir.resolve(COMMAND_NAME));
      script.toFile().deleteOnExit(); // registered after its directory, so deleted before it
      writtenLauncher = script;
    }
    return writtenLauncher;
  }

  private static int boot(String id, String provisionEndpoint, String semiPersistDir)
      throws Exception {
    ManagedChannel provisionChannel = channel(provisionEndpoint, id);
    ProvisionApi.ProvisionInfo info;
    try {
      info =
          ProvisionServiceGrpc.newBlockingStub(provisionChannel)
              .withDeadlineAfter(PROVISION_TIMEOUT_SECONDS, TimeUnit.SECONDS)
              .getProvisionInfo(ProvisionApi.GetProvisionInfoRequest.getDefaultInstance())
              .getInfo();
    } finally {
      provisionChannel.shutdownNow();
    }

    Path workDir =
        semiPersistDir == null || semiPersistDir.isEmpty()
            ? Files.createTempDirectory("redwood-sdk-" + safe(id) + "-")
            : Files.createDirectories(Path.of(semiPersistDir, "redwood-sdk-" + safe(id)));
    List<Path> jars = fetchArtifacts(info, id, workDir.resolve("artifacts"));

    // The options go in a file: a pipeline's options may exceed what one variable may hold.
    Path optionsFile = workDir.resolve("pipeline-options.json");
    Files.writeString(optionsFile, JsonFormat.printer().print(info.getPipelineOptions()));

    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    String flags = System.getenv(HARNESS_FLAGS_VARIABLE);
    if (flags != null && !flags.isBlank()) {
      command.addAll(List.of(flags.trim().split("\\s+")));
    }
    List<String> classpath = new ArrayList<>();
    jars.forEach(jar -> classpath.add(jar.toString()));
    classpath.add(System.getProperty("java.class.path"));
    command.add("-cp");
    command.add(String.join(File.pathSeparator, classpath));
    command.add(JavaSdkBoot.class.getName());
    command.add(RUN_HARNESS);

    ProcessBuilder builder = new ProcessBuilder(command).inheritIO();
    Map<String, String> env = builder.environment();
    env.put("HARNESS_ID", id);
    env.put("PIPELINE_OPTIONS_FILE", optionsFile.toString());
    env.put("LOGGING_API_SERVICE_DESCRIPTOR", text(info.getLoggingEndpoint()));
    env.put("CONTROL_API_SERVICE_DESCRIPTOR", text(info.getControlEndpoint()));
    if (info.hasStatusEndpoint()) {
      env.put("STATUS_API_SERVICE_DESCRIPTOR", text(info.getStatusEndpoint()));
    }
    env.put("RUNNER_CAPABILITIES", String.join(" ", info.getRunnerCapabilitiesList()));
    // The harness must not see the launcher's variables as its own.
    env.remove(CLASSPATH_VARIABLE);

    Process harness = builder.start();
    Thread stopper = new Thread(() -> stop(harness, workDir), "redwood-sdk-boot-stop");
    Runtime.getRuntime().addShutdownHook(stopper);
    int code = harness.waitFor();
    try {
      Runtime.getRuntime().removeShutdownHook(stopper);
    } catch (IllegalStateException shuttingDown) {
      return code; // the hook is running and cleans up
    }
    deleteTree(workDir);
    return code;
  }

  /** Ends the harness when the boot is asked to stop, so no JVM outlives its environment. */
  private static void stop(Process harness, Path workDir) {
    harness.destroy();
    try {
      if (!harness.waitFor(STOP_GRACE_MILLIS, TimeUnit.MILLISECONDS)) {
        harness.destroyForcibly();
        harness.waitFor(STOP_GRACE_MILLIS, TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      harness.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    deleteTree(workDir);
  }

  /**
   * The harness JVM's main: it exits when its boot is gone (a boot killed with SIGKILL runs no
   * hook), then runs the SDK harness, which reads its variables.
   */
  private static void runHarness() throws Exception {
    ProcessHandle.current()
        .parent()
        .ifPresent(
            boot ->
                boot.onExit()
                    .thenRun(
                        () -> {
                          System.err.println("The SDK harness's boot process ended; exiting.");
                          Runtime.getRuntime().halt(1);
                        }));
    FnHarness.main(new String[0]);
  }

  /** Fetches each artifact of the environment; the jars among them, in order. */
  private static List<Path> fetchArtifacts(ProvisionApi.ProvisionInfo info, String id, Path dir)
      throws IOException {
    Files.createDirectories(dir);
    List<Path> jars = new ArrayList<>();
    if (info.getDependenciesCount() == 0) {
      return jars;
    }
    ManagedChannel channel = channel(info.getArtifactEndpoint().getUrl(), id);
    try {
      ArtifactRetrievalServiceGrpc.ArtifactRetrievalServiceBlockingStub stub =
          ArtifactRetrievalServiceGrpc.newBlockingStub(channel)
              .withDeadlineAfter(ARTIFACT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      int index = 0;
      for (RunnerApi.ArtifactInformation artifact : info.getDependenciesList()) {
        // Numbered, so two artifacts of one name do not overwrite each other.
        Path target = dir.resolve(String.format("%03d-%s", index++, name(artifact)));
        Iterator<ArtifactApi.GetArtifactResponse> chunks =
            stub.getArtifact(
                ArtifactApi.GetArtifactRequest.newBuilder().setArtifact(artifact).build());
        try (OutputStream out = Files.newOutputStream(target)) {
          while (chunks.hasNext()) {
            chunks.next().getData().writeTo(out);
          }
        }
        if (target.getFileName().toString().endsWith(".jar")) {
          jars.add(target);
        }
      }
    } finally {
      channel.shutdownNow();
    }
    return jars;
  }

  /** The artifact's staged name, else its file's name: what the SDK's class loader will see. */
  private static String name(RunnerApi.ArtifactInformation artifact)
      throws InvalidProtocolBufferException {
    String name = null;
    if (BeamUrns.getUrn(RunnerApi.StandardArtifacts.Roles.STAGING_TO)
        .equals(artifact.getRoleUrn())) {
      name =
          RunnerApi.ArtifactStagingToRolePayload.parseFrom(artifact.getRolePayload())
              .getStagedName();
    } else if (BeamUrns.getUrn(RunnerApi.StandardArtifacts.Types.FILE)
        .equals(artifact.getTypeUrn())) {
      name =
          Path.of(RunnerApi.ArtifactFilePayload.parseFrom(artifact.getTypePayload()).getPath())
              .getFileName()
              .toString();
    }
    return name == null || name.isEmpty() ? "artifact" : safe(name);
  }

  private static ManagedChannel channel(String url, String workerId) {
    Metadata headers = new Metadata();
    headers.put(WORKER_ID, workerId);
    return ManagedChannelFactory.createDefault()
        .withInterceptors(List.of(MetadataUtils.newAttachHeadersInterceptor(headers)))
        .forDescriptor(Endpoints.ApiServiceDescriptor.newBuilder().setUrl(url).build());
  }

  private static String text(Endpoints.ApiServiceDescriptor descriptor) {
    return TextFormat.printer().printToString(descriptor);
  }

  private static String safe(String name) {
    return name.replaceAll("[^A-Za-z0-9._-]", "_");
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | RuntimeException e) {
      // Best effort: a left temporary directory costs disk, not correctness.
    }
  }
}

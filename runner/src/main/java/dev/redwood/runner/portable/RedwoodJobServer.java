package dev.redwood.runner.portable;

import dev.redwood.runner.options.AzureBatchPipelineOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.apache.beam.runners.jobsubmission.JobServerDriver;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.kohsuke.args4j.CmdLineException;
import org.kohsuke.args4j.CmdLineParser;

/**
 * Redwood's Beam job server: the Job API (and artifact staging) over gRPC, so a pipeline from any
 * Beam SDK's {@code PortableRunner} runs on Redwood, locally or on Azure Batch.
 *
 * <p>Command line: Beam's job server flags ({@code --job-port}, {@code --artifact-port}, {@code
 * --expansion-port}, {@code --job-host}, {@code --artifacts-dir}, ...) and any Redwood option
 * ({@code --backend=AZURE}, {@code --parametersFile=...}, {@code --localNodes=4}, ...), which every
 * job gets unless its client sets the option itself.
 */
public final class RedwoodJobServer extends JobServerDriver {
  /** The flags of Beam's job server configuration; every other argument is a Redwood option. */
  private static final Set<String> SERVER_FLAGS =
      Set.of(
          "--job-host",
          "--job-port",
          "--artifact-port",
          "--expansion-port",
          "--artifacts-dir",
          "--clean-artifacts-per-job",
          "--history-size");

  private RedwoodJobServer(
      ServerConfiguration configuration,
      AzureBatchPipelineOptions options,
      JobStateLongPoll longPoll) {
    super(
        configuration,
        longPoll,
        createArtifactServerFactory(configuration),
        () -> new RedwoodJobInvoker(options, longPoll));
  }

  /** Starts the server and serves until the JVM is stopped (Ctrl-C stops running jobs too). */
  public static void main(String[] args) throws Exception {
    RedwoodJobServer server = fromParams(args);
    String url = server.start();
    System.out.println("Redwood job server: job endpoint " + url);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.stop();
                  stopped.countDown();
                },
                "redwood-job-server-stop"));
    stopped.await();
  }

  /** The server for a command line; Beam's {@code TestPortableRunner} calls this by reflection. */
  public static RedwoodJobServer fromParams(String[] args) {
    List<String> serverArgs = new ArrayList<>();
    List<String> redwoodArgs = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      String flag = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
      if (!SERVER_FLAGS.contains(flag)) {
        redwoodArgs.add(arg);
      } else if (arg.contains("=")) {
        serverArgs.add(flag);
        serverArgs.add(arg.substring(arg.indexOf('=') + 1));
      } else {
        serverArgs.add(arg);
        if (!flag.equals("--clean-artifacts-per-job") && i + 1 < args.length) {
          serverArgs.add(args[++i]);
        }
      }
    }
    if (redwoodArgs.stream().noneMatch(arg -> arg.startsWith("--runner="))) {
      // Without it Beam defaults to the DirectRunner, which a job server's classpath lacks.
      redwoodArgs.add("--runner=AzureBatchRunner");
    }
    ServerConfiguration configuration = new ServerConfiguration();
    try {
      new CmdLineParser(configuration).parseArgument(serverArgs);
    } catch (CmdLineException e) {
      throw new IllegalArgumentException(
          "Redwood job server: bad job server flag: " + e.getMessage(), e);
    }
    AzureBatchPipelineOptions options =
        PipelineOptionsFactory.fromArgs(redwoodArgs.toArray(String[]::new))
            .withValidation()
            .as(AzureBatchPipelineOptions.class);
    FileSystems.setDefaultPipelineOptions(options);
    return new RedwoodJobServer(
        configuration, options, new JobStateLongPoll(createJobServerFactory(configuration)));
  }
}

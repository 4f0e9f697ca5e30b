package dev.redwood.runner.batch;

import dev.redwood.runner.storage.BlobStore;
import dev.redwood.runner.storage.BlobStores;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Task main classes the local Batch service tests run, in both node modes. */
final class TestTasks {
  private TestTasks() {}

  /**
   * Records what the task saw as a properties blob: arguments, environment, whether its working
   * directory existed, and the node JVM's real {@code AZ_BATCH_NODE_ID}.
   *
   * <p>Arguments: store location, blob key, exit code, then any arguments to record.
   */
  public static final class EnvDump implements BatchTaskMain {
    @Override
    public int run(List<String> arguments, Map<String, String> environment) throws Exception {
      Properties seen = new Properties();
      for (int i = 0; i < arguments.size(); i++) {
        seen.setProperty("arg." + i, arguments.get(i));
      }
      new TreeMap<>(environment).forEach((name, value) -> seen.setProperty("env." + name, value));
      Path wd = Path.of(environment.get(BatchEnvironment.TASK_WORKING_DIR));
      Files.writeString(wd.resolve("scratch.txt"), "the task may write here");
      seen.setProperty("wd.exists", String.valueOf(Files.isDirectory(wd)));
      String realNodeId = System.getenv(BatchEnvironment.NODE_ID);
      seen.setProperty("process.nodeId", realNodeId == null ? "" : realNodeId);
      StringWriter text = new StringWriter();
      seen.store(text, null);
      try (BlobStore store = BlobStores.open(arguments.get(0), environment)) {
        store.put(arguments.get(1), text.toString().getBytes(StandardCharsets.UTF_8));
      }
      return Integer.parseInt(arguments.get(2));
    }
  }

  /**
   * Prints lines naming itself to System.out and System.err, from its own thread and from a thread
   * it starts. With the argument "pair" it first waits for a second such task in the same JVM, so
   * that the two certainly print at the same time.
   */
  public static final class Printer implements BatchTaskMain {
    private static final CyclicBarrier PAIR = new CyclicBarrier(2);

    @Override
    public int run(List<String> arguments, Map<String, String> environment) throws Exception {
      String name = arguments.get(0);
      if (arguments.contains("pair")) {
        try {
          PAIR.await(20, TimeUnit.SECONDS);
        } catch (TimeoutException | BrokenBarrierException e) {
          System.err.println("no partner for " + name);
          return 2;
        }
      }
      Thread child =
          new Thread(
              () -> {
                System.out.println("child-out-" + name);
                System.err.println("child-err-" + name);
              });
      child.start();
      for (int i = 0; i < 50; i++) {
        System.out.println("out-" + name + "-" + i);
        System.err.println("err-" + name + "-" + i);
        if (i % 10 == 0) {
          Thread.sleep(2);
        }
      }
      child.join();
      return 0;
    }
  }

  /** Throws an exception whose message names the task. */
  public static final class Failing implements BatchTaskMain {
    @Override
    public int run(List<String> arguments, Map<String, String> environment) {
      System.out.println("about to fail");
      throw new IllegalStateException(
          "deliberate failure of " + environment.get(BatchEnvironment.TASK_ID));
    }
  }

  /** Sleeps until interrupted (or killed with its node). */
  public static final class Sleeper implements BatchTaskMain {
    @Override
    public int run(List<String> arguments, Map<String, String> environment)
        throws InterruptedException {
      System.out.println("sleeping");
      Thread.sleep(TimeUnit.MINUTES.toMillis(10));
      return 0;
    }
  }

  /** Has a no-argument constructor but is no task main class. */
  public static final class NotATask {
    public NotATask() {}
  }
}

package dev.redwood.runner.batch;

import dev.redwood.runner.storage.BlobStore;
import dev.redwood.runner.storage.LocalBlobStore;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** {@link LocalBatchService} with in-process nodes: tasks on thread pools in this JVM. */
class InProcessLocalBatchServiceTest extends LocalBatchServiceContract {
  @TempDir static Path tempDir;
  private static LocalBlobStore store;

  @BeforeAll
  static void openStore() {
    store = new LocalBlobStore(tempDir.resolve("store"));
  }

  @AfterAll
  static void closeStore() throws Exception {
    store.close();
  }

  @Override
  LocalBatchService.Config.Builder configBuilder() {
    return LocalBatchService.Config.builder(store, workDir()).inProcess(true);
  }

  @Override
  BlobStore store() {
    return store;
  }

  @Override
  Path workDir() {
    return tempDir.resolve("work");
  }

  @Override
  List<String> classpathKeys() {
    return List.of(); // tasks load from this JVM's classpath
  }

  @Override
  boolean nodesAreProcesses() {
    return false;
  }
}

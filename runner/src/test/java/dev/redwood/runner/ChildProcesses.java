package dev.redwood.runner;

import dev.redwood.runner.azure.Azurite;
import dev.redwood.runner.batch.LocalBatchService;
import java.util.List;

/**
 * This JVM's live child processes that a run started and left: all but the Azurite the tests
 * started and the idle node JVMs kept warm for the next pipeline (their own children do count).
 */
public final class ChildProcesses {
  private ChildProcesses() {}

  public static List<ProcessHandle> ofRuns() {
    List<ProcessHandle> warm = LocalBatchService.warmNodeJvms();
    return ProcessHandle.current()
        .descendants()
        .filter(ProcessHandle::isAlive)
        .filter(p -> !Azurite.isEmulator(p))
        .filter(p -> !warm.contains(p))
        .toList();
  }
}

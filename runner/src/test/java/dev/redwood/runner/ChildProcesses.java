package dev.redwood.runner;

import dev.redwood.runner.azure.Azurite;
import java.util.List;

/** This JVM's live child processes that a run started: all but the Azurite the tests started. */
public final class ChildProcesses {
  private ChildProcesses() {}

  public static List<ProcessHandle> ofRuns() {
    return ProcessHandle.current()
        .descendants()
        .filter(ProcessHandle::isAlive)
        .filter(p -> !Azurite.isEmulator(p))
        .toList();
  }
}

package dev.redwood.runner.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's Chromium, headless, as a person's browser in tests: it loads a page with every network
 * request routed to a closed port, and gives back the DOM after scripts ran or a screenshot. CI
 * installs it (.ci/run); a machine without it fails the test saying how to install it.
 */
final class HeadlessChromium {
  private static final long TIMEOUT_SECONDS = 90;

  private HeadlessChromium() {}

  /** The browser's executable; fails with how to install it when there is none. */
  static String executable() {
    for (String name : List.of("chromium", "chromium-browser")) {
      for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
        Path candidate = Path.of(dir.isEmpty() ? "." : dir, name);
        if (Files.isExecutable(candidate)) {
          return candidate.toString();
        }
      }
    }
    throw new AssertionError(
        "Chromium is not installed; the run report tests render reports in it."
            + " Install it with: sudo apt-get install -y chromium (.ci/run does this)");
  }

  /** The page's DOM after its scripts ran. */
  static String dumpDom(Path page, Path scratch) throws IOException, InterruptedException {
    return run(page, scratch, List.of("--dump-dom"));
  }

  /** Renders the page into a PNG file of the given size. */
  static void screenshot(Path page, Path png, Path scratch)
      throws IOException, InterruptedException {
    run(page, scratch, List.of("--screenshot=" + png, "--window-size=1280,1600"));
  }

  private static String run(Path page, Path scratch, List<String> what)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(executable());
    command.add("--headless");
    command.add("--disable-gpu");
    command.add("--no-sandbox");
    command.add("--no-first-run");
    command.add("--disable-extensions");
    command.add("--disable-background-networking");
    // No network: names resolve nowhere and every request goes to a proxy that is not there.
    command.add("--host-resolver-rules=MAP * ~NOTFOUND");
    command.add("--proxy-server=127.0.0.1:9");
    command.add("--user-data-dir=" + Files.createDirectories(scratch.resolve("chromium-profile")));
    command.addAll(what);
    command.add(page.toUri().toString());
    Path stdout = scratch.resolve("chromium-out.txt");
    Path stderr = scratch.resolve("chromium-err.txt");
    Process process =
        new ProcessBuilder(command)
            .redirectOutput(stdout.toFile())
            .redirectError(stderr.toFile())
            .start();
    if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      throw new AssertionError("Chromium did not finish within " + TIMEOUT_SECONDS + " s");
    }
    if (process.exitValue() != 0) {
      throw new AssertionError(
          "Chromium exited with "
              + process.exitValue()
              + ": "
              + Files.readString(stderr, StandardCharsets.UTF_8));
    }
    return Files.readString(stdout, StandardCharsets.UTF_8);
  }
}

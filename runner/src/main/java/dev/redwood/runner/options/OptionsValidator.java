package dev.redwood.runner.options;

/** Checks option values at submit time, so a bad value fails before anything is leased. */
public final class OptionsValidator {
  private OptionsValidator() {}

  public static void validate(AzureBatchPipelineOptions options) {
    atLeast("localNodes", options.getLocalNodes(), 1);
    if (options.getTaskSlotsPerNode() != null) {
      atLeast("taskSlotsPerNode", options.getTaskSlotsPerNode(), 1);
    }
    atLeast("nodeHeapMb", options.getNodeHeapMb(), 64);
    atLeast("maxTaskRetries", options.getMaxTaskRetries(), 0);
    atLeast("shufflePartitions", options.getShufflePartitions(), 0);
    atLeast("splitSizeMb", options.getSplitSizeMb(), 0);
    atLeast("shuffleBufferMb", options.getShuffleBufferMb(), 1);
    atLeast("taskPollIntervalMs", options.getTaskPollIntervalMs(), 10);
    if (DurationOptions.parse("maxRunDuration", options.getMaxRunDuration()).isZero()) {
      throw new IllegalArgumentException("Invalid --maxRunDuration=0: a run needs some time");
    }
    if (options.getShuffleBufferMb() * 2L > options.getNodeHeapMb()) {
      throw new IllegalArgumentException(
          "Invalid --shuffleBufferMb="
              + options.getShuffleBufferMb()
              + ": must be at most half of --nodeHeapMb="
              + options.getNodeHeapMb());
    }
    DurationOptions.parse("taskLogRetention", options.getTaskLogRetention());
    if (options.isResume() && options.getResumeFrom() != null) {
      throw new IllegalArgumentException(
          "--resume and --resumeFrom="
              + options.getResumeFrom()
              + " both name a run to resume;"
              + " give one of them");
    }
    if (options.isResume() && !ExplicitOptions.isSet(options, "jobName")) {
      throw new IllegalArgumentException(
          "--resume finds the run to resume by its --jobName, and none was given; give the"
              + " --jobName of the run, or --resumeFrom=JOB_ID");
    }
    if (options.getReportPort() != null
        && (options.getReportPort() < 0 || options.getReportPort() > 65535)) {
      throw new IllegalArgumentException(
          "Invalid --reportPort="
              + options.getReportPort()
              + ": a TCP port from 1 to 65535, or 0 to pick a free one");
    }
    String reportFile = options.getReportFile();
    if (reportFile != null
        && (reportFile.isBlank()
            || reportFile.startsWith("blob:")
                && (reportFile.substring("blob:".length()).replaceFirst("^/+", "").isEmpty()
                    || reportFile.endsWith("/")))) {
      throw new IllegalArgumentException(
          "Invalid --reportFile='"
              + reportFile
              + "': give a local path, or blob:<name> for an object in the run's blob store, e.g."
              + " blob:reports/run.html");
    }
    VmPrices.parse(options.getVmPrices());
    for (String flag : options.getWorkerJvmFlags()) {
      if (!flag.startsWith("-")) {
        throw new IllegalArgumentException(
            "Invalid --workerJvmFlags entry '" + flag + "': each flag must start with '-'");
      }
    }
  }

  private static void atLeast(String option, long value, long min) {
    if (value < min) {
      throw new IllegalArgumentException(
          "Invalid --" + option + "=" + value + ": must be at least " + min);
    }
  }
}

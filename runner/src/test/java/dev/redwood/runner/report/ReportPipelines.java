package dev.redwood.runner.report;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.KV;

/** Small pipelines and helpers the run report tests share. */
final class ReportPipelines {
  private ReportPipelines() {}

  /** A pipeline on the local backend with in-process nodes (quick to start) and these options. */
  static Pipeline localPipeline(Path workDir, String... extra) {
    List<String> args = new ArrayList<>();
    args.add("--runner=AzureBatchRunner");
    args.add("--inProcessNodes=true");
    args.add("--localNodes=2");
    args.add("--localWorkDir=" + workDir);
    args.add("--quiet");
    args.addAll(List.of(extra));
    return Pipeline.create(PipelineOptionsFactory.fromArgs(args.toArray(new String[0])).create());
  }

  /** The ids of the runs whose objects are kept in the local store under {@code workDir}. */
  static List<String> keptJobs(Path workDir) throws IOException {
    try (Stream<Path> jobs = Files.list(workDir.resolve("store").resolve("jobs"))) {
      return jobs.map(p -> p.getFileName().toString()).toList();
    }
  }

  /** Keys each number by its remainder, so that a GroupByKey after it has several groups. */
  static final class ByRemainderFn extends DoFn<Integer, KV<Integer, Integer>> {
    private final int divisor;

    ByRemainderFn(int divisor) {
      this.divisor = divisor;
    }

    @ProcessElement
    public void process(@Element Integer x, OutputReceiver<KV<Integer, Integer>> out) {
      out.output(KV.of(x % divisor, x));
    }
  }

  /** Sums a group's values. */
  static final class SumFn extends DoFn<KV<Integer, Iterable<Integer>>, Integer> {
    @ProcessElement
    public void process(
        @Element KV<Integer, Iterable<Integer>> group, OutputReceiver<Integer> out) {
      int sum = 0;
      for (int v : group.getValue()) {
        sum += v;
      }
      out.output(sum);
    }
  }

  /** Fails the first attempt that reaches it (a marker file), then passes elements through. */
  static final class FailFirstAttemptFn extends DoFn<Integer, Integer> {
    private final String marker;

    FailFirstAttemptFn(String marker) {
      this.marker = marker;
    }

    @ProcessElement
    public void process(@Element Integer x, OutputReceiver<Integer> out) throws IOException {
      try {
        Files.createFile(Path.of(marker));
      } catch (FileAlreadyExistsException again) {
        out.output(x);
        return;
      }
      throw new IllegalStateException("the first attempt fails on purpose");
    }
  }

  /** Fails every attempt, naming the element. */
  static final class FailsEveryAttemptFn extends DoFn<Integer, Integer> {
    @ProcessElement
    public void process(@Element Integer x) {
      throw new IllegalArgumentException("cannot handle element " + x);
    }
  }

  /** Holds each element until a file exists (at most a minute), so that a run stays open. */
  static final class AwaitFileFn extends DoFn<Integer, Integer> {
    private final String file;

    AwaitFileFn(String file) {
      this.file = file;
    }

    @ProcessElement
    public void process(@Element Integer x, OutputReceiver<Integer> out) throws IOException {
      long deadline = System.nanoTime() + 60_000_000_000L;
      while (!Files.exists(Path.of(file))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("nobody created " + file + " within a minute");
        }
        try {
          Thread.sleep(50);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted while waiting for " + file);
        }
      }
      out.output(x);
    }
  }
}

package dev.redwood.runner.options;

import java.util.List;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.DefaultValueFactory;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.Validation;

/** Options of the Redwood runner ({@code --runner=AzureBatchRunner}). */
public interface AzureBatchPipelineOptions extends PipelineOptions {

  /** Where tasks run. */
  enum Backend {
    /** Worker JVMs on this machine act as Batch nodes; the blob store is a directory. */
    LOCAL,
    /** Azure Batch pools with Azure Blob Storage. */
    AZURE
  }

  @Description(
      "Where tasks run: LOCAL (worker processes on this machine acting as Batch nodes, with a"
          + " directory as the blob store) or AZURE (Azure Batch pools and Azure Blob Storage).")
  @Default.Enum("LOCAL")
  @Validation.Required
  Backend getBackend();

  void setBackend(Backend value);

  @Description(
      "Azure backend: the parameters file describing the Batch pools (AzureClusterlessHPC's"
          + " parameters.json keys such as _POOL_ID, _POOL_COUNT, _NODE_COUNT_PER_POOL, or"
          + " Redwood's structured \"pools\" form). Default: parameters.json in the working"
          + " directory.")
  @Default.String("parameters.json")
  String getParametersFile();

  void setParametersFile(String value);

  @Description(
      "Azure backend: the credentials file (AzureClusterlessHPC's keys _BATCH_ACCOUNT_URL,"
          + " _AD_TENANT, _STORAGE_ACCOUNT_NAME, ...; a JSON array for several Batch accounts)."
          + " Unset: the Batch account and storage come from the parameters file and"
          + " DefaultAzureCredential. Keep it readable by you only.")
  String getCredentialsFile();

  void setCredentialsFile(String value);

  @Description(
      "Azure backend: how often task states are polled while they change, in milliseconds (one"
          + " list request per pool each time, the pools at once); while no task changes the"
          + " interval grows to at most 30 s.")
  @Default.Integer(5000)
  int getTaskPollIntervalMs();

  void setTaskPollIntervalMs(int value);

  @Description(
      "Azure backend: delete the pools at the end of the run instead of keeping them for the"
          + " next run (jobs are always terminated).")
  @Default.Boolean(false)
  boolean isDeletePools();

  void setDeletePools(boolean value);

  @Description(
      "Azure backend: how long the stdout.txt and stderr.txt of every task stay in blob storage"
          + " (container <blobContainer>-logs, under <Batch job id>/<task id>/) after the run, e.g."
          + " 7d, 48h or P3D. At the end of each run, logs older than this are deleted. 0: tasks"
          + " upload no logs.")
  @Default.String("7d")
  String getTaskLogRetention();

  void setTaskLogRetention(String value);

  @Description(
      "Tasks start Docker containers on their nodes (the job server sets it for pipelines with"
          + " DOCKER SDK environments). Azure backend: tasks run as the pool's admin auto-user, who"
          + " may use Docker, and every pool must run its tasks on the host of an image with a"
          + " container runtime. Local backend: docker must be on this machine's PATH.")
  @Default.Boolean(false)
  boolean isTasksUseDocker();

  void setTasksUseDocker(boolean value);

  @Description("Local backend: number of worker nodes (JVM processes) to start.")
  @Default.Integer(2)
  int getLocalNodes();

  void setLocalNodes(int value);

  @Description(
      "Local backend: task slots per node, i.e. tasks one node runs at the same time. Unset: 1"
          + " for node processes (with the default 2 nodes, one task per core), 16 for in-process"
          + " nodes, whose tasks are threads that often wait (sources that sleep, sinks).")
  Integer getTaskSlotsPerNode();

  void setTaskSlotsPerNode(Integer value);

  @Description(
      "Local backend: run nodes as thread pools inside this JVM instead of separate processes"
          + " (fast tests). Tasks still read their spec and inputs from the blob store. Unset: false"
          + " for AzureBatchRunner, true for TestAzureBatchRunner.")
  Boolean getInProcessNodes();

  void setInProcessNodes(Boolean value);

  @Description("Local backend: maximum heap of each node JVM, in MiB.")
  @Default.Integer(2048)
  int getNodeHeapMb();

  void setNodeHeapMb(int value);

  @Description(
      "Local backend: keep a pipeline's idle node JVMs up when it ends, so the next pipeline of"
          + " this JVM on the same classpath runs on them warm (no JVM start, JIT already warm)."
          + " They stop after 2 idle minutes and when this JVM exits. false: every pipeline"
          + " starts and stops its own node JVMs.")
  @Default.Boolean(true)
  boolean getReuseNodes();

  void setReuseNodes(boolean value);

  @Description(
      "Extra JVM flags for the worker JVMs that run tasks, e.g. --add-modules=jdk.incubator.vector"
          + " for DoFns that use the JDK Vector API. Given as a list: --workerJvmFlags=a,b.")
  @Default.InstanceFactory(EmptyList.class)
  List<String> getWorkerJvmFlags();

  void setWorkerJvmFlags(List<String> value);

  /** An empty list: no extra worker JVM flags. */
  class EmptyList implements DefaultValueFactory<List<String>> {
    @Override
    public List<String> create(PipelineOptions options) {
      return List.of();
    }
  }

  @Description(
      "Local backend: directory of the blob store and of the nodes' working directories."
          + " Default: redwood under the system temporary directory.")
  String getLocalWorkDir();

  void setLocalWorkDir(String value);

  @Description(
      "How many times a failed task is retried before the pipeline fails. The driver is the only"
          + " layer that retries: Batch itself runs each attempt once. On Azure, the parameters"
          + " file's _NUM_RETRYS (taskRetries) says the same and wins when this option is not"
          + " given.")
  @Default.Integer(3)
  int getMaxTaskRetries();

  void setMaxTaskRetries(int value);

  @Description(
      "How long a run may take before it fails, e.g. 90m, 48h, 7d or ISO-8601 (P2D). Every"
          + " storage grant of the run is valid that long plus an hour, and Batch ends the run's"
          + " jobs soon after it even if this program is gone. With an Entra ID storage"
          + " credential, grants (user-delegation SAS) are limited to 7 days.")
  @Default.String("48h")
  String getMaxRunDuration();

  void setMaxRunDuration(String value);

  @Description(
      "Partitions (reduce tasks) of each shuffle. 0 picks twice the total task slots of the"
          + " pools (for in-process nodes: four per node).")
  @Default.Integer(0)
  int getShufflePartitions();

  void setShufflePartitions(int value);

  @Description(
      "Target size of one bounded-source split, in MiB. 0 splits each source by its estimated size"
          + " into about four splits per task slot.")
  @Default.Long(0)
  long getSplitSizeMb();

  void setSplitSizeMb(long value);

  @Description(
      "Memory a task may use to buffer shuffle records before sorted runs spill to local disk,"
          + " in MiB.")
  @Default.Integer(64)
  int getShuffleBufferMb();

  void setShuffleBufferMb(int value);

  @Description("Turns off the progress lines on stderr (the final summary is still logged).")
  @Default.Boolean(false)
  boolean isQuiet();

  void setQuiet(boolean value);

  @Description(
      "Keeps the job's objects (stage specs, shuffles, manifests) in the blob store after the"
          + " pipeline ends, for debugging. Staged jars are always kept for reuse.")
  @Default.Boolean(false)
  boolean isKeepJobData();

  void setKeepJobData(boolean value);

  @Description(
      "Resumes the latest kept run of this --jobName: every committed stage and every accepted"
          + " task of an unchanged stage is reused, only what is missing or changed runs. Starts"
          + " afresh, saying so, when no run of the name is kept. Failed and interrupted runs with"
          + " an explicit --jobName are kept for this, finished runs with --keepJobData.")
  @Default.Boolean(false)
  boolean isResume();

  void setResume(boolean value);

  @Description(
      "Resumes the run with this job id (as the first progress line and the error of a failed run"
          + " print it), like --resume; the id's objects must still be in the blob store.")
  String getResumeFrom();

  void setResumeFrom(String value);

  @Description(
      "Where the run report (one self-contained report.html) is written: a local path, or"
          + " blob:<name> for an object in the run's blob store (on Azure, the configured"
          + " container). Default: reports/<job id>/report.html under --localWorkDir, and on Azure"
          + " also the blob reports/<job id>/report.html.")
  String getReportFile();

  void setReportFile(String value);

  @Description(
      "Serves the run report live on http://127.0.0.1:<port>/ while the run goes (0 picks a free"
          + " port; the driver logs the URL); the server stops when the run ends. Default: off.")
  Integer getReportPort();

  void setReportPort(Integer value);

  @Description(
      "VM prices for the run report's cost estimate, in US dollars per node-hour, overriding the"
          + " bundled table: comma-separated vmSize=price pairs, e.g."
          + " Standard_D2s_v3=0.096,Standard_E2s_v3=0.126.")
  String getVmPrices();

  void setVmPrices(String value);
}

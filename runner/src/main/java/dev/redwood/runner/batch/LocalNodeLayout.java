package dev.redwood.runner.batch;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a local node keeps things, laid out like an Azure Batch node's disk, and the Batch
 * environment variables that point there.
 *
 * <pre>
 * workDir/nodes/&lt;nodeId&gt;/                 AZ_BATCH_NODE_ROOT_DIR
 *   node.log                               what the node JVMs print outside tasks
 *   shared/                                AZ_BATCH_NODE_SHARED_DIR
 *     classpath/&lt;jar&gt;                      job preparation's download cache, kept across runs
 *   startup/                               AZ_BATCH_NODE_STARTUP_DIR
 *   workitems/&lt;jobId&gt;/job-1/&lt;taskId&gt;/     AZ_BATCH_TASK_DIR
 *     wd/                                  AZ_BATCH_TASK_WORKING_DIR (deleted after the task)
 *     stdout.txt, stderr.txt
 * </pre>
 */
record LocalNodeLayout(String poolId, String nodeId, Path rootDir) {
  static final String ACCOUNT_NAME = "local";

  static LocalNodeLayout of(Path workDir, String poolId, String nodeId) {
    return new LocalNodeLayout(
        poolId, nodeId, workDir.toAbsolutePath().normalize().resolve("nodes").resolve(nodeId));
  }

  Path sharedDir() {
    return rootDir.resolve("shared");
  }

  Path startupDir() {
    return rootDir.resolve("startup");
  }

  Path classpathCacheDir() {
    return sharedDir().resolve("classpath");
  }

  Path nodeLog() {
    return rootDir.resolve("node.log");
  }

  Path jobDir(String jobId) {
    return rootDir.resolve("workitems").resolve(jobId);
  }

  Path taskDir(String jobId, String taskId) {
    return jobDir(jobId).resolve("job-1").resolve(taskId);
  }

  /** The variables that describe the node: also the real environment of its JVMs. */
  Map<String, String> nodeEnvironment() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put(BatchEnvironment.ACCOUNT_NAME, ACCOUNT_NAME);
    env.put(BatchEnvironment.POOL_ID, poolId);
    env.put(BatchEnvironment.NODE_ID, nodeId);
    env.put(BatchEnvironment.NODE_ROOT_DIR, rootDir.toString());
    env.put(BatchEnvironment.NODE_SHARED_DIR, sharedDir().toString());
    env.put(BatchEnvironment.NODE_STARTUP_DIR, startupDir().toString());
    return env;
  }

  /** The node's variables plus the job's and task's. */
  Map<String, String> taskEnvironment(String jobId, String taskId) {
    Map<String, String> env = nodeEnvironment();
    Path taskDir = taskDir(jobId, taskId);
    env.put(BatchEnvironment.JOB_ID, jobId);
    env.put(BatchEnvironment.TASK_ID, taskId);
    env.put(BatchEnvironment.TASK_DIR, taskDir.toString());
    env.put(BatchEnvironment.TASK_WORKING_DIR, taskDir.resolve("wd").toString());
    return env;
  }
}

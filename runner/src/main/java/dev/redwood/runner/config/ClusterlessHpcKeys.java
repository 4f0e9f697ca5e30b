package dev.redwood.runner.config;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The keys of AzureClusterlessHPC.jl's {@code parameters.json} and credentials file (all start with
 * an underscore; values are strings), split into the ones Redwood uses and the ones that only mean
 * something to its Julia runtime, which Redwood accepts with a warning.
 */
final class ClusterlessHpcKeys {
  private ClusterlessHpcKeys() {}

  // parameters.json
  static final String POOL_ID = "_POOL_ID";
  static final String POOL_COUNT = "_POOL_COUNT";
  static final String NODE_COUNT_PER_POOL = "_NODE_COUNT_PER_POOL";
  static final String POOL_VM_SIZE = "_POOL_VM_SIZE";
  static final String JOB_ID = "_JOB_ID";
  static final String NODE_OS_PUBLISHER = "_NODE_OS_PUBLISHER";
  static final String NODE_OS_OFFER = "_NODE_OS_OFFER";
  static final String NODE_OS_SKU = "_NODE_OS_SKU";
  static final String BLOB_CONTAINER = "_BLOB_CONTAINER";
  static final String INTER_NODE_CONNECTION = "_INTER_NODE_CONNECTION";
  static final String NUM_RETRYS = "_NUM_RETRYS";
  static final String CONTAINER = "_CONTAINER";
  static final String OMP_NUM_THREADS = "_OMP_NUM_THREADS";

  static final List<String> PARAMETERS =
      List.of(
          POOL_ID,
          POOL_COUNT,
          NODE_COUNT_PER_POOL,
          POOL_VM_SIZE,
          JOB_ID,
          NODE_OS_PUBLISHER,
          NODE_OS_OFFER,
          NODE_OS_SKU,
          BLOB_CONTAINER,
          INTER_NODE_CONNECTION,
          NUM_RETRYS,
          CONTAINER,
          OMP_NUM_THREADS);

  /**
   * Parameters for AzureClusterlessHPC's Julia runtime and its MPI launch, meaningless to a JVM
   * runner: stdout file name, multi-node MPI tasks, Julia threads and depot, Python path,
   * verbosity, and {@code _POOL_NODE_COUNT}, an old name that AzureClusterlessHPC itself ignores.
   */
  static final List<String> IGNORED_PARAMETERS =
      List.of(
          "_STANDARD_OUT_FILE_NAME",
          "_MPI_RUN",
          "_NUM_NODES_PER_TASK",
          "_NUM_PROCS_PER_NODE",
          "_JULIA_NUM_THREADS",
          "_JULIA_DEPOT_PATH",
          "_PYTHONPATH",
          "_VERBOSE",
          "_POOL_NODE_COUNT");

  // credentials file
  static final String AD_TENANT = "_AD_TENANT";
  static final String AD_BATCH_CLIENT_ID = "_AD_BATCH_CLIENT_ID";
  static final String AD_SECRET_BATCH = "_AD_SECRET_BATCH";
  static final String BATCH_ACCOUNT_URL = "_BATCH_ACCOUNT_URL";
  static final String BATCH_RESOURCE = "_BATCH_RESOURCE";
  static final String STORAGE_ACCOUNT_NAME = "_STORAGE_ACCOUNT_NAME";
  static final String STORAGE_ACCOUNT_KEY = "_STORAGE_ACCOUNT_KEY";
  static final String REGION = "_REGION";

  /** Set by AzureClusterlessHPC when it builds credentials from its {@code user_data} folder. */
  static final String BATCH_ACCOUNT_NAME = "_BATCH_ACCOUNT_NAME";

  static final List<String> CREDENTIALS =
      List.of(
          AD_TENANT,
          AD_BATCH_CLIENT_ID,
          AD_SECRET_BATCH,
          BATCH_ACCOUNT_URL,
          BATCH_RESOURCE,
          STORAGE_ACCOUNT_NAME,
          STORAGE_ACCOUNT_KEY,
          REGION,
          BATCH_ACCOUNT_NAME);

  /** Batch Insights monitoring, which AzureClusterlessHPC installs through a start task. */
  static final List<String> IGNORED_CREDENTIALS =
      List.of("_APP_INSIGHTS_APP_ID", "_APP_INSIGHTS_INSTRUMENTATION_KEY");

  static final Set<String> SECRET_CREDENTIALS =
      Set.of(AD_SECRET_BATCH, STORAGE_ACCOUNT_KEY, "_APP_INSIGHTS_INSTRUMENTATION_KEY");

  /** The token audience AzureClusterlessHPC's credentials use for Batch. */
  static final String DEFAULT_BATCH_RESOURCE = "https://batch.core.windows.net/";

  static final String IGNORED_REASON =
      "AzureClusterlessHPC settings for its Julia runtime that have no meaning for Redwood";

  static Set<String> allParameters() {
    Set<String> all = new TreeSet<>(PARAMETERS);
    all.addAll(IGNORED_PARAMETERS);
    return all;
  }

  static Set<String> allCredentials() {
    Set<String> all = new TreeSet<>(CREDENTIALS);
    all.addAll(IGNORED_CREDENTIALS);
    return all;
  }
}

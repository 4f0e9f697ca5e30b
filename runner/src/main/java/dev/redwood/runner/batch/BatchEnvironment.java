package dev.redwood.runner.batch;

/**
 * Names of the environment variables Azure Batch gives every task; the local nodes set them too.
 */
public final class BatchEnvironment {
  private BatchEnvironment() {}

  public static final String ACCOUNT_NAME = "AZ_BATCH_ACCOUNT_NAME";
  public static final String POOL_ID = "AZ_BATCH_POOL_ID";
  public static final String NODE_ID = "AZ_BATCH_NODE_ID";
  public static final String NODE_ROOT_DIR = "AZ_BATCH_NODE_ROOT_DIR";
  public static final String NODE_SHARED_DIR = "AZ_BATCH_NODE_SHARED_DIR";
  public static final String NODE_STARTUP_DIR = "AZ_BATCH_NODE_STARTUP_DIR";
  public static final String JOB_ID = "AZ_BATCH_JOB_ID";
  public static final String TASK_ID = "AZ_BATCH_TASK_ID";
  public static final String TASK_DIR = "AZ_BATCH_TASK_DIR";
  public static final String TASK_WORKING_DIR = "AZ_BATCH_TASK_WORKING_DIR";
}

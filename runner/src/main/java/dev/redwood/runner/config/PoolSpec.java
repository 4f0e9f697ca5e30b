package dev.redwood.runner.config;

/**
 * A pool as the parameters file describes it, before it is placed in a Batch account: either by
 * name or region ({@code "pools"} entries) or, for pools made from {@code _POOL_COUNT}, by
 * position, spread over the accounts the way AzureClusterlessHPC does.
 *
 * @param file the parameters file, for errors
 * @param where the key path the pool came from ({@code pools[2]}, or {@code _POOL_ID})
 * @param id the pool id
 * @param account the account named by {@code "account"}, or null
 * @param region the region named by {@code "region"}, or null
 * @param spreadIndex for a pool made from {@code _POOL_COUNT}, its 0-based number; otherwise -1
 * @param settings everything else
 */
record PoolSpec(
    String file,
    String where,
    String id,
    String account,
    String region,
    int spreadIndex,
    PoolSettings settings) {

  /** The pool, placed in {@code accountName}. */
  PoolConfig in(String accountName) {
    return new PoolConfig(
        id,
        accountName,
        settings.vmSize(),
        settings.dedicatedNodes(),
        settings.spotNodes(),
        settings.taskSlotsPerNode(),
        settings.autoscaleFormula(),
        settings.image(),
        settings.containerImage(),
        settings.interNodeCommunication());
  }
}

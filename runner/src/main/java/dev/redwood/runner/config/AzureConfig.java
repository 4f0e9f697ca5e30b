package dev.redwood.runner.config;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything the Azure backend needs: Batch accounts, the pools in them, the storage account and
 * job settings. Read from a parameters file and a credentials file (AzureClusterlessHPC's formats,
 * or Redwood's structured form) by {@link AzureConfigReader}.
 *
 * @param accounts one or more Batch accounts, possibly in different regions
 * @param pools one or more pools; a stage's tasks are spread over all of them
 * @param storage where the job's objects live
 * @param blobContainer base name of the job's blob containers
 * @param jobIdPrefix prefix of Batch job ids ({@code _JOB_ID})
 * @param taskRetries how often a failed task is retried ({@code _NUM_RETRYS}), or null when the
 *     file does not say (then {@code --maxTaskRetries} decides)
 * @param taskEnvironment variables every task gets (e.g. {@code OMP_NUM_THREADS})
 * @param containerRegistries private registries Batch logs in to for the pools' container images
 */
public record AzureConfig(
    List<BatchAccount> accounts,
    List<PoolConfig> pools,
    StorageAccount storage,
    String blobContainer,
    String jobIdPrefix,
    Integer taskRetries,
    Map<String, String> taskEnvironment,
    List<RegistryLogin> containerRegistries) {
  public AzureConfig {
    containerRegistries = List.copyOf(containerRegistries);
    accounts = List.copyOf(accounts);
    pools = List.copyOf(pools);
    taskEnvironment = Map.copyOf(taskEnvironment);
  }

  public BatchAccount account(String name) {
    return accounts.stream()
        .filter(a -> a.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("No Batch account named '" + name + "'"));
  }

  /** The credentials for the registry a container image is pulled from, if configured. */
  public Optional<RegistryLogin> registryFor(String image) {
    String server = RegistryLogin.serverOf(image);
    return containerRegistries.stream().filter(r -> r.registryServer().equals(server)).findFirst();
  }
}

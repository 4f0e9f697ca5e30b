package dev.redwood.runner.config;

import static dev.redwood.runner.config.ClusterlessHpcKeys.BLOB_CONTAINER;
import static dev.redwood.runner.config.ClusterlessHpcKeys.JOB_ID;
import static dev.redwood.runner.config.ClusterlessHpcKeys.NUM_RETRYS;
import static dev.redwood.runner.config.ClusterlessHpcKeys.OMP_NUM_THREADS;
import static dev.redwood.runner.config.ClusterlessHpcKeys.POOL_COUNT;
import static dev.redwood.runner.config.ClusterlessHpcKeys.POOL_ID;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The parameters file ({@code --parametersFile}): AzureClusterlessHPC's flat {@code _KEYS} and
 * Redwood's structured keys, read and checked. Pools are not yet placed in accounts, which may come
 * from the credentials file.
 *
 * @param name the file as the user named it
 * @param pools the pools, in file order
 * @param accounts Batch accounts given here ({@code "accounts"}, used with DefaultAzureCredential),
 *     or empty
 * @param storage the storage account given here ({@code "storage"}), or null
 */
record ParametersFile(
    String name,
    String jobIdPrefix,
    String blobContainer,
    int taskRetries,
    Map<String, String> taskEnvironment,
    List<PoolSpec> pools,
    List<AccountLocation> accounts,
    StorageLocation storage) {

  static final String JOB_ID_KEY = "jobId";
  static final String BLOB_CONTAINER_KEY = "blobContainer";
  static final String TASK_RETRIES = "taskRetries";
  static final String TASK_ENVIRONMENT = "taskEnvironment";
  static final String POOL_DEFAULTS = "poolDefaults";
  static final String POOLS = "pools";
  static final String ACCOUNTS = "accounts";
  static final String STORAGE = "storage";

  static final List<String> STRUCTURED_KEYS =
      List.of(
          JOB_ID_KEY,
          BLOB_CONTAINER_KEY,
          TASK_RETRIES,
          TASK_ENVIRONMENT,
          POOL_DEFAULTS,
          POOLS,
          ACCOUNTS,
          STORAGE);

  static final String POOL_ID_KEY = "id";
  static final String POOL_ACCOUNT = "account";
  static final String POOL_REGION = "region";

  static final String ACCOUNT_NAME = "name";
  static final String ACCOUNT_URL = "url";
  static final String ACCOUNT_REGION = "region";

  static final String STORAGE_ACCOUNT_NAME = "accountName";
  static final String STORAGE_BLOB_ENDPOINT = "blobEndpoint";

  static final String DEFAULT_POOL_ID = "redwood";
  static final String DEFAULT_JOB_ID = "redwood";
  static final String DEFAULT_BLOB_CONTAINER = "redwood";
  static final int MAX_POOL_COUNT = 1000;

  static ParametersFile read(Path path, Consumer<String> warnings) {
    return parse(ConfigFile.read(path, false), warnings);
  }

  static ParametersFile parse(ConfigFile file, Consumer<String> warnings) {
    ConfigObject top = ConfigObject.of(file, "", file.root(), Set.of(), "pool and job parameters");
    List<String> known = new ArrayList<>(ClusterlessHpcKeys.PARAMETERS);
    known.addAll(STRUCTURED_KEYS);
    top.checkKeys(
        known,
        ClusterlessHpcKeys.IGNORED_PARAMETERS,
        ClusterlessHpcKeys.IGNORED_REASON,
        warnings,
        ParametersFile::misplacedAtTop);

    String jobId = oneOf(top, JOB_ID, JOB_ID_KEY).orElse(DEFAULT_JOB_ID);
    String jobKey = top.has(JOB_ID) ? JOB_ID : JOB_ID_KEY;
    check(top, jobKey, AzureNames.batchId(jobId), jobId);

    String container;
    String containerKey = top.has(BLOB_CONTAINER) ? BLOB_CONTAINER : BLOB_CONTAINER_KEY;
    if (top.has(BLOB_CONTAINER) && top.has(BLOB_CONTAINER_KEY)) {
      throw conflict(top, BLOB_CONTAINER_KEY, BLOB_CONTAINER);
    }
    if (top.has(BLOB_CONTAINER)) {
      // AzureClusterlessHPC lowercases the container name before using it.
      container = top.string(BLOB_CONTAINER).orElseThrow().toLowerCase(Locale.ROOT);
    } else {
      container = top.string(BLOB_CONTAINER_KEY).orElse(DEFAULT_BLOB_CONTAINER);
    }
    check(top, containerKey, AzureNames.blobContainer(container), container);

    if (top.has(NUM_RETRYS) && top.has(TASK_RETRIES)) {
      throw conflict(top, TASK_RETRIES, NUM_RETRYS);
    }
    int retries =
        top.flatWholeNumber(NUM_RETRYS, 0)
            .or(() -> top.wholeNumber(TASK_RETRIES, 0, Integer.MAX_VALUE))
            .orElse(0);

    Map<String, String> environment = new LinkedHashMap<>();
    top.stringMap(TASK_ENVIRONMENT)
        .ifPresent(
            env -> {
              for (Map.Entry<String, String> e : env.entrySet()) {
                String problem = AzureNames.environmentName(e.getKey());
                if (problem != null) {
                  throw new AzureConfigException(
                      file.name(), TASK_ENVIRONMENT + "." + e.getKey(), problem);
                }
                environment.put(e.getKey(), e.getValue());
              }
            });
    Optional<Integer> omp = top.flatWholeNumber(OMP_NUM_THREADS, 1);
    if (omp.isPresent()) {
      if (environment.containsKey("OMP_NUM_THREADS")) {
        throw new AzureConfigException(
            file.name(),
            TASK_ENVIRONMENT + ".OMP_NUM_THREADS",
            "is also given as " + OMP_NUM_THREADS + "; give the setting once");
      }
      environment.put("OMP_NUM_THREADS", Integer.toString(omp.get()));
    }

    PoolSettings defaults = PoolSettings.fromFlatKeys(top);
    Optional<ConfigObject> poolDefaults =
        top.object(POOL_DEFAULTS, Set.of(), "settings every pool starts from");
    if (poolDefaults.isPresent()) {
      ConfigObject d = poolDefaults.get();
      d.checkKeys(
          PoolSettings.KEYS,
          List.of(),
          "",
          warnings,
          k ->
              Set.of(POOL_ID_KEY, POOL_ACCOUNT, POOL_REGION).contains(k)
                  ? "belongs in an entry of \"pools\", not in \"poolDefaults\""
                  : misplacedInPool(k));
      defaults = defaults.overlay(d, Optional.of(top));
    }

    List<PoolSpec> pools = top.has(POOLS) ? listedPools(top, defaults) : spreadPools(top, defaults);
    checkPools(file.name(), pools, warnings);

    List<AccountLocation> accounts = new ArrayList<>();
    Optional<List<ConfigObject>> accountObjects =
        top.objects(ACCOUNTS, Set.of(), "Batch accounts used with DefaultAzureCredential");
    if (accountObjects.isPresent()) {
      if (accountObjects.get().isEmpty()) {
        throw top.fail(ACCOUNTS, "is empty; list at least one Batch account or leave it out");
      }
      Map<String, String> seen = new HashMap<>();
      for (ConfigObject a : accountObjects.get()) {
        a.checkKeys(
            List.of(ACCOUNT_NAME, ACCOUNT_URL, ACCOUNT_REGION),
            List.of(),
            "",
            warnings,
            ParametersFile::misplacedCredential);
        AccountLocation location =
            AccountLocation.read(a, ACCOUNT_URL, ACCOUNT_NAME, ACCOUNT_REGION, warnings);
        String before = seen.putIfAbsent(location.name(), a.path());
        if (before != null) {
          throw a.fail(
              ACCOUNT_NAME,
              "repeats the Batch account " + ConfigObject.quote(location.name()) + " of " + before);
        }
        accounts.add(location);
      }
    }

    StorageLocation storage = null;
    Optional<ConfigObject> storageObject =
        top.object(STORAGE, Set.of(), "the storage account, used with DefaultAzureCredential");
    if (storageObject.isPresent()) {
      ConfigObject s = storageObject.get();
      s.checkKeys(
          List.of(STORAGE_ACCOUNT_NAME, STORAGE_BLOB_ENDPOINT),
          List.of(),
          "",
          warnings,
          ParametersFile::misplacedCredential);
      if (!s.has(STORAGE_ACCOUNT_NAME) && !s.has(STORAGE_BLOB_ENDPOINT)) {
        throw s.fail(STORAGE_ACCOUNT_NAME, "is missing (the storage account's name)");
      }
      storage = StorageLocation.read(s, STORAGE_ACCOUNT_NAME, STORAGE_BLOB_ENDPOINT);
    }

    return new ParametersFile(
        file.name(), jobId, container, retries, environment, pools, accounts, storage);
  }

  /** Pools listed in {@code "pools"}. */
  private static List<PoolSpec> listedPools(ConfigObject top, PoolSettings defaults) {
    for (String flatKey : List.of(POOL_COUNT, POOL_ID)) {
      if (top.has(flatKey)) {
        throw top.fail(
            flatKey,
            "cannot be combined with \"pools\": each entry of \"pools\" is one pool with its own"
                + " id");
      }
    }
    List<ConfigObject> entries = top.objects(POOLS, Set.of(), "one pool").orElseThrow();
    if (entries.isEmpty()) {
      throw top.fail(POOLS, "is empty; list at least one pool");
    }
    List<String> keys = new ArrayList<>(List.of(POOL_ID_KEY, POOL_ACCOUNT, POOL_REGION));
    keys.addAll(PoolSettings.KEYS);
    List<PoolSpec> pools = new ArrayList<>();
    for (ConfigObject p : entries) {
      p.checkKeys(keys, List.of(), "", w -> {}, ParametersFile::misplacedInPool);
      String id = p.requiredString(POOL_ID_KEY, " (the pool's Batch id)");
      check(p, POOL_ID_KEY, AzureNames.batchId(id), id);
      String account = p.string(POOL_ACCOUNT).orElse(null);
      if (account != null && account.isBlank()) {
        throw p.fail(POOL_ACCOUNT, "is empty");
      }
      String region = p.string(POOL_REGION).orElse(null);
      if (region != null && region.isBlank()) {
        throw p.fail(POOL_REGION, "is empty");
      }
      pools.add(
          new PoolSpec(
              top.file().name(),
              p.path(),
              id,
              account,
              region,
              -1,
              defaults.overlay(p, Optional.empty())));
    }
    return pools;
  }

  /**
   * AzureClusterlessHPC's pools: {@code _POOL_COUNT} of them, named {@code _POOL_ID_1}, {@code
   * _POOL_ID_2}, ..., later spread over the accounts in turn.
   */
  private static List<PoolSpec> spreadPools(ConfigObject top, PoolSettings defaults) {
    int count = top.flatWholeNumber(POOL_COUNT, 1).orElse(1);
    if (count > MAX_POOL_COUNT) {
      throw top.fail(POOL_COUNT, "must be at most " + MAX_POOL_COUNT + ", got " + count);
    }
    String base = top.string(POOL_ID).orElse(DEFAULT_POOL_ID);
    check(top, POOL_ID, AzureNames.batchId(base), base);
    List<PoolSpec> pools = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      String id = base + "_" + i;
      if (id.length() > 64) {
        throw top.fail(
            POOL_ID,
            "is too long: the pool ids are "
                + POOL_ID
                + "_1 to _"
                + count
                + " and must be at most 64 characters ("
                + ConfigObject.quote(id)
                + " has "
                + id.length()
                + ")");
      }
      pools.add(new PoolSpec(top.file().name(), POOL_ID, id, null, null, i - 1, defaults));
    }
    return pools;
  }

  private static void checkPools(String file, List<PoolSpec> pools, Consumer<String> warnings) {
    Map<String, String> ids = new HashMap<>();
    Map<String, String> retired = new LinkedHashMap<>();
    for (PoolSpec pool : pools) {
      String before = ids.putIfAbsent(pool.id().toLowerCase(Locale.ROOT), pool.where());
      if (before != null) {
        throw new AzureConfigException(
            file,
            pool.where() + "." + POOL_ID_KEY,
            "repeats the pool id "
                + ConfigObject.quote(pool.id())
                + " of "
                + before
                + " (pool ids must be unique; Batch ignores case in them)");
      }
      PoolSettings s = pool.settings();
      if (s.image().nodeAgentSku() == null) {
        throw new AzureConfigException(
            file,
            s.imageSource(),
            "names an image whose Batch node agent Redwood cannot derive ("
                + PoolSettings.describe(s.image())
                + "): give it, e.g. \"poolDefaults\": {\"image\": {\"nodeAgentSku\":"
                + " \"batch.node.ubuntu 22.04\"}}");
      }
      String warning = NodeAgentSkus.retirementWarning(s.image().nodeAgentSku());
      if (warning != null) {
        retired.putIfAbsent(
            s.image().nodeAgentSku(), file + ": " + s.imageSource() + ": " + warning);
      }
      if (s.dedicatedNodes() + s.spotNodes() == 0 && s.autoscaleFormula() == null) {
        warnings.accept(
            file
                + ": pool "
                + ConfigObject.quote(pool.id())
                + " ("
                + pool.where()
                + ") has no nodes and no autoscaleFormula, so it gets no tasks");
      }
    }
    retired.values().forEach(warnings);
  }

  /** The value of a flat key or of its structured twin; both given is an error. */
  private static Optional<String> oneOf(ConfigObject top, String flatKey, String structuredKey) {
    if (top.has(flatKey) && top.has(structuredKey)) {
      throw conflict(top, structuredKey, flatKey);
    }
    return top.string(flatKey).or(() -> top.string(structuredKey));
  }

  private static AzureConfigException conflict(ConfigObject top, String key, String twin) {
    return top.fail(key, "is also given as " + twin + "; give the setting once");
  }

  private static void check(ConfigObject o, String key, String problem, String value) {
    if (problem != null) {
      throw o.fail(key, problem + o.got(key, value));
    }
  }

  private static String misplacedAtTop(String key) {
    if (ClusterlessHpcKeys.allCredentials().contains(key)) {
      return "is a credentials key: put it in the credentials file (--credentialsFile), not in"
          + " the parameters file";
    }
    if (Set.of(POOL_ID_KEY, POOL_ACCOUNT, POOL_REGION).contains(key)
        || PoolSettings.KEYS.contains(key)) {
      return "is a pool setting: put it in an entry of \"pools\" or in \"poolDefaults\"";
    }
    return null;
  }

  private static String misplacedInPool(String key) {
    String twin =
        Map.of(
                POOL_ID,
                POOL_ID_KEY,
                ClusterlessHpcKeys.POOL_VM_SIZE,
                PoolSettings.VM_SIZE,
                ClusterlessHpcKeys.NODE_COUNT_PER_POOL,
                PoolSettings.DEDICATED_NODES,
                ClusterlessHpcKeys.CONTAINER,
                PoolSettings.CONTAINER_IMAGE,
                ClusterlessHpcKeys.INTER_NODE_CONNECTION,
                PoolSettings.INTER_NODE_COMMUNICATION,
                ClusterlessHpcKeys.NODE_OS_PUBLISHER,
                PoolSettings.IMAGE,
                ClusterlessHpcKeys.NODE_OS_OFFER,
                PoolSettings.IMAGE,
                ClusterlessHpcKeys.NODE_OS_SKU,
                PoolSettings.IMAGE)
            .get(key);
    if (twin != null) {
      return "is an AzureClusterlessHPC key, which belongs at the top of the file; in a pool"
          + " entry write \""
          + twin
          + "\"";
    }
    return ClusterlessHpcKeys.allParameters().contains(key)
        ? "is an AzureClusterlessHPC key, which belongs at the top of the file"
        : null;
  }

  private static String misplacedCredential(String key) {
    if (CredentialsFile.SECRET_AND_AUTH_KEYS.contains(key)) {
      return "is a credential: put it in the credentials file (--credentialsFile); accounts"
          + " given in the parameters file use DefaultAzureCredential";
    }
    return null;
  }
}

package dev.redwood.runner.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.redwood.runner.options.AzureBatchPipelineOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the Azure backend's configuration: the parameters file (pools and job settings) and the
 * credentials file (Batch accounts and the storage account), in AzureClusterlessHPC's formats or
 * Redwood's structured form, into an {@link AzureConfig}. Everything is checked before any request
 * goes to Azure; a problem is an {@link AzureConfigException} naming the file and the key. Warnings
 * (keys that only mean something to AzureClusterlessHPC's Julia runtime, a credentials file others
 * can read, a retired node image) go to SLF4J or a given consumer.
 *
 * <p>Batch accounts come from the credentials file, else from {@code "accounts"} in the parameters
 * file (with DefaultAzureCredential). Storage comes from the credentials file, else from the
 * environment's {@code AZURE_STORAGE_CONNECTION_STRING}, else from {@code "storage"} in the
 * parameters file. Pools are {@code "pools"} entries, placed by {@code "account"} or {@code
 * "region"}, or {@code _POOL_COUNT} pools that take the accounts in turn (pool i goes to entry
 * (i - 1) mod n), as in AzureClusterlessHPC; a pool's settings are its own, else those of {@code
 * "poolDefaults"} (where the flat keys go), else Redwood's. See {@code docs/azure-config.md}.
 */
public final class AzureConfigReader {
  private static final Logger LOG = LoggerFactory.getLogger(AzureConfigReader.class);

  /** The environment variable with a storage connection string (as the Azure CLI reads it). */
  public static final String STORAGE_CONNECTION_STRING_ENV = "AZURE_STORAGE_CONNECTION_STRING";

  private AzureConfigReader() {}

  /** The parameters file in the structured form; its pools are bound one by one once placed. */
  private record Parameters(String jobId, String blobContainer, Integer taskRetries,
      Map<String, String> taskEnvironment, ObjectNode poolDefaults, List<ObjectNode> pools,
      List<BatchAccount> accounts, StorageAccount storage) {
    Parameters {
      jobId = jobId == null ? "redwood" : jobId;
      blobContainer = blobContainer == null ? "redwood" : blobContainer;
      taskRetries = taskRetries == null ? 0 : taskRetries;
      taskEnvironment = taskEnvironment == null ? Map.of() : taskEnvironment;
      poolDefaults = poolDefaults == null ? ConfigFile.tree(Map.of()) : poolDefaults;
      Problem.check("jobId", AzureNames.batchId(jobId), jobId);
      Problem.check("blobContainer", AzureNames.blobContainer(blobContainer), blobContainer);
      taskEnvironment.keySet().forEach(
          k -> Problem.check("taskEnvironment." + k, AzureNames.environmentName(k), null));
      for (String key : List.of("id", "account", "region")) {
        if (poolDefaults.has(key)) {
          throw new Problem("poolDefaults." + key, "belongs in an entry of \"pools\" instead");
        }
      }
      if (pools == null || pools.isEmpty()) {
        throw new Problem("pools", "is empty; list at least one pool");
      } else if (accounts != null && accounts.isEmpty()) {
        throw new Problem("accounts", "is empty; list at least one Batch account or leave it out");
      }
    }
  }

  /** The credentials file in the structured form. */
  private record Credentials(List<BatchAccount> accounts, StorageAccount storage) {
    Credentials {
      if (accounts == null && storage == null) {
        throw new Problem(null, "holds no credentials: give AzureClusterlessHPC's keys"
            + " (_BATCH_ACCOUNT_URL, ...) or \"accounts\" and/or \"storage\"");
      } else if (accounts != null && accounts.isEmpty()) {
        throw new Problem("accounts", "is empty; list at least one Batch account or leave it out");
      }
    }
  }

  /** Reads the files of {@code --parametersFile} and {@code --credentialsFile}; logs warnings. */
  public static AzureConfig read(AzureBatchPipelineOptions options) {
    String credentials = options.getCredentialsFile();
    return read(Path.of(options.getParametersFile()),
        credentials == null ? null : Path.of(credentials), System.getenv());
  }

  /**
   * Reads and checks the configuration; warnings are logged through SLF4J.
   *
   * @param credentialsFile null to use DefaultAzureCredential, with accounts and storage from the
   *     parameters file and the environment
   * @throws AzureConfigException when a file is missing, unreadable, not JSON or has a bad key
   */
  public static AzureConfig read(
      Path parametersFile, Path credentialsFile, Map<String, String> environment) {
    return read(parametersFile, credentialsFile, environment, LOG::warn);
  }

  /** As {@link #read(Path, Path, Map)}, with each warning given to {@code warnings} instead. */
  public static AzureConfig read(Path parametersFile, Path credentialsFile,
      Map<String, String> environment, Consumer<String> warnings) {
    ConfigFile pf = ConfigFile.read(parametersFile, false);
    ObjectNode tree = ClusterlessHpcKeys.parameters(pf, warnings);
    for (String key : List.of("accounts", "storage")) {
      JsonNode entries = tree.path(key);
      for (int i = 0; i < (entries.isArray() ? entries.size() : 1); i++) {
        String path = entries.isArray() ? key + "[" + i + "]" : key;
        (entries.isArray() ? entries.get(i) : entries).fieldNames().forEachRemaining(k -> {
          String misplaced = ClusterlessHpcKeys.misplaced(pf, path, k);
          if (misplaced != null) {
            throw pf.fail(path + "." + k, misplaced);
          }
        });
      }
    }
    Parameters params = pf.bind(tree, "", Parameters.class);
    ConfigFile cf = null;
    Credentials creds = null;
    if (credentialsFile != null) {
      FilePermissions.warningFor(credentialsFile, credentialsFile.toString()).ifPresent(warnings);
      cf = ConfigFile.read(credentialsFile, true);
      creds = cf.bind(ClusterlessHpcKeys.credentials(cf, warnings), "", Credentials.class);
    }

    boolean fromCredentials = creds != null && creds.accounts() != null;
    if (fromCredentials && params.accounts() != null) {
      throw pf.fail("accounts", "is also given in " + cf.name() + "; list the Batch accounts in one file");
    } else if (!fromCredentials && params.accounts() == null && cf != null) {
      throw cf.fail("", "gives no Batch account (_BATCH_ACCOUNT_URL or \"accounts\"), and "
          + pf.name() + " lists no \"accounts\" either");
    } else if (!fromCredentials && params.accounts() == null) {
      throw pf.fail("accounts", "is missing: no Batch account is configured. Pass --credentialsFile"
          + " with _BATCH_ACCOUNT_URL (AzureClusterlessHPC's form) or \"accounts\", or list"
          + " \"accounts\": [{\"url\": \"https://NAME.REGION.batch.azure.com\"}] here to sign in"
          + " with DefaultAzureCredential");
    }
    ConfigFile accountsFile = fromCredentials ? cf : pf;
    List<String> spreadOrder = new ArrayList<>();
    List<BatchAccount> accounts = accounts(accountsFile,
        fromCredentials ? creds.accounts() : params.accounts(), spreadOrder, warnings);
    StorageAccount storage = storage(pf, params, cf, creds == null ? null : creds.storage(), environment);
    List<PoolConfig> pools = pools(pf, params, accounts, accountsFile.name(), spreadOrder, warnings);

    AzureConfig config = new AzureConfig(accounts, pools, storage, params.blobContainer(),
        params.jobId(), params.taskRetries(), params.taskEnvironment());
    LOG.info("Azure configuration: pools {}; storage account {}, container {}",
        pools.stream().map(p -> p.poolId() + " in " + p.account()).collect(Collectors.joining(", ")),
        storage.accountName(), config.blobContainer());
    return config;
  }

  /**
   * The accounts without repeats: entries with one name are one account (AzureClusterlessHPC
   * builds such arrays), if they have one URL. {@code spreadOrder} gets every entry's account.
   */
  private static List<BatchAccount> accounts(ConfigFile file, List<BatchAccount> entries,
      List<String> spreadOrder, Consumer<String> warnings) {
    Map<String, BatchAccount> byName = new LinkedHashMap<>();
    Map<String, String> where = new HashMap<>();
    for (int i = 0; i < entries.size(); i++) {
      BatchAccount account = entries.get(i);
      String path = "accounts[" + i + "]";
      String urlRegion = ServiceUrl.parse(account.accountUrl(), false).batchRegion();
      if (urlRegion != null && !urlRegion.equals(account.region().toLowerCase(Locale.ROOT))) {
        warnings.accept(file.name() + ": " + file.resolve(path + ".region")
            + " differs from the region of " + file.lastKey(path + ".url") + " (" + urlRegion
            + "); Redwood takes the region from " + file.lastKey(path + ".region")
            + ", but pools run where the account is");
      }
      BatchAccount before = byName.putIfAbsent(account.name(), account);
      String first = where.computeIfAbsent(account.name(), n -> file.resolve(path));
      if (before != null && !before.accountUrl().equals(account.accountUrl())) {
        throw file.fail(path + ".url", "is a second URL for the account name "
            + Problem.quote(account.name()) + " (see " + first
            + "); Redwood tells Batch accounts apart by name");
      } else if (before != null && !before.equals(account)) {
        warnings.accept(file.name() + ": " + file.resolve(path) + " repeats the Batch account "
            + Problem.quote(account.name()) + " of " + first + " with other settings or"
            + " credentials; Redwood uses those of " + first);
      }
      spreadOrder.add(account.name());
    }
    return List.copyOf(byName.values());
  }

  private static StorageAccount storage(ConfigFile pf, Parameters params, ConfigFile cf,
      StorageAccount fromCredentials, Map<String, String> environment) {
    StorageAccount given = params.storage();
    String connection = environment.get(STORAGE_CONNECTION_STRING_ENV);
    if (fromCredentials != null && given != null) {
      throw pf.fail("storage", "is also given in " + cf.name() + "; give the storage account in one file");
    } else if (fromCredentials != null) {
      return fromCredentials;
    } else if (connection == null || connection.isBlank()) {
      if (given != null) {
        return given;
      }
      throw (cf != null ? cf : pf).fail(cf != null ? "" : "storage",
          (cf != null ? "gives no storage account, and there is none elsewhere:" : "is missing:")
              + " give _STORAGE_ACCOUNT_NAME (or \"storage\") in the credentials file, \"storage\":"
              + " {\"accountName\": ...} in the parameters file, or set "
              + STORAGE_CONNECTION_STRING_ENV);
    }
    StorageConnectionString parsed;
    try {
      parsed = StorageConnectionString.parse(connection);
    } catch (IllegalArgumentException e) {
      throw new AzureConfigException("environment", STORAGE_CONNECTION_STRING_ENV, e.getMessage());
    }
    if (given != null && !given.accountName().equals(parsed.accountName())) {
      throw pf.fail("storage.accountName", "is " + Problem.quote(given.accountName()) + " but "
          + STORAGE_CONNECTION_STRING_ENV + " is for the account " + Problem.quote(parsed.accountName()));
    }
    return new StorageAccount(parsed.accountName(), parsed.blobEndpoint(),
        new StorageAuth.ConnectionString(new Secret(connection)));
  }

  /** The pools, each with its settings layered and placed in an account. */
  private static List<PoolConfig> pools(ConfigFile file, Parameters params,
      List<BatchAccount> accounts, String accountsFrom, List<String> spreadOrder,
      Consumer<String> warnings) {
    ObjectNode defaults = inherit(file, params.poolDefaults(), "poolDefaults",
        ConfigFile.tree(PoolConfig.DEFAULTS), "poolDefaults");
    Map<String, String> ids = new HashMap<>();
    Map<String, String> retired = new LinkedHashMap<>();
    List<PoolConfig> pools = new ArrayList<>();
    for (int i = 0; i < params.pools().size(); i++) {
      String path = "pools[" + i + "]";
      ObjectNode tree = inherit(file, params.pools().get(i), path, defaults, "poolDefaults");
      tree.put("account", file.root().hasNonNull("pools")
          ? place(file, tree, path, accounts, accountsFrom)
          : spreadOrder.get(i % spreadOrder.size()));
      tree.remove("region");
      PoolConfig pool = file.bind(tree, path, PoolConfig.class);
      pools.add(pool);

      String before = ids.putIfAbsent(pool.poolId().toLowerCase(Locale.ROOT), file.resolve(path));
      if (before != null) {
        throw file.fail(path + ".id", "repeats the pool id " + Problem.quote(pool.poolId()) + " of "
            + before + " (pool ids must be unique; Batch ignores case in them)");
      }
      String warning = NodeAgentSkus.retirementWarning(pool.image().nodeAgentSku());
      if (warning != null) {
        String image = path + (tree.path("image").has("nodeAgentSku") ? ".image.nodeAgentSku" : ".image");
        retired.putIfAbsent(pool.image().nodeAgentSku(),
            file.name() + ": " + file.resolve(image) + ": " + warning);
      }
      if (pool.dedicatedNodes() + pool.spotNodes() == 0 && pool.autoscaleFormula() == null) {
        warnings.accept(file.name() + ": pool " + Problem.quote(pool.poolId()) + " ("
            + file.resolve(path) + ") has no nodes and no autoscaleFormula, so it gets no tasks");
      }
    }
    retired.values().forEach(warnings);
    return pools;
  }

  /**
   * {@code pool}, found at {@code path}, with the settings it does not give taken from {@code
   * base}, found at {@code from}, where errors about them point. An image that gives only its
   * nodeAgentSku refines the inherited image.
   */
  private static ObjectNode inherit(
      ConfigFile file, ObjectNode pool, String path, ObjectNode base, String from) {
    ObjectNode merged = pool.deepCopy();
    base.fields().forEachRemaining(setting -> {
      String key = setting.getKey();
      JsonNode own = merged.get(key);
      if (own == null || own.isNull()) {
        merged.set(key, setting.getValue());
        file.aliasAll(path + "." + key, from + "." + key, setting.getValue());
      } else if (key.equals("image") && own.isObject() && setting.getValue().isObject()
          && !own.has("publisher") && !own.has("offer") && !own.has("sku")) {
        merged.set(key, inherit(file, (ObjectNode) own, path + "." + key,
            (ObjectNode) setting.getValue(), from + "." + key));
      }
    });
    return merged;
  }

  /** The account of a {@code "pools"} entry: named, or the one in its region, or the only one. */
  private static String place(
      ConfigFile file, ObjectNode pool, String path, List<BatchAccount> accounts, String from) {
    String account = text(file, pool, path + ".account");
    String region = text(file, pool, path + ".region");
    List<String> names = accounts.stream().map(BatchAccount::name).toList();
    String known = "; the accounts are " + String.join(", ", names) + " (from " + from + ")";
    BatchAccount named = accounts.stream().filter(a -> a.name().equals(account)).findFirst().orElse(null);
    List<BatchAccount> inRegion = account != null || region == null ? accounts
        : accounts.stream().filter(a -> region.equalsIgnoreCase(a.region())).toList();
    if (account != null && named == null) {
      throw file.fail(path + ".account", "names the Batch account " + Problem.quote(account)
          + ", which is not configured" + DidYouMean.hint(account, names) + known);
    } else if (named != null && region != null && !region.equalsIgnoreCase(named.region())) {
      throw file.fail(path + ".region", "is " + Problem.quote(region) + " but the account "
          + Problem.quote(named.name()) + " is in "
          + (named.region() == null ? "an unknown region" : Problem.quote(named.region())));
    } else if (named != null || inRegion.size() == 1) {
      return named != null ? account : inRegion.get(0).name();
    } else if (region == null) {
      throw file.fail(path + ".account", "is missing: with several Batch accounts each pool names"
          + " its \"account\" (or \"region\")" + known);
    }
    throw file.fail(path + ".region", "is " + Problem.quote(region) + (inRegion.isEmpty()
        ? ", where no configured Batch account is; the accounts are " + accounts.stream()
            .map(a -> a.name() + " (" + (a.region() == null ? "region unknown" : a.region()) + ")")
            .collect(Collectors.joining(", "))
        : ", where several Batch accounts are (" + inRegion.stream().map(BatchAccount::name)
            .collect(Collectors.joining(", ")) + "): name one with \"account\""));
  }

  /** The string at {@code path} (an object's key) of {@code o}, or null; not empty. */
  private static String text(ConfigFile file, ObjectNode o, String path) {
    JsonNode value = o.get(path.substring(path.lastIndexOf('.') + 1));
    String text = value == null || value.isNull() ? null : file.bind(value, path, String.class);
    if (text != null && text.isBlank()) {
      throw file.fail(path, "is empty");
    }
    return text;
  }
}

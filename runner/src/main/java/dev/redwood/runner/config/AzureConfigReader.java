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
 * Reads the Azure backend's configuration, the parameters file and the credentials file (see {@code
 * docs/azure-config.md}), into an {@link AzureConfig}. Everything is checked before any request
 * goes to Azure; a problem is an {@link AzureConfigException} naming the file and the key. Warnings
 * (keys only AzureClusterlessHPC's Julia runtime uses, a credentials file others can read, a
 * retired node image) go to SLF4J or a given consumer. A pool's settings are its own, else {@code
 * "poolDefaults"}' (where the flat keys go), else Redwood's.
 */
public final class AzureConfigReader {
  private static final Logger LOG = LoggerFactory.getLogger(AzureConfigReader.class);

  /** The environment variable with a storage connection string (as the Azure CLI reads it). */
  public static final String STORAGE_CONNECTION_STRING_ENV = "AZURE_STORAGE_CONNECTION_STRING";

  private AzureConfigReader() {}

  /** The parameters file in the structured form; its pools are bound one by one once placed. */
  private record Parameters(
      String jobId,
      String blobContainer,
      Integer taskRetries,
      Map<String, String> taskEnvironment,
      ObjectNode poolDefaults,
      List<ObjectNode> pools,
      List<BatchAccount> accounts,
      StorageAccount storage) {
    Parameters {
      jobId = jobId == null ? "redwood" : jobId;
      blobContainer = blobContainer == null ? "redwood" : blobContainer;
      taskEnvironment = taskEnvironment == null ? Map.of() : taskEnvironment;
      poolDefaults = poolDefaults == null ? ConfigFile.tree(Map.of()) : poolDefaults;
      AzureNames.BATCH_ID.check("jobId", jobId);
      AzureNames.BLOB_CONTAINER.check("blobContainer", blobContainer);
      if (taskRetries != null) {
        Problem.whole("taskRetries", taskRetries, 0, Integer.MAX_VALUE);
      }
      for (String name : taskEnvironment.keySet()) {
        String problem = AzureNames.ENVIRONMENT_VARIABLE.problem(name);
        Problem.unless(problem == null, "taskEnvironment." + name, problem);
      }
      Problem.unless(!poolDefaults.has("id"), "poolDefaults.id", "belongs in each pool entry");
      Problem.unless(pools != null && !pools.isEmpty(), "pools", "is empty; list a pool");
    }
  }

  /** The credentials file in the structured form. */
  private record Credentials(
      List<BatchAccount> accounts,
      StorageAccount storage,
      List<RegistryLogin> containerRegistries) {}

  /** Reads the files of {@code --parametersFile} and {@code --credentialsFile}; logs warnings. */
  public static AzureConfig read(AzureBatchPipelineOptions options) {
    String credentials = options.getCredentialsFile();
    return read(
        Path.of(options.getParametersFile()),
        credentials == null ? null : Path.of(credentials),
        System.getenv());
  }

  /**
   * Reads and checks the configuration; warnings are logged.
   *
   * @param credentialsFile null to sign in with DefaultAzureCredential
   */
  public static AzureConfig read(
      Path parametersFile, Path credentialsFile, Map<String, String> environment) {
    return read(parametersFile, credentialsFile, environment, LOG::warn);
  }

  /** As {@link #read(Path, Path, Map)}, with each warning given to {@code warnings} instead. */
  public static AzureConfig read(
      Path parametersFile,
      Path credentialsFile,
      Map<String, String> environment,
      Consumer<String> warnings) {
    ConfigFile pf = ConfigFile.read(parametersFile, false);
    ObjectNode tree = ClusterlessHpcKeys.parameters(pf, warnings);
    // Accounts and storage given here sign in with DefaultAzureCredential: no credential keys.
    for (String key : List.of("accounts", "storage")) {
      JsonNode given = tree.path(key);
      for (int i = 0; i < (given.isArray() ? given.size() : 1); i++) {
        String path = given.isArray() ? key + "[" + i + "]" : key;
        (given.isArray() ? given.get(i) : given)
            .fieldNames()
            .forEachRemaining(
                k -> {
                  String misplaced = ClusterlessHpcKeys.misplaced(pf, path, k, List.of());
                  pf.require(misplaced == null, path + "." + k, misplaced);
                });
      }
    }
    Parameters params = pf.bind(tree, "", Parameters.class);
    ConfigFile cf = pf;
    Credentials creds = new Credentials(null, null, null);
    if (credentialsFile != null) {
      FilePermissions.warningFor(credentialsFile, credentialsFile.toString()).ifPresent(warnings);
      cf = ConfigFile.read(credentialsFile, true);
      creds = cf.bind(ClusterlessHpcKeys.credentials(cf, warnings), "", Credentials.class);
    }
    pf.require(
        creds.accounts() == null || params.accounts() == null,
        "accounts",
        "is also given in " + cf.name() + "; give the Batch accounts in one file");
    cf.require(
        creds.accounts() != null || params.accounts() != null,
        cf == pf ? "accounts" : "",
        (cf == pf ? "is missing: " : "gives none, and " + pf.name() + " has no \"accounts\": ")
            + "no Batch account is configured. Give _BATCH_ACCOUNT_URL or \"accounts\" in the"
            + " credentials file, or \"accounts\": [{\"url\":"
            + " \"https://NAME.REGION.batch.azure.com\"}] in the parameters file to sign in with"
            + " DefaultAzureCredential");
    ConfigFile accountsFile = creds.accounts() != null ? cf : pf;
    List<String> spreadOrder = new ArrayList<>();
    List<BatchAccount> accounts =
        accounts(
            accountsFile,
            creds.accounts() != null ? creds.accounts() : params.accounts(),
            spreadOrder,
            warnings);
    StorageAccount storage = storage(pf, cf, params.storage(), creds.storage(), environment);
    return new AzureConfig(
        accounts,
        pools(pf, params, accounts, accountsFile, spreadOrder, warnings),
        storage,
        params.blobContainer(),
        params.jobId(),
        params.taskRetries(),
        params.taskEnvironment(),
        registries(cf, creds.containerRegistries()));
  }

  /**
   * The accounts; entries with one name are one account (AzureClusterlessHPC builds such arrays).
   * {@code spreadOrder} gets every entry's, for the pools made from {@code _POOL_COUNT}.
   */
  private static List<BatchAccount> accounts(
      ConfigFile file,
      List<BatchAccount> entries,
      List<String> spreadOrder,
      Consumer<String> warnings) {
    file.require(!entries.isEmpty(), "accounts", "is empty; list an account or leave it out");
    Map<String, BatchAccount> byName = new LinkedHashMap<>();
    for (int i = 0; i < entries.size(); i++) {
      BatchAccount account = entries.get(i);
      String path = "accounts[" + i + "]";
      String urlRegion = ServiceUrl.parse(account.accountUrl(), false).batchRegion();
      if (urlRegion != null && !urlRegion.equals(account.region().toLowerCase(Locale.ROOT))) {
        warnings.accept(
            file.name()
                + ": "
                + file.resolve(path + ".region")
                + " differs from the"
                + " region of "
                + file.lastKey(path + ".url")
                + " ("
                + urlRegion
                + "); Redwood takes"
                + " the region from "
                + file.lastKey(path + ".region")
                + ", but pools run where the"
                + " account is");
      }
      BatchAccount before = byName.putIfAbsent(account.name(), account);
      file.require(
          before == null || before.accountUrl().equals(account.accountUrl()),
          path + ".url",
          "is a second URL for the account " + Problem.quote(account.name()));
      spreadOrder.add(account.name());
    }
    return List.copyOf(byName.values());
  }

  /** The credentials file's registries, one entry per registry server. */
  private static List<RegistryLogin> registries(ConfigFile file, List<RegistryLogin> given) {
    List<RegistryLogin> registries = given == null ? List.of() : given;
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < registries.size(); i++) {
      Integer before = seen.putIfAbsent(registries.get(i).registryServer(), i);
      file.require(
          before == null,
          ClusterlessHpcKeys.REGISTRIES + "[" + i + "].registryServer",
          "repeats the registry of "
              + ClusterlessHpcKeys.REGISTRIES
              + "["
              + before
              + "]; give each registry once");
    }
    return registries;
  }

  /** The storage account: the credentials file's, else the environment's, else the parameters'. */
  private static StorageAccount storage(
      ConfigFile pf,
      ConfigFile cf,
      StorageAccount given,
      StorageAccount fromCredentials,
      Map<String, String> environment) {
    String connection = environment.getOrDefault(STORAGE_CONNECTION_STRING_ENV, "");
    pf.require(
        fromCredentials == null || given == null,
        "storage",
        "is also given in " + cf.name() + "; give the storage account in one file");
    if (fromCredentials != null || connection.isBlank() && given != null) {
      return fromCredentials != null ? fromCredentials : given;
    }
    cf.require(
        !connection.isBlank(),
        cf == pf ? "storage" : "",
        (cf == pf ? "is missing" : "gives" + " none")
            + ": give _STORAGE_ACCOUNT_NAME or \"storage\" in the credentials file,"
            + " \"storage\": {\"accountName\": ...} in the parameters file, or set "
            + STORAGE_CONNECTION_STRING_ENV);
    StorageAccount fromEnvironment;
    try {
      fromEnvironment = StorageAccount.fromConnectionString(connection);
    } catch (IllegalArgumentException e) {
      throw new AzureConfigException("environment", STORAGE_CONNECTION_STRING_ENV, e.getMessage());
    }
    pf.require(
        given == null || given.accountName().equals(fromEnvironment.accountName()),
        "storage.accountName",
        "is not the account of "
            + STORAGE_CONNECTION_STRING_ENV
            + ", "
            + Problem.quote(fromEnvironment.accountName()));
    return fromEnvironment;
  }

  private static List<PoolConfig> pools(
      ConfigFile file,
      Parameters params,
      List<BatchAccount> accounts,
      ConfigFile accountsFile,
      List<String> spreadOrder,
      Consumer<String> warnings) {
    ObjectNode defaults =
        inherit(
            file,
            params.poolDefaults(),
            "poolDefaults",
            ConfigFile.tree(PoolConfig.DEFAULTS),
            "poolDefaults");
    Map<String, String> ids = new HashMap<>();
    Map<String, String> retired = new LinkedHashMap<>();
    List<PoolConfig> pools = new ArrayList<>();
    for (int i = 0; i < params.pools().size(); i++) {
      String path = "pools[" + i + "]";
      ObjectNode tree = inherit(file, params.pools().get(i), path, defaults, "poolDefaults");
      boolean imageGiven =
          params.poolDefaults().path("image").has("publisher")
              || params.pools().get(i).path("image").has("publisher");
      if (!imageGiven && tree.hasNonNull("containerImage")) {
        // Redwood's default image has no container runtime; a container pool gets one that has.
        ObjectNode image = ConfigFile.tree(DockerCompatibleImages.DEFAULT);
        JsonNode agent = tree.path("image").path("nodeAgentSku");
        boolean agentGiven =
            params.poolDefaults().path("image").has("nodeAgentSku")
                || params.pools().get(i).path("image").has("nodeAgentSku");
        if (agentGiven) {
          image.set("nodeAgentSku", agent);
        }
        tree.set("image", image);
      }
      tree.put(
          "account",
          file.root().hasNonNull("pools")
              ? place(file, tree, path, accounts, accountsFile.name())
              : spreadOrder.get(i % spreadOrder.size()));
      tree.remove("region");
      PoolConfig pool = file.bind(tree, path, PoolConfig.class);
      pools.add(pool);
      String before = ids.putIfAbsent(pool.poolId().toLowerCase(Locale.ROOT), file.resolve(path));
      file.require(
          before == null,
          path + ".id",
          "repeats the pool id "
              + Problem.quote(pool.poolId())
              + " of "
              + before
              + " (pool ids must be unique; Batch ignores case in them)");
      if (pool.containerImage() != null
          && DockerCompatibleImages.of(pool.image()) == DockerCompatibleImages.Runtime.NONE) {
        throw file.fail(
            path + ".image",
            "is "
                + pool.image().publisher()
                + " / "
                + pool.image().offer()
                + " / "
                + pool.image().sku()
                + ", an image without a container runtime, but pool "
                + Problem.quote(pool.poolId())
                + " runs its tasks in the container image "
                + Problem.quote(pool.containerImage())
                + " ("
                + file.resolve(path + ".containerImage")
                + "). Leave the image out to get Redwood's container image for pools, "
                + DockerCompatibleImages.DEFAULT.publisher()
                + " / "
                + DockerCompatibleImages.DEFAULT.offer()
                + " / "
                + DockerCompatibleImages.DEFAULT.sku()
                + ", name an image with a container runtime (docs/azure-config.md,"
                + " \"Containers\"), or leave out the container image to run tasks on the node"
                + " itself");
      }
      String agent = pool.image().nodeAgentSku();
      String image = tree.path("image").has("nodeAgentSku") ? ".image.nodeAgentSku" : ".image";
      if (NodeAgentSkus.retirementWarning(agent) != null) {
        retired.putIfAbsent(
            agent,
            file.name()
                + ": "
                + file.resolve(path + image)
                + ": "
                + NodeAgentSkus.retirementWarning(agent));
      }
      if (pool.dedicatedNodes() + pool.spotNodes() == 0 && pool.autoscaleFormula() == null) {
        warnings.accept(
            file.name()
                + ": pool "
                + Problem.quote(pool.poolId())
                + " ("
                + file.resolve(path)
                + ") has no nodes and no autoscaleFormula, so it gets no tasks");
      }
    }
    retired.values().forEach(warnings);
    return pools;
  }

  /**
   * {@code pool} with the settings it does not give taken from {@code base}, found at {@code from},
   * which errors about them name. An image that gives only its nodeAgentSku refines the base's.
   */
  private static ObjectNode inherit(
      ConfigFile file, ObjectNode pool, String path, ObjectNode base, String from) {
    ObjectNode merged = pool.deepCopy();
    base.fields()
        .forEachRemaining(
            setting -> {
              String key = setting.getKey();
              JsonNode own = merged.get(key);
              if (own == null || own.isNull()) {
                merged.set(key, setting.getValue());
                file.aliasAll(path + "." + key, from + "." + key, setting.getValue());
              } else if (key.equals("image")
                  && own.isObject()
                  && setting.getValue().isObject()
                  && !own.has("publisher")
                  && !own.has("offer")
                  && !own.has("sku")) {
                merged.set(
                    key,
                    inherit(
                        file,
                        (ObjectNode) own,
                        path + "." + key,
                        (ObjectNode) setting.getValue(),
                        from + "." + key));
              }
            });
    return merged;
  }

  /** The account of a {@code "pools"} entry: named, or the one in its region, or the only one. */
  private static String place(
      ConfigFile file, ObjectNode pool, String path, List<BatchAccount> accounts, String from) {
    JsonNode a = pool.get("account");
    JsonNode r = pool.get("region");
    String account = a == null || a.isNull() ? null : file.bind(a, path + ".account", String.class);
    String region = r == null || r.isNull() ? null : file.bind(r, path + ".region", String.class);
    List<String> names = accounts.stream().map(BatchAccount::name).toList();
    String known = "; the accounts are " + String.join(", ", names) + " (from " + from + ")";
    BatchAccount named =
        accounts.stream().filter(b -> b.name().equals(account)).findFirst().orElse(null);
    if (account != null) {
      file.require(
          named != null,
          path + ".account",
          "names the Batch account "
              + Problem.quote(account)
              + ", which is not configured"
              + DidYouMean.hint(account, names)
              + known);
      file.require(
          region == null || region.equalsIgnoreCase(named.region()),
          path + ".region",
          "is "
              + Problem.quote(region)
              + " but the account "
              + Problem.quote(account)
              + " is in "
              + (named.region() == null ? "an unknown region" : Problem.quote(named.region())));
      return account;
    }
    List<BatchAccount> inRegion =
        region == null
            ? accounts
            : accounts.stream().filter(b -> region.equalsIgnoreCase(b.region())).toList();
    file.require(
        inRegion.size() == 1 || region != null,
        path + ".account",
        "is missing: with"
            + " several Batch accounts each pool names its \"account\" (or \"region\")"
            + known);
    file.require(
        inRegion.size() == 1,
        path + ".region",
        "is "
            + Problem.quote(region)
            + (inRegion.isEmpty()
                ? ", where no configured Batch account is; the accounts are "
                    + accounts.stream()
                        .map(
                            b ->
                                b.name()
                                    + " ("
                                    + (b.region() == null ? "region unknown" : b.region())
                                    + ")")
                        .collect(Collectors.joining(", "))
                : ", where several Batch accounts are: name one with \"account\""));
    return inRegion.get(0).name();
  }
}

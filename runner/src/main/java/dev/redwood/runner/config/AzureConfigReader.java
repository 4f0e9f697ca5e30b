package dev.redwood.runner.config;

import static java.util.Objects.requireNonNullElse;
import static java.util.stream.Collectors.joining;

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
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the parameters and credentials files ({@code docs/azure-config.md}) into an {@link
 * AzureConfig}, all checked before any request goes to Azure: a problem is an {@link
 * AzureConfigException} naming the file and the key; warnings go to SLF4J or a given consumer. A
 * pool's settings are its own, else {@code "poolDefaults"}' (where the flat keys go), else
 * Redwood's.
 */
public final class AzureConfigReader {
  private static final Logger LOG = LoggerFactory.getLogger(AzureConfigReader.class);

  /** The environment variable with a storage connection string (as the Azure CLI reads it). */
  public static final String STORAGE_CONNECTION_STRING_ENV = "AZURE_STORAGE_CONNECTION_STRING";

  /** The parameters file, and the credentials file (the parameters file when there is none). */
  private final ConfigFile pf;

  private final ConfigFile cf;
  private final Consumer<String> warnings;

  private AzureConfigReader(ConfigFile pf, ConfigFile cf, Consumer<String> warnings) {
    this.pf = pf;
    this.cf = cf;
    this.warnings = warnings;
  }

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
    Path credentialsFile = credentials == null ? null : Path.of(credentials);
    return read(Path.of(options.getParametersFile()), credentialsFile, System.getenv());
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
        for (String k : ConfigFile.fieldNames(given.isArray() ? given.get(i) : given)) {
          pf.check(path + "." + k, ClusterlessHpcKeys.misplaced(pf, path, k, List.of()));
        }
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
    return new AzureConfigReader(pf, cf, warnings).config(params, creds, environment);
  }

  private AzureConfig config(Parameters params, Credentials creds, Map<String, String> env) {
    onlyOne("accounts", params.accounts(), creds.accounts(), "the Batch accounts");
    requireSomewhere(
        params.accounts() != null || creds.accounts() != null,
        "accounts",
        "gives none, and " + pf.name() + " has no \"accounts\"",
        """
        : no Batch account is configured. Give _BATCH_ACCOUNT_URL or "accounts" in the credentials \
        file, or "accounts": [{"url": "https://NAME.REGION.batch.azure.com"}] in the parameters \
        file to sign in with DefaultAzureCredential""");
    ConfigFile accountsFile = creds.accounts() != null ? cf : pf;
    List<BatchAccount> entries = creds.accounts() != null ? creds.accounts() : params.accounts();
    List<BatchAccount> accounts = accounts(accountsFile, entries);
    StorageAccount storage = storage(params.storage(), creds.storage(), env);
    return new AzureConfig(
        accounts,
        pools(params, accounts, entries, accountsFile.name()),
        storage,
        params.blobContainer(),
        params.jobId(),
        params.taskRetries(),
        params.taskEnvironment(),
        registries(creds.containerRegistries()));
  }

  /** Fails if both files give {@code key}. */
  private void onlyOne(String key, Object inParameters, Object inCredentials, String what) {
    String problem = "is also given in %s; give %s in one file".formatted(cf.name(), what);
    pf.require(inParameters == null || inCredentials == null, key, problem);
  }

  /** Fails unless {@code ok}: neither file gives {@code key}; {@code where} says how to give it. */
  private void requireSomewhere(boolean ok, String key, String none, String where) {
    cf.require(ok, cf == pf ? key : "", (cf == pf ? "is missing" : none) + where);
  }

  /** The accounts; entries with one name are one account (AzureClusterlessHPC makes such). */
  private List<BatchAccount> accounts(ConfigFile file, List<BatchAccount> entries) {
    file.require(!entries.isEmpty(), "accounts", "is empty; list an account or leave it out");
    Map<String, BatchAccount> byName = new LinkedHashMap<>();
    for (int i = 0; i < entries.size(); i++) {
      BatchAccount account = entries.get(i);
      String path = "accounts[" + i + "]";
      String urlRegion = ServiceUrl.parse(account.accountUrl(), false).batchRegion();
      if (urlRegion != null && !urlRegion.equals(account.region().toLowerCase(Locale.ROOT))) {
        String region = file.resolve(path + ".region");
        warnings.accept(
            file.warning(
                """
                %s differs from the region of %s (%s); Redwood takes the region from %s, but pools \
                run where the account is"""
                    .formatted(
                        region, file.lastKey(path + ".url"), urlRegion, file.lastKey(region))));
      }
      BatchAccount before = byName.putIfAbsent(account.name(), account);
      file.require(
          before == null || before.accountUrl().equals(account.accountUrl()),
          path + ".url",
          "is a second URL for the account " + Problem.quote(account.name()));
    }
    return List.copyOf(byName.values());
  }

  /** The credentials file's registries, one entry per registry server. */
  private List<RegistryLogin> registries(List<RegistryLogin> given) {
    List<RegistryLogin> registries = given == null ? List.of() : given;
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < registries.size(); i++) {
      Integer before = seen.putIfAbsent(registries.get(i).registryServer(), i);
      String key = ClusterlessHpcKeys.REGISTRIES;
      String problem = "repeats the registry of %s[%d]; give each registry once";
      cf.require(
          before == null, key + "[" + i + "].registryServer", problem.formatted(key, before));
    }
    return registries;
  }

  /** The storage account: the credentials file's, else the environment's, else the parameters'. */
  private StorageAccount storage(
      StorageAccount given, StorageAccount fromCredentials, Map<String, String> environment) {
    String env = STORAGE_CONNECTION_STRING_ENV;
    String connection = environment.getOrDefault(env, "");
    onlyOne("storage", given, fromCredentials, "the storage account");
    if (fromCredentials != null || connection.isBlank() && given != null) {
      return fromCredentials != null ? fromCredentials : given;
    }
    requireSomewhere(
        !connection.isBlank(),
        "storage",
        "gives none",
        """
        : give _STORAGE_ACCOUNT_NAME or "storage" in the credentials file, "storage": \
        {"accountName": ...} in the parameters file, or set %s"""
            .formatted(env));
    StorageAccount fromEnvironment;
    try {
      fromEnvironment = StorageAccount.fromConnectionString(connection);
    } catch (IllegalArgumentException e) {
      throw new AzureConfigException("environment", env, e.getMessage());
    }
    String name = fromEnvironment.accountName();
    pf.require(
        given == null || given.accountName().equals(name),
        "storage.accountName",
        "is not the account of %s, %s".formatted(env, Problem.quote(name)));
    return fromEnvironment;
  }

  /** The pools, each in an account: as its entry of "pools" says, else spread over the entries. */
  private List<PoolConfig> pools(
      Parameters params, List<BatchAccount> accounts, List<BatchAccount> entries, String from) {
    ObjectNode base = ConfigFile.tree(PoolConfig.DEFAULTS);
    ObjectNode defaults = inherit(params.poolDefaults(), "poolDefaults", base, "poolDefaults");
    Map<String, String> ids = new HashMap<>();
    Map<String, String> retired = new LinkedHashMap<>();
    List<PoolConfig> pools = new ArrayList<>();
    for (int i = 0; i < params.pools().size(); i++) {
      String path = "pools[" + i + "]";
      ObjectNode own = params.pools().get(i);
      ObjectNode tree = inherit(own, path, defaults, "poolDefaults");
      Predicate<String> imageGives =
          k -> params.poolDefaults().path("image").has(k) || own.path("image").has(k);
      if (!imageGives.test("publisher") && tree.hasNonNull("containerImage")) {
        // Redwood's default image has no container runtime; a container pool gets one that has.
        ObjectNode image = ConfigFile.tree(DockerCompatibleImages.DEFAULT);
        if (imageGives.test("nodeAgentSku")) {
          image.set("nodeAgentSku", tree.path("image").path("nodeAgentSku"));
        }
        tree.set("image", image);
      }
      boolean listed = pf.root().hasNonNull("pools");
      String spread = entries.get(i % entries.size()).name();
      tree.put("account", listed ? place(tree, path, accounts, from) : spread);
      tree.remove("region");
      PoolConfig pool = pf.bind(tree, path, PoolConfig.class);
      pools.add(pool);
      String id = Problem.quote(pool.poolId());
      String before = ids.putIfAbsent(pool.poolId().toLowerCase(Locale.ROOT), pf.resolve(path));
      pf.require(
          before == null,
          path + ".id",
          "repeats the pool id %s of %s (pool ids must be unique; Batch ignores case in them)"
              .formatted(id, before));
      if (pool.containerImage() != null && DockerCompatibleImages.lacksRuntime(pool.image())) {
        String container = Problem.quote(pool.containerImage());
        String at = pf.resolve(path + ".containerImage");
        String problem =
            """
            is %s, an image without a container runtime, but pool %s runs its tasks in the \
            container image %s (%s). Leave the image out to get Redwood's container image for \
            pools, %s, name an image with a container runtime (docs/azure-config.md, \
            "Containers"), or leave out the container image to run tasks on the node itself""";
        String image = pool.image().label();
        String ours = DockerCompatibleImages.DEFAULT.label();
        throw pf.fail(path + ".image", problem.formatted(image, id, container, at, ours));
      }
      String agent = pool.image().nodeAgentSku();
      String image =
          path + (tree.path("image").has("nodeAgentSku") ? ".image.nodeAgentSku" : ".image");
      String retirement = NodeAgentSkus.retirementWarning(agent);
      if (retirement != null) {
        retired.putIfAbsent(agent, pf.warning(pf.resolve(image) + ": " + retirement));
      }
      if (pool.dedicatedNodes() + pool.spotNodes() == 0 && pool.autoscaleFormula() == null) {
        String idle = "pool %s (%s) has no nodes and no autoscaleFormula, so it gets no tasks";
        warnings.accept(pf.warning(idle.formatted(id, pf.resolve(path))));
      }
    }
    retired.values().forEach(warnings);
    return pools;
  }

  /**
   * {@code pool} with the settings it does not give taken from {@code base}, found at {@code from},
   * which errors about them name. An image that gives only its nodeAgentSku refines the base's.
   */
  private ObjectNode inherit(ObjectNode pool, String path, ObjectNode base, String from) {
    ObjectNode merged = pool.deepCopy();
    for (String key : ConfigFile.fieldNames(base)) {
      JsonNode own = merged.get(key);
      JsonNode inherited = base.get(key);
      if (own == null || own.isNull()) {
        merged.set(key, inherited);
        pf.aliasAll(path + "." + key, from + "." + key, inherited);
      } else if (key.equals("image")
          && own.isObject()
          && inherited.isObject()
          && Stream.of("publisher", "offer", "sku").noneMatch(own::has)) {
        String at = path + "." + key;
        merged.set(key, inherit((ObjectNode) own, at, (ObjectNode) inherited, from + "." + key));
      }
    }
    return merged;
  }

  /** The account of a {@code "pools"} entry: named, or the one in its region, or the only one. */
  private String place(ObjectNode pool, String path, List<BatchAccount> accounts, String from) {
    String account = pf.string(pool, path, "account");
    String region = pf.string(pool, path, "region");
    List<String> names = accounts.stream().map(BatchAccount::name).toList();
    String known = "; the accounts are " + String.join(", ", names) + " (from " + from + ")";
    if (account != null) {
      BatchAccount named =
          accounts.stream().filter(b -> b.name().equals(account)).findFirst().orElse(null);
      String hint = DidYouMean.hint(account, names);
      String problem = "names the Batch account %s, which is not configured%s%s";
      pf.require(
          named != null, path + ".account", problem.formatted(Problem.quote(account), hint, known));
      String in = named.region() == null ? "an unknown region" : Problem.quote(named.region());
      pf.require(
          region == null || region.equalsIgnoreCase(named.region()),
          path + ".region",
          "is %s but the account %s is in %s"
              .formatted(Problem.quote(region), Problem.quote(account), in));
      return account;
    }
    List<BatchAccount> inRegion =
        region == null
            ? accounts
            : accounts.stream().filter(b -> region.equalsIgnoreCase(b.region())).toList();
    pf.require(
        inRegion.size() == 1 || region != null,
        path + ".account",
        "is missing: with several Batch accounts each pool names its \"account\" (or \"region\")"
            + known);
    String regions =
        accounts.stream()
            .map(b -> b.name() + " (" + requireNonNullElse(b.region(), "region unknown") + ")")
            .collect(joining(", "));
    String where =
        inRegion.isEmpty()
            ? ", where no configured Batch account is; the accounts are " + regions
            : ", where several Batch accounts are: name one with \"account\"";
    pf.require(inRegion.size() == 1, path + ".region", "is " + Problem.quote(region) + where);
    return inRegion.get(0).name();
  }
}

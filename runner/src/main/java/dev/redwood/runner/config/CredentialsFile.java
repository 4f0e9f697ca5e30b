package dev.redwood.runner.config;

import static dev.redwood.runner.config.ClusterlessHpcKeys.AD_BATCH_CLIENT_ID;
import static dev.redwood.runner.config.ClusterlessHpcKeys.AD_SECRET_BATCH;
import static dev.redwood.runner.config.ClusterlessHpcKeys.AD_TENANT;
import static dev.redwood.runner.config.ClusterlessHpcKeys.BATCH_ACCOUNT_NAME;
import static dev.redwood.runner.config.ClusterlessHpcKeys.BATCH_ACCOUNT_URL;
import static dev.redwood.runner.config.ClusterlessHpcKeys.BATCH_RESOURCE;
import static dev.redwood.runner.config.ClusterlessHpcKeys.REGION;
import static dev.redwood.runner.config.ClusterlessHpcKeys.STORAGE_ACCOUNT_KEY;
import static dev.redwood.runner.config.ClusterlessHpcKeys.STORAGE_ACCOUNT_NAME;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The credentials file ({@code --credentialsFile}), read and checked. Three forms:
 *
 * <ul>
 *   <li>an AzureClusterlessHPC object with {@code _BATCH_ACCOUNT_URL}, {@code _AD_TENANT}, ...;
 *   <li>an array of such objects, one per Batch account (possibly several regions): pools made from
 *       {@code _POOL_COUNT} go to the entries in turn, and the job's objects live in the storage
 *       account of the first entry;
 *   <li>Redwood's structured form, {@code {"accounts": [...], "storage": {...}}}, either part
 *       optional.
 * </ul>
 *
 * @param name the file as the user named it
 * @param accounts the Batch accounts, without repeats, or empty if the file gives none
 * @param spreadOrder account names in the order pools made from {@code _POOL_COUNT} take them (an
 *     AzureClusterlessHPC array may name one account in several entries)
 * @param storage the storage account, or null if the file gives none
 */
record CredentialsFile(
    String name, List<BatchAccount> accounts, List<String> spreadOrder, StorageAccount storage) {

  private static final Logger LOG = LoggerFactory.getLogger(CredentialsFile.class);

  static final String ACCOUNTS = "accounts";
  static final String STORAGE = "storage";

  static final String NAME = "name";
  static final String URL = "url";
  static final String REGION_KEY = "region";
  static final String AUTH = "auth";
  static final String BATCH_ACCOUNT_KEY = "batchAccountKey";
  static final String TENANT_ID = "tenantId";
  static final String CLIENT_ID = "clientId";
  static final String CLIENT_SECRET = "clientSecret";
  static final String RESOURCE = "resource";

  static final String STORAGE_NAME = "accountName";
  static final String BLOB_ENDPOINT = "blobEndpoint";
  static final String ACCOUNT_KEY = "accountKey";
  static final String CONNECTION_STRING = "connectionString";

  static final String SHARED_KEY = "sharedKey";
  static final String SERVICE_PRINCIPAL = "servicePrincipal";
  static final String DEFAULT = "default";

  static final List<String> ACCOUNT_KEYS =
      List.of(
          NAME,
          URL,
          REGION_KEY,
          AUTH,
          BATCH_ACCOUNT_KEY,
          TENANT_ID,
          CLIENT_ID,
          CLIENT_SECRET,
          RESOURCE);
  static final List<String> STORAGE_KEYS =
      List.of(STORAGE_NAME, BLOB_ENDPOINT, AUTH, ACCOUNT_KEY, CONNECTION_STRING);

  /** Keys that hold or choose credentials; they belong in this file only. */
  static final Set<String> SECRET_AND_AUTH_KEYS =
      Set.of(
          AUTH,
          BATCH_ACCOUNT_KEY,
          TENANT_ID,
          CLIENT_ID,
          CLIENT_SECRET,
          RESOURCE,
          ACCOUNT_KEY,
          CONNECTION_STRING);

  private static final Set<String> ACCOUNT_SECRETS = Set.of(BATCH_ACCOUNT_KEY, CLIENT_SECRET);
  private static final Set<String> STORAGE_SECRETS = Set.of(ACCOUNT_KEY, CONNECTION_STRING);
  private static final List<String> SERVICE_PRINCIPAL_KEYS =
      List.of(TENANT_ID, CLIENT_ID, CLIENT_SECRET, RESOURCE);

  static CredentialsFile read(Path path, Consumer<String> warnings) {
    FilePermissions.warningFor(path, path.toString()).ifPresent(warnings);
    return parse(ConfigFile.read(path, true), warnings);
  }

  static CredentialsFile parse(ConfigFile file, Consumer<String> warnings) {
    JsonNode root = file.root();
    if (root.isArray()) {
      if (root.isEmpty()) {
        throw new AzureConfigException(
            file.name(), null, "is an empty array; list at least one Batch account");
      }
      List<ConfigObject> entries = new ArrayList<>();
      for (int i = 0; i < root.size(); i++) {
        entries.add(
            ConfigObject.of(
                file,
                "[" + i + "]",
                root.get(i),
                ClusterlessHpcKeys.SECRET_CREDENTIALS,
                "one Batch account's credentials"));
      }
      return flat(file, entries, warnings);
    }
    ConfigObject top =
        ConfigObject.of(
            file,
            "",
            root,
            ClusterlessHpcKeys.SECRET_CREDENTIALS,
            "credentials, or an array of them for several Batch accounts");
    boolean clusterless =
        top.keys().stream().anyMatch(k -> ClusterlessHpcKeys.allCredentials().contains(k))
            || top.keys().stream().noneMatch(k -> k.equals(ACCOUNTS) || k.equals(STORAGE));
    if (clusterless && !top.isEmpty()) {
      return flat(file, List.of(top), warnings);
    }
    return structured(file, top, warnings);
  }

  // ---- AzureClusterlessHPC's form

  private static CredentialsFile flat(
      ConfigFile file, List<ConfigObject> entries, Consumer<String> warnings) {
    Map<String, BatchAccount> byName = new LinkedHashMap<>();
    Map<String, String> whereByName = new LinkedHashMap<>();
    List<String> spread = new ArrayList<>();
    StorageAccount storage = null;
    Set<String> unusedStorage = new LinkedHashSet<>();
    for (ConfigObject e : entries) {
      e.checkKeys(
          ClusterlessHpcKeys.CREDENTIALS,
          ClusterlessHpcKeys.IGNORED_CREDENTIALS,
          "AzureClusterlessHPC's Batch Insights monitoring, which Redwood does not install",
          warnings,
          CredentialsFile::misplacedInFlat);
      AccountLocation location =
          AccountLocation.read(e, BATCH_ACCOUNT_URL, BATCH_ACCOUNT_NAME, REGION, warnings);
      BatchAuth auth = flatAuth(e, warnings);
      BatchAccount account =
          new BatchAccount(location.name(), location.url(), location.region(), auth);
      BatchAccount before = byName.get(location.name());
      if (before == null) {
        byName.put(location.name(), account);
        whereByName.put(location.name(), e.path());
      } else if (!before.accountUrl().equals(account.accountUrl())) {
        throw e.fail(
            BATCH_ACCOUNT_URL,
            "is a second URL for the account name "
                + ConfigObject.quote(location.name())
                + " (see "
                + whereByName.get(location.name())
                + "); Redwood tells Batch accounts apart by name");
      } else if (!before.equals(account)) {
        warnings.accept(
            file.name()
                + ": "
                + e.path()
                + " repeats the Batch account "
                + ConfigObject.quote(location.name())
                + " of "
                + whereByName.get(location.name())
                + " with other settings or credentials; Redwood uses those of "
                + whereByName.get(location.name()));
      }
      spread.add(location.name());

      StorageAccount entryStorage = flatStorage(e);
      if (storage == null && e == entries.get(0)) {
        storage = entryStorage;
      } else if (entryStorage != null
          && (storage == null || !entryStorage.accountName().equals(storage.accountName()))) {
        unusedStorage.add(e.path() + " " + entryStorage.accountName());
      }
    }
    if (!unusedStorage.isEmpty()) {
      LOG.info(
          "{}: the job's objects live in the storage account of the first entry ({}); the"
              + " storage accounts of the other entries are not used: {}",
          file.name(),
          storage == null ? "none" : storage.accountName(),
          String.join(", ", unusedStorage));
    }
    return new CredentialsFile(file.name(), List.copyOf(byName.values()), spread, storage);
  }

  private static BatchAuth flatAuth(ConfigObject e, Consumer<String> warnings) {
    List<String> keys = List.of(AD_TENANT, AD_BATCH_CLIENT_ID, AD_SECRET_BATCH);
    if (keys.stream().noneMatch(e::has)) {
      if (e.has(BATCH_RESOURCE)) {
        warnings.accept(
            e.file().name()
                + ": ignoring "
                + e.at(BATCH_RESOURCE)
                + ": it only applies to a service principal (_AD_TENANT, _AD_BATCH_CLIENT_ID,"
                + " _AD_SECRET_BATCH); without one Redwood uses DefaultAzureCredential");
      }
      return new BatchAuth.DefaultCredential();
    }
    for (String key : keys) {
      if (!e.has(key)) {
        throw e.fail(
            key,
            "is missing: a service principal needs "
                + String.join(", ", keys)
                + " (leave all three out to sign in with DefaultAzureCredential)");
      }
    }
    return servicePrincipal(e, AD_TENANT, AD_BATCH_CLIENT_ID, AD_SECRET_BATCH, BATCH_RESOURCE);
  }

  private static StorageAccount flatStorage(ConfigObject e) {
    if (!e.has(STORAGE_ACCOUNT_NAME)) {
      if (e.has(STORAGE_ACCOUNT_KEY)) {
        throw e.fail(STORAGE_ACCOUNT_KEY, "is given without " + STORAGE_ACCOUNT_NAME);
      }
      return null;
    }
    String name = e.string(STORAGE_ACCOUNT_NAME).orElseThrow();
    String problem = AzureNames.accountName(name);
    if (problem != null) {
      throw e.fail(STORAGE_ACCOUNT_NAME, problem + e.got(STORAGE_ACCOUNT_NAME, name));
    }
    Optional<Secret> key = e.secret(STORAGE_ACCOUNT_KEY);
    key.ifPresent(k -> checkBase64(e, STORAGE_ACCOUNT_KEY, k, "a storage account key"));
    return new StorageAccount(
        name,
        StorageLocation.defaultEndpoint(name),
        key.<StorageAuth>map(StorageAuth.AccountKey::new)
            .orElseGet(StorageAuth.DefaultCredential::new));
  }

  // ---- Redwood's structured form

  private static CredentialsFile structured(
      ConfigFile file, ConfigObject top, Consumer<String> warnings) {
    top.checkKeys(
        List.of(ACCOUNTS, STORAGE), List.of(), "", warnings, CredentialsFile::misplacedAtTop);
    if (!top.has(ACCOUNTS) && !top.has(STORAGE)) {
      throw new AzureConfigException(
          file.name(),
          null,
          "holds no credentials: give AzureClusterlessHPC's keys (_BATCH_ACCOUNT_URL, ...) or"
              + " \"accounts\" and/or \"storage\"");
    }
    List<BatchAccount> accounts = new ArrayList<>();
    Map<String, String> seen = new LinkedHashMap<>();
    Optional<List<ConfigObject>> accountObjects =
        top.objects(ACCOUNTS, ACCOUNT_SECRETS, "one Batch account");
    if (accountObjects.isPresent()) {
      if (accountObjects.get().isEmpty()) {
        throw top.fail(ACCOUNTS, "is empty; list at least one Batch account or leave it out");
      }
      for (ConfigObject a : accountObjects.get()) {
        a.checkKeys(ACCOUNT_KEYS, List.of(), "", warnings, CredentialsFile::misplacedInStructured);
        AccountLocation location = AccountLocation.read(a, URL, NAME, REGION_KEY, warnings);
        String before = seen.putIfAbsent(location.name(), a.path());
        if (before != null) {
          throw a.fail(
              NAME,
              "repeats the Batch account " + ConfigObject.quote(location.name()) + " of " + before);
        }
        accounts.add(
            new BatchAccount(
                location.name(), location.url(), location.region(), accountAuth(a, location)));
      }
    }
    StorageAccount storage =
        top.object(STORAGE, STORAGE_SECRETS, "the storage account")
            .map(s -> structuredStorage(s, warnings))
            .orElse(null);
    List<String> spread = accounts.stream().map(BatchAccount::name).toList();
    return new CredentialsFile(file.name(), accounts, spread, storage);
  }

  private static BatchAuth accountAuth(ConfigObject a, AccountLocation location) {
    boolean key = a.has(BATCH_ACCOUNT_KEY);
    Optional<String> principalKey = SERVICE_PRINCIPAL_KEYS.stream().filter(a::has).findFirst();
    if (key && principalKey.isPresent()) {
      throw a.fail(
          BATCH_ACCOUNT_KEY,
          "cannot be combined with " + principalKey.get() + ": give one way to sign in");
    }
    String kind =
        declaredAuth(a, List.of(SHARED_KEY, SERVICE_PRINCIPAL, DEFAULT))
            .orElse(key ? SHARED_KEY : principalKey.isPresent() ? SERVICE_PRINCIPAL : DEFAULT);
    switch (kind) {
      case SHARED_KEY -> {
        principalKey.ifPresent(
            k -> {
              throw notWith(a, k, kind);
            });
        Secret secret =
            a.secret(BATCH_ACCOUNT_KEY)
                .orElseThrow(
                    () -> a.fail(BATCH_ACCOUNT_KEY, "is missing (\"auth\" is \"sharedKey\")"));
        checkBase64(a, BATCH_ACCOUNT_KEY, secret, "a Batch account key");
        return new BatchAuth.SharedKey(location.name(), secret);
      }
      case SERVICE_PRINCIPAL -> {
        if (key) {
          throw notWith(a, BATCH_ACCOUNT_KEY, kind);
        }
        for (String k : List.of(TENANT_ID, CLIENT_ID, CLIENT_SECRET)) {
          if (!a.has(k)) {
            throw a.fail(
                k, "is missing: a service principal needs tenantId, clientId and clientSecret");
          }
        }
        return servicePrincipal(a, TENANT_ID, CLIENT_ID, CLIENT_SECRET, RESOURCE);
      }
      default -> {
        if (key) {
          throw notWith(a, BATCH_ACCOUNT_KEY, kind);
        }
        principalKey.ifPresent(
            k -> {
              throw notWith(a, k, kind);
            });
        return new BatchAuth.DefaultCredential();
      }
    }
  }

  private static StorageAccount structuredStorage(ConfigObject s, Consumer<String> warnings) {
    s.checkKeys(STORAGE_KEYS, List.of(), "", warnings, CredentialsFile::misplacedInStructured);
    boolean key = s.has(ACCOUNT_KEY);
    boolean connection = s.has(CONNECTION_STRING);
    if (key && connection) {
      throw s.fail(
          ACCOUNT_KEY, "cannot be combined with connectionString: give one way to sign in");
    }
    String kind =
        declaredAuth(s, List.of(ACCOUNT_KEY, CONNECTION_STRING, DEFAULT))
            .orElse(key ? ACCOUNT_KEY : connection ? CONNECTION_STRING : DEFAULT);
    for (String given : Stream.of(ACCOUNT_KEY, CONNECTION_STRING).filter(s::has).toList()) {
      if (!given.equals(kind)) {
        throw notWith(s, given, kind);
      }
    }
    StorageLocation location = StorageLocation.read(s, STORAGE_NAME, BLOB_ENDPOINT);
    if (kind.equals(CONNECTION_STRING)) {
      Secret secret =
          s.secret(CONNECTION_STRING)
              .orElseThrow(
                  () -> s.fail(CONNECTION_STRING, "is missing (\"auth\" is \"connectionString\")"));
      StorageConnectionString parsed;
      try {
        parsed = StorageConnectionString.parse(secret.reveal());
      } catch (IllegalArgumentException e) {
        throw s.fail(CONNECTION_STRING, e.getMessage());
      }
      if (s.has(STORAGE_NAME) && !parsed.accountName().equals(location.accountName())) {
        throw s.fail(
            STORAGE_NAME,
            "is "
                + ConfigObject.quote(location.accountName())
                + " but connectionString is for the account "
                + ConfigObject.quote(parsed.accountName()));
      }
      if (s.has(BLOB_ENDPOINT) && !parsed.blobEndpoint().equals(location.blobEndpoint())) {
        throw s.fail(
            BLOB_ENDPOINT,
            "is "
                + ConfigObject.quote(location.blobEndpoint())
                + " but connectionString has the blob endpoint "
                + ConfigObject.quote(parsed.blobEndpoint()));
      }
      return new StorageAccount(
          parsed.accountName(), parsed.blobEndpoint(), new StorageAuth.ConnectionString(secret));
    }
    if (location.accountName() == null) {
      throw s.fail(STORAGE_NAME, "is missing (the storage account's name)");
    }
    if (kind.equals(ACCOUNT_KEY)) {
      Secret secret =
          s.secret(ACCOUNT_KEY)
              .orElseThrow(() -> s.fail(ACCOUNT_KEY, "is missing (\"auth\" is \"accountKey\")"));
      checkBase64(s, ACCOUNT_KEY, secret, "a storage account key");
      return new StorageAccount(
          location.accountName(), location.blobEndpoint(), new StorageAuth.AccountKey(secret));
    }
    return new StorageAccount(
        location.accountName(), location.blobEndpoint(), new StorageAuth.DefaultCredential());
  }

  // ---- shared

  private static BatchAuth servicePrincipal(
      ConfigObject o, String tenantKey, String clientKey, String secretKey, String resourceKey) {
    String tenant = o.string(tenantKey).orElseThrow();
    String problem = AzureNames.tenant(tenant);
    if (problem != null) {
      throw o.fail(tenantKey, problem + o.got(tenantKey, tenant));
    }
    String client = o.string(clientKey).orElseThrow();
    problem = AzureNames.clientId(client);
    if (problem != null) {
      throw o.fail(clientKey, problem + o.got(clientKey, client));
    }
    Secret secret = o.secret(secretKey).orElseThrow();
    String resource = o.string(resourceKey).orElse(ClusterlessHpcKeys.DEFAULT_BATCH_RESOURCE);
    try {
      ServiceUrl.parse(resource, true);
    } catch (IllegalArgumentException e) {
      throw o.fail(
          resourceKey,
          e.getMessage() + " (the token audience for Batch)" + o.gotUrl(resourceKey, resource));
    }
    return new BatchAuth.ServicePrincipal(tenant, client, secret, resource);
  }

  private static Optional<String> declaredAuth(ConfigObject o, List<String> kinds) {
    Optional<String> declared = o.string(AUTH);
    declared.ifPresent(
        d -> {
          if (!kinds.contains(d)) {
            throw o.fail(
                AUTH,
                "must be one of \""
                    + String.join("\", \"", kinds)
                    + "\""
                    + o.got(AUTH, d)
                    + DidYouMean.hint(d, kinds));
          }
        });
    return declared;
  }

  private static AzureConfigException notWith(ConfigObject o, String key, String kind) {
    return o.fail(key, "is given but \"auth\" is \"" + kind + "\"; remove one of them");
  }

  private static void checkBase64(ConfigObject o, String key, Secret secret, String what) {
    boolean ok;
    try {
      ok = Base64.getDecoder().decode(secret.reveal().trim()).length > 0;
    } catch (IllegalArgumentException e) {
      ok = false;
    }
    if (!ok) {
      throw o.fail(
          key,
          "is not "
              + what
              + " (expected base64 text, as the portal shows it; the value is"
              + " not shown)");
    }
  }

  private static String misplacedInFlat(String key) {
    if (key.equals(ACCOUNTS) || key.equals(STORAGE)) {
      return "is Redwood's structured form, which cannot be mixed with AzureClusterlessHPC's"
          + " _KEYS in one object";
    }
    return misplacedParameter(key);
  }

  private static String misplacedAtTop(String key) {
    if (ClusterlessHpcKeys.allCredentials().contains(key)) {
      return "is an AzureClusterlessHPC key, which cannot be mixed with Redwood's structured"
          + " \"accounts\"/\"storage\" form in one object";
    }
    return misplacedParameter(key);
  }

  /** An AzureClusterlessHPC key inside a structured entry: which key to write instead. */
  private static String misplacedInStructured(String key) {
    String twin =
        Map.of(
                BATCH_ACCOUNT_URL, URL,
                BATCH_ACCOUNT_NAME, NAME,
                REGION, REGION_KEY,
                AD_TENANT, TENANT_ID,
                AD_BATCH_CLIENT_ID, CLIENT_ID,
                AD_SECRET_BATCH, CLIENT_SECRET,
                BATCH_RESOURCE, RESOURCE,
                STORAGE_ACCOUNT_NAME, STORAGE_NAME,
                STORAGE_ACCOUNT_KEY, ACCOUNT_KEY)
            .get(key);
    return twin == null
        ? null
        : "is an AzureClusterlessHPC key; in Redwood's structured form write \"" + twin + "\"";
  }

  private static String misplacedParameter(String key) {
    if (ClusterlessHpcKeys.allParameters().contains(key)
        || ParametersFile.STRUCTURED_KEYS.contains(key)
            && !key.equals(ACCOUNTS)
            && !key.equals(STORAGE)) {
      return "is a parameter: put it in the parameters file (--parametersFile), not in the"
          + " credentials file";
    }
    return null;
  }
}

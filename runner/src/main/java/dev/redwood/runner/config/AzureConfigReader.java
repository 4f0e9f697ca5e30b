package dev.redwood.runner.config;

import dev.redwood.runner.options.AzureBatchPipelineOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
 * <p>Where things come from:
 *
 * <ul>
 *   <li>Batch accounts: the credentials file; without one (or if it gives none), {@code "accounts"}
 *       in the parameters file, signed in with DefaultAzureCredential.
 *   <li>Storage: the credentials file (for an AzureClusterlessHPC array, the first entry's storage
 *       account); otherwise the environment's {@code AZURE_STORAGE_CONNECTION_STRING}, or {@code
 *       "storage"} in the parameters file with DefaultAzureCredential.
 *   <li>Pools: {@code "pools"} entries, placed by {@code "account"} or {@code "region"}; or {@code
 *       _POOL_COUNT} pools named {@code _POOL_ID_1}, {@code _POOL_ID_2}, ... that take the accounts
 *       in turn (pool i goes to entry (i - 1) mod n), as in AzureClusterlessHPC.
 * </ul>
 *
 * <p>See {@code docs/azure-config.md} for every key.
 */
public final class AzureConfigReader {
  private static final Logger LOG = LoggerFactory.getLogger(AzureConfigReader.class);

  /** The environment variable with a storage connection string (as the Azure CLI reads it). */
  public static final String STORAGE_CONNECTION_STRING_ENV = "AZURE_STORAGE_CONNECTION_STRING";

  /** How errors name the environment, which is not a file. */
  static final String ENVIRONMENT = "environment";

  private AzureConfigReader() {}

  /**
   * Reads the files named by {@code --parametersFile} and {@code --credentialsFile}, with this
   * process's environment; warnings are logged.
   */
  public static AzureConfig read(AzureBatchPipelineOptions options) {
    return read(
        Path.of(options.getParametersFile()),
        options.getCredentialsFile() == null ? null : Path.of(options.getCredentialsFile()),
        System.getenv());
  }

  /**
   * Reads and checks the configuration; warnings are logged through SLF4J.
   *
   * @param parametersFile the parameters file (AzureClusterlessHPC's {@code parameters.json}, or
   *     Redwood's structured form)
   * @param credentialsFile the credentials file, or null to use DefaultAzureCredential with
   *     accounts and storage from the parameters file and the environment
   * @param environment the environment variables (normally {@link System#getenv()})
   * @throws AzureConfigException when a file is missing, unreadable, not JSON or has a bad key
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
    ParametersFile params = ParametersFile.read(parametersFile, warnings);
    CredentialsFile creds =
        credentialsFile == null ? null : CredentialsFile.read(credentialsFile, warnings);

    // Batch accounts
    List<BatchAccount> accounts;
    List<String> spreadOrder;
    String accountsFrom;
    if (creds != null && !creds.accounts().isEmpty()) {
      if (!params.accounts().isEmpty()) {
        throw new AzureConfigException(
            params.name(),
            ParametersFile.ACCOUNTS,
            "is also given in " + creds.name() + "; list the Batch accounts in one file");
      }
      accounts = creds.accounts();
      spreadOrder = creds.spreadOrder();
      accountsFrom = creds.name();
    } else if (!params.accounts().isEmpty()) {
      accounts =
          params.accounts().stream()
              .map(
                  a ->
                      new BatchAccount(
                          a.name(), a.url(), a.region(), new BatchAuth.DefaultCredential()))
              .toList();
      spreadOrder = accounts.stream().map(BatchAccount::name).toList();
      accountsFrom = params.name();
    } else if (creds != null) {
      throw new AzureConfigException(
          creds.name(),
          null,
          "gives no Batch account (_BATCH_ACCOUNT_URL or \"accounts\"), and "
              + params.name()
              + " lists no \"accounts\" either");
    } else {
      throw new AzureConfigException(
          params.name(),
          ParametersFile.ACCOUNTS,
          "is missing: no Batch account is configured. Pass --credentialsFile with"
              + " _BATCH_ACCOUNT_URL (AzureClusterlessHPC's form) or \"accounts\", or list"
              + " \"accounts\": [{\"url\": \"https://NAME.REGION.batch.azure.com\"}] here to sign"
              + " in with DefaultAzureCredential");
    }

    StorageAccount storage = storage(params, creds, environment);

    List<PoolConfig> pools = new ArrayList<>();
    for (PoolSpec spec : params.pools()) {
      String account =
          spec.spreadIndex() >= 0
              ? spreadOrder.get(spec.spreadIndex() % spreadOrder.size())
              : place(spec, accounts, accountsFrom);
      pools.add(spec.in(account));
    }

    AzureConfig config =
        new AzureConfig(
            accounts,
            pools,
            storage,
            params.blobContainer(),
            params.jobIdPrefix(),
            params.taskRetries(),
            params.taskEnvironment());
    LOG.info(
        "Azure configuration: pools {}; storage account {}, container {}",
        pools.stream()
            .map(p -> p.poolId() + " in " + p.account())
            .collect(Collectors.joining(", ")),
        storage.accountName(),
        config.blobContainer());
    return config;
  }

  private static StorageAccount storage(
      ParametersFile params, CredentialsFile creds, Map<String, String> environment) {
    if (creds != null && creds.storage() != null) {
      if (params.storage() != null) {
        throw new AzureConfigException(
            params.name(),
            ParametersFile.STORAGE,
            "is also given in " + creds.name() + "; give the storage account in one file");
      }
      return creds.storage();
    }
    String connection = environment.get(STORAGE_CONNECTION_STRING_ENV);
    if (connection != null && !connection.isBlank()) {
      StorageConnectionString parsed;
      try {
        parsed = StorageConnectionString.parse(connection);
      } catch (IllegalArgumentException e) {
        throw new AzureConfigException(ENVIRONMENT, STORAGE_CONNECTION_STRING_ENV, e.getMessage());
      }
      StorageLocation given = params.storage();
      if (given != null && !given.accountName().equals(parsed.accountName())) {
        throw new AzureConfigException(
            params.name(),
            ParametersFile.STORAGE + "." + ParametersFile.STORAGE_ACCOUNT_NAME,
            "is "
                + ConfigObject.quote(given.accountName())
                + " but "
                + STORAGE_CONNECTION_STRING_ENV
                + " is for the account "
                + ConfigObject.quote(parsed.accountName()));
      }
      return new StorageAccount(
          parsed.accountName(),
          parsed.blobEndpoint(),
          new StorageAuth.ConnectionString(new Secret(connection)));
    }
    if (params.storage() != null) {
      return new StorageAccount(
          params.storage().accountName(),
          params.storage().blobEndpoint(),
          new StorageAuth.DefaultCredential());
    }
    throw new AzureConfigException(
        creds != null ? creds.name() : params.name(),
        creds != null ? null : ParametersFile.STORAGE,
        (creds != null ? "gives no storage account, and there is none elsewhere:" : "is missing:")
            + " give _STORAGE_ACCOUNT_NAME (or \"storage\") in the credentials file, \"storage\":"
            + " {\"accountName\": ...} in the parameters file, or set "
            + STORAGE_CONNECTION_STRING_ENV);
  }

  /** The account of a {@code "pools"} entry: named, or the one in its region, or the only one. */
  private static String place(PoolSpec spec, List<BatchAccount> accounts, String accountsFrom) {
    List<String> names = accounts.stream().map(BatchAccount::name).toList();
    String known = String.join(", ", names) + " (from " + accountsFrom + ")";
    if (spec.account() != null) {
      BatchAccount named =
          accounts.stream().filter(a -> a.name().equals(spec.account())).findFirst().orElse(null);
      if (named == null) {
        throw new AzureConfigException(
            spec.file(),
            spec.where() + "." + ParametersFile.POOL_ACCOUNT,
            "names the Batch account "
                + ConfigObject.quote(spec.account())
                + ", which is not configured"
                + DidYouMean.hint(spec.account(), names)
                + "; the accounts are "
                + known);
      }
      if (spec.region() != null && !spec.region().equalsIgnoreCase(named.region())) {
        throw new AzureConfigException(
            spec.file(),
            spec.where() + "." + ParametersFile.POOL_REGION,
            "is "
                + ConfigObject.quote(spec.region())
                + " but the account "
                + ConfigObject.quote(named.name())
                + " is in "
                + (named.region() == null
                    ? "an unknown region"
                    : ConfigObject.quote(named.region())));
      }
      return named.name();
    }
    if (spec.region() != null) {
      List<String> inRegion =
          accounts.stream()
              .filter(a -> spec.region().equalsIgnoreCase(a.region()))
              .map(BatchAccount::name)
              .toList();
      if (inRegion.size() == 1) {
        return inRegion.get(0);
      }
      throw new AzureConfigException(
          spec.file(),
          spec.where() + "." + ParametersFile.POOL_REGION,
          inRegion.isEmpty()
              ? "is "
                  + ConfigObject.quote(spec.region())
                  + ", where no configured Batch account is; the accounts are "
                  + accounts.stream()
                      .map(
                          a ->
                              a.name()
                                  + " ("
                                  + (a.region() == null ? "region unknown" : a.region())
                                  + ")")
                      .collect(Collectors.joining(", "))
              : "is "
                  + ConfigObject.quote(spec.region())
                  + ", where several Batch accounts are ("
                  + String.join(", ", inRegion)
                  + "): name one with \"account\"");
    }
    if (accounts.size() == 1) {
      return accounts.get(0).name();
    }
    throw new AzureConfigException(
        spec.file(),
        spec.where() + "." + ParametersFile.POOL_ACCOUNT,
        "is missing: with several Batch accounts each pool names its \"account\" (or"
            + " \"region\"); the accounts are "
            + known);
  }
}

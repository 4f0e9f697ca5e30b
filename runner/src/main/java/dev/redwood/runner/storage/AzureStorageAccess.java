package dev.redwood.runner.storage;

import com.azure.core.http.HttpClient;
import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobContainerClientBuilder;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.models.UserDelegationKey;
import com.azure.storage.blob.sas.BlobContainerSasPermission;
import com.azure.storage.blob.sas.BlobSasPermission;
import com.azure.storage.blob.sas.BlobServiceSasSignatureValues;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * How an {@link AzureBlobStore} reaches its containers: with the account's credentials on the
 * driver, which can also sign SAS tokens for tasks, or with the SAS tokens a task was granted.
 */
abstract class AzureStorageAccess {
  /** A task's read and list token for its job's container. */
  static final String READ_SAS_VARIABLE = "REDWOOD_STORE_READ_SAS";

  /** A task's create tokens, one per object it may write, as a JSON object key -> token. */
  static final String WRITE_SAS_VARIABLE = "REDWOOD_STORE_WRITE_SAS";

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Signed tokens start a little in the past, so a node whose clock runs behind accepts them. */
  private static final Duration CLOCK_SKEW = Duration.ofMinutes(5);

  abstract BlobContainerClient container(String name);

  abstract BlobClient writer(String container, String blob, String key) throws IOException;

  abstract boolean canCreateContainers();

  abstract Map<String, String> grantTask(
      String container,
      Function<String, AzureBlobStore.BlobName> names,
      Collection<String> writeKeys,
      Duration validity)
      throws IOException;

  abstract String readUrl(String container, String blob, Duration validity) throws IOException;

  /**
   * A container SAS that may create and write blobs of {@code container} (and nothing else: no
   * read, list or delete), valid for {@code validity}; creates the container when missing. For the
   * Batch node agent, which uploads a task's output files with it.
   */
  abstract String grantUpload(String container, Duration validity);

  /** The storage account's name. */
  abstract String accountName();

  /**
   * SAS tokens, one per container, to read, create, write, delete and list its blobs; for tasks
   * that reach the pipeline's own containers through Beam's azfs:// filesystem.
   *
   * @throws IllegalArgumentException naming a container that does not exist
   */
  abstract Map<String, String> grantContainers(Collection<String> containers, Duration validity);

  /**
   * The driver's access. With a shared key it signs service SAS tokens; with an Entra ID credential
   * it signs user-delegation SAS tokens from a delegation key.
   */
  static AzureStorageAccess driver(BlobServiceClient service, boolean sharedKey) {
    return new Driver(service, sharedKey);
  }

  /** A task's access, from the tokens in its environment. */
  static AzureStorageAccess task(String endpoint, Map<String, String> environment) {
    String read = environment.get(READ_SAS_VARIABLE);
    if (read == null) {
      throw new IllegalArgumentException(
          "The task has no " + READ_SAS_VARIABLE + " variable: it cannot read its job's objects");
    }
    Map<String, String> writes;
    try {
      writes =
          JSON.readValue(
              environment.getOrDefault(WRITE_SAS_VARIABLE, "{}"),
              new TypeReference<Map<String, String>>() {});
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("The task's " + WRITE_SAS_VARIABLE + " is not valid JSON");
    }
    return new GrantedAccess(endpoint, read, writes);
  }

  /**
   * User-delegation keys, and so the SAS tokens signed with them, may be valid at most 7 days from
   * when they are asked for (Azure Storage refuses a later expiry).
   */
  static final Duration MAX_DELEGATION = Duration.ofDays(7);

  /** The longest grant this access can sign, or null for no limit (account-key SAS). */
  Duration maxGrantValidity() {
    return null;
  }

  private static final class Driver extends AzureStorageAccess {
    private final BlobServiceClient service;
    private final boolean sharedKey;
    private UserDelegationKey delegation;

    Driver(BlobServiceClient service, boolean sharedKey) {
      this.service = service;
      this.sharedKey = sharedKey;
    }

    @Override
    BlobContainerClient container(String name) {
      return service.getBlobContainerClient(name);
    }

    @Override
    BlobClient writer(String container, String blob, String key) {
      return container(container).getBlobClient(blob);
    }

    @Override
    boolean canCreateContainers() {
      return true;
    }

    @Override
    Duration maxGrantValidity() {
      return sharedKey ? null : MAX_DELEGATION;
    }

    @Override
    Map<String, String> grantTask(
        String container,
        Function<String, AzureBlobStore.BlobName> names,
        Collection<String> writeKeys,
        Duration validity)
        throws IOException {
      Signer signer = new Signer(validity);
      // The job's container exists: the stage specs were written into it before any task.
      BlobContainerClient job = container(container);
      String read =
          signer.sign(
              job,
              new BlobContainerSasPermission().setReadPermission(true).setListPermission(true));
      Map<String, String> writes = new LinkedHashMap<>();
      BlobSasPermission create = new BlobSasPermission().setCreatePermission(true);
      for (String key : writeKeys) {
        AzureBlobStore.BlobName n = names.apply(key);
        if (!n.container().equals(container)) {
          throw new IllegalArgumentException(
              "A task may only write its own job's objects, not '" + key + "'");
        }
        BlobClient blob = job.getBlobClient(n.blob());
        writes.put(key, signer.sign(blob, create));
      }
      return Map.of(READ_SAS_VARIABLE, read, WRITE_SAS_VARIABLE, JSON.writeValueAsString(writes));
    }

    @Override
    String readUrl(String container, String blob, Duration validity) {
      BlobClient client = container(container).getBlobClient(blob);
      String token =
          new Signer(validity).sign(client, new BlobSasPermission().setReadPermission(true));
      return client.getBlobUrl() + "?" + token;
    }

    @Override
    String grantUpload(String name, Duration validity) {
      BlobContainerClient container = container(name);
      container.createIfNotExists();
      return new Signer(validity)
          .sign(
              container,
              new BlobContainerSasPermission().setCreatePermission(true).setWritePermission(true));
    }

    @Override
    String accountName() {
      return service.getAccountName();
    }

    @Override
    Map<String, String> grantContainers(Collection<String> containers, Duration validity) {
      Signer signer = new Signer(validity);
      BlobContainerSasPermission permissions =
          new BlobContainerSasPermission()
              .setReadPermission(true)
              .setAddPermission(true)
              .setCreatePermission(true)
              .setWritePermission(true)
              .setDeletePermission(true)
              .setListPermission(true);
      Map<String, String> tokens = new LinkedHashMap<>();
      for (String name : containers) {
        BlobContainerClient container = container(name);
        // Tasks are told the container exists (a container SAS cannot ask), so check it here.
        if (!container.exists()) {
          throw new IllegalArgumentException(
              "Container '"
                  + name
                  + "' of storage account '"
                  + accountName()
                  + "' does not exist; create it before the run");
        }
        tokens.put(name, signer.sign(container, permissions));
      }
      return tokens;
    }

    /**
     * With an Entra ID credential: a user delegation key valid until at least {@code expiry}. Tasks
     * are granted access one by one, so one key (valid a day longer than asked) serves many grants
     * instead of one service call each.
     */
    private synchronized UserDelegationKey delegationKey(
        OffsetDateTime start, OffsetDateTime expiry) {
      if (sharedKey) {
        return null;
      }
      if (delegation == null || delegation.getSignedExpiry().isBefore(expiry)) {
        OffsetDateTime latest = OffsetDateTime.now().plus(MAX_DELEGATION).minusMinutes(1);
        OffsetDateTime wanted = expiry.plusDays(1);
        delegation = service.getUserDelegationKey(start, wanted.isAfter(latest) ? latest : wanted);
      }
      return delegation;
    }

    /**
     * Signs tokens valid from a little in the past (a node whose clock runs behind accepts them)
     * until {@code validity} from now: service SAS with the account key, user-delegation SAS with
     * an Entra ID credential.
     */
    private final class Signer {
      private final OffsetDateTime start = OffsetDateTime.now().minus(CLOCK_SKEW);
      private final OffsetDateTime expiry;
      private final UserDelegationKey delegation;

      Signer(Duration validity) {
        expiry = OffsetDateTime.now().plus(validity);
        delegation = delegationKey(start, expiry);
      }

      String sign(BlobContainerClient c, BlobContainerSasPermission permission) {
        BlobServiceSasSignatureValues v =
            new BlobServiceSasSignatureValues(expiry, permission).setStartTime(start);
        return delegation == null ? c.generateSas(v) : c.generateUserDelegationSas(v, delegation);
      }

      String sign(BlobClient b, BlobSasPermission permission) {
        BlobServiceSasSignatureValues v =
            new BlobServiceSasSignatureValues(expiry, permission).setStartTime(start);
        return delegation == null ? b.generateSas(v) : b.generateUserDelegationSas(v, delegation);
      }
    }
  }

  private static final class GrantedAccess extends AzureStorageAccess {
    private final String endpoint;
    private final String readToken;
    private final Map<String, String> writeTokens;
    private final HttpClient http = HttpClient.createDefault();

    GrantedAccess(String endpoint, String readToken, Map<String, String> writeTokens) {
      this.endpoint =
          endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint;
      this.readToken = readToken;
      this.writeTokens = Map.copyOf(writeTokens);
    }

    @Override
    BlobContainerClient container(String name) {
      return client(name, readToken);
    }

    @Override
    BlobClient writer(String container, String blob, String key) throws IOException {
      String token = writeTokens.get(key);
      if (token == null) {
        throw new IOException(
            "This task may not write '"
                + key
                + "': the key is outside the attempt's grant, which covers only its own outputs");
      }
      return client(container, token).getBlobClient(blob);
    }

    private BlobContainerClient client(String container, String token) {
      return new BlobContainerClientBuilder()
          .endpoint(endpoint + "/" + container)
          .sasToken(token)
          .httpClient(http)
          .buildClient();
    }

    @Override
    boolean canCreateContainers() {
      return false;
    }

    @Override
    Map<String, String> grantTask(
        String container,
        Function<String, AzureBlobStore.BlobName> names,
        Collection<String> writeKeys,
        Duration validity) {
      throw new UnsupportedOperationException("A task cannot grant access to the store");
    }

    @Override
    String readUrl(String container, String blob, Duration validity) {
      throw new UnsupportedOperationException("A task cannot sign URLs");
    }

    @Override
    String grantUpload(String container, Duration validity) {
      throw new UnsupportedOperationException("A task cannot grant uploads");
    }

    @Override
    String accountName() {
      throw new UnsupportedOperationException("A task does not know the account's name");
    }

    @Override
    Map<String, String> grantContainers(Collection<String> containers, Duration validity) {
      throw new UnsupportedOperationException("A task cannot grant access to containers");
    }
  }
}

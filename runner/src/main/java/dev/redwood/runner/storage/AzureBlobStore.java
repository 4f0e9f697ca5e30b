package dev.redwood.runner.storage;

import com.azure.core.util.BinaryData;
import com.azure.core.util.Context;
import com.azure.identity.DefaultAzureCredentialBuilder;
import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.BlobErrorCode;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.models.BlobRange;
import com.azure.storage.blob.models.BlobRequestConditions;
import com.azure.storage.blob.models.BlobStorageException;
import com.azure.storage.blob.models.ListBlobsOptions;
import com.azure.storage.blob.models.ParallelTransferOptions;
import com.azure.storage.blob.options.BlobInputStreamOptions;
import com.azure.storage.blob.options.BlobParallelUploadOptions;
import com.azure.storage.blob.options.BlobUploadFromFileOptions;
import com.azure.storage.blob.options.BlockBlobOutputStreamOptions;
import com.azure.storage.blob.specialized.BlobOutputStream;
import com.azure.storage.common.StorageSharedKeyCredential;
import dev.redwood.runner.config.StorageAccount;
import dev.redwood.runner.config.StorageAuth;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The blob store of the Azure backend, on Azure Blob Storage (or Azurite).
 *
 * <p>Objects of a job live in a container of their own, {@code <base>-<job id>}, so that a task's
 * read credentials reach that job and nothing else, and deleting a job's objects is one container
 * delete; staged jars, shared by runs, live in the {@code <base>} container. Keys map to names as
 * follows: {@code jobs/<job>/rest} is blob {@code rest} of the job's container, any other key is a
 * blob of the same name in the base container.
 *
 * <p>Writes carry {@code If-None-Match: *}, which gives the write-once objects the {@link
 * BlobStore} contract asks for. The driver opens this store with account credentials ({@link
 * AzureStorageAccess#driver}); a task opens it with the SAS tokens the driver granted it ({@link
 * AzureStorageAccess#task}): read and list on its job's container, create on its own outputs.
 */
public final class AzureBlobStore implements BlobStore {
  /** Location scheme: {@code azblob:<blob endpoint>#<base container>}. */
  static final String SCHEME = "azblob:";

  /** Shuffle readers open many ranges at once; small blocks keep their buffers small. */
  private static final int RANGE_BLOCK_BYTES = 1 << 20;

  private static final long UPLOAD_BLOCK_BYTES = 8L << 20;

  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();

  private final AzureStorageAccess access;
  private final String endpoint;
  private final String baseContainer;
  private final Set<String> createdContainers = ConcurrentHashMap.newKeySet();

  AzureBlobStore(AzureStorageAccess access, String endpoint, String baseContainer) {
    this.access = access;
    this.endpoint = stripSlash(endpoint);
    this.baseContainer = ContainerNames.checkBase(baseContainer);
  }

  /**
   * The store a driver uses: full rights through the account's credentials.
   *
   * @param sharedKey whether {@code service} signs with the account key (task tokens are then
   *     service SAS) or with an Entra ID credential (user-delegation SAS)
   */
  public static AzureBlobStore forDriver(
      BlobServiceClient service, boolean sharedKey, String baseContainer) {
    return new AzureBlobStore(
        AzureStorageAccess.driver(service, sharedKey), service.getAccountUrl(), baseContainer);
  }

  /** The store a driver uses, from the configured storage account and its credentials. */
  public static AzureBlobStore forDriver(StorageAccount account, String baseContainer) {
    BlobServiceClientBuilder builder = new BlobServiceClientBuilder();
    boolean sharedKey;
    if (account.auth() instanceof StorageAuth.AccountKey k) {
      builder
          .endpoint(account.blobEndpoint())
          .credential(new StorageSharedKeyCredential(account.accountName(), k.key().reveal()));
      sharedKey = true;
    } else if (account.auth() instanceof StorageAuth.ConnectionString c) {
      builder.connectionString(c.connectionString().reveal());
      sharedKey =
          c.connectionString().reveal().contains("AccountKey=")
              || c.connectionString().reveal().contains("UseDevelopmentStorage=true");
    } else {
      builder
          .endpoint(account.blobEndpoint())
          .credential(new DefaultAzureCredentialBuilder().build());
      sharedKey = false;
    }
    return forDriver(builder.buildClient(), sharedKey, baseContainer);
  }

  /** Opens {@link #location()} inside a task, with the SAS tokens of its environment. */
  static AzureBlobStore forTask(String location, Map<String, String> environment) {
    int hash = location.lastIndexOf('#');
    if (!location.startsWith(SCHEME) || hash < 0) {
      throw new IllegalArgumentException(
          "Not an Azure blob store location (azblob:<endpoint>#<container>): " + location);
    }
    String endpoint = location.substring(SCHEME.length(), hash);
    String base = location.substring(hash + 1);
    return new AzureBlobStore(AzureStorageAccess.task(endpoint, environment), endpoint, base);
  }

  @Override
  public Duration maxGrantValidity() {
    return access.maxGrantValidity();
  }

  @Override
  public String grantLimitReason() {
    return access.maxGrantValidity() == null
        ? null
        : "it is reached with an Entra ID credential, whose grants (user-delegation SAS) Azure"
            + " Storage limits to "
            + access.maxGrantValidity().toDays()
            + " days";
  }

  @Override
  public String location() {
    return SCHEME + endpoint + "#" + baseContainer;
  }

  @Override
  public String describe(String key) {
    BlobName n = name(key);
    return endpoint + "/" + n.container() + "/" + n.blob();
  }

  /** The container and blob name a key (or a key prefix) maps to. */
  record BlobName(String container, String blob) {}

  BlobName name(String key) {
    checkKey(key);
    if (key.startsWith("jobs/")) {
      int slash = key.indexOf('/', "jobs/".length());
      if (slash < 0) {
        throw new IllegalArgumentException("Key '" + key + "' must name a job: jobs/<job>/...");
      }
      String job = key.substring("jobs/".length(), slash);
      return new BlobName(ContainerNames.job(baseContainer, job), key.substring(slash + 1));
    }
    return new BlobName(baseContainer, key);
  }

  private BlobClient reader(String key) {
    BlobName n = name(key);
    return access.container(n.container()).getBlobClient(n.blob());
  }

  private BlobClient writer(String key) throws IOException {
    BlobName n = name(key);
    if (access.canCreateContainers() && createdContainers.add(n.container())) {
      try {
        access.container(n.container()).createIfNotExists();
      } catch (BlobStorageException e) {
        createdContainers.remove(n.container());
        throw failure("create container " + n.container() + " for", key, e);
      }
    }
    return access.writer(n.container(), n.blob(), key);
  }

  @Override
  public void put(String key, byte[] bytes) throws IOException {
    BlobClient blob = writer(key);
    try {
      blob.uploadWithResponse(
          new BlobParallelUploadOptions(BinaryData.fromBytes(bytes))
              .setRequestConditions(createOnly()),
          null,
          Context.NONE);
    } catch (BlobStorageException e) {
      throw writeFailure(key, e);
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  /**
   * A task's token may only create: the service refuses an existing name with 403 before it looks
   * at {@code If-None-Match}, so a 403 on an existing object means "exists".
   */
  private IOException writeFailure(String key, BlobStorageException e) {
    if (e.getStatusCode() == 403) {
      try {
        if (exists(key)) {
          return new BlobExistsException(key);
        }
      } catch (IOException notReadable) {
        // fall through to the original error
      }
    }
    return failure("write", key, e);
  }

  @Override
  public OutputStream create(String key) throws IOException {
    BlobClient blob = writer(key);
    BlobOutputStream out;
    try {
      out =
          blob.getBlockBlobClient()
              .getBlobOutputStream(
                  new BlockBlobOutputStreamOptions()
                      .setParallelTransferOptions(
                          new ParallelTransferOptions()
                              .setBlockSizeLong(UPLOAD_BLOCK_BYTES)
                              .setMaxConcurrency(2))
                      .setRequestConditions(createOnly()));
    } catch (BlobStorageException e) {
      throw failure("write", key, e);
    }
    // Blocks are staged as the stream fills and committed on close: the object appears whole,
    // and blocks of a stream that is never closed are never committed.
    return new FilterOutputStream(out) {
      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        try {
          out.write(b, off, len);
        } catch (BlobStorageException e) {
          throw writeFailure(key, e);
        }
      }

      @Override
      public void close() throws IOException {
        try {
          out.close();
        } catch (IOException e) {
          if (e.getCause() instanceof BlobStorageException se) {
            throw writeFailure(key, se);
          }
          throw e;
        } catch (BlobStorageException e) {
          throw writeFailure(key, e);
        }
      }
    };
  }

  @Override
  public void putFile(String key, Path file) throws IOException {
    BlobClient blob = writer(key);
    try {
      blob.uploadFromFileWithResponse(
          new BlobUploadFromFileOptions(file.toString())
              .setParallelTransferOptions(
                  new ParallelTransferOptions().setBlockSizeLong(UPLOAD_BLOCK_BYTES))
              .setRequestConditions(createOnly()),
          null,
          Context.NONE);
    } catch (BlobStorageException e) {
      throw writeFailure(key, e);
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  @Override
  public byte[] get(String key) throws IOException {
    return read("read", key, blob -> blob.downloadContent().toBytes());
  }

  @Override
  public InputStream open(String key) throws IOException {
    return read("read", key, BlobClient::openInputStream);
  }

  @Override
  public InputStream openRange(String key, long offset, long length) throws IOException {
    if (length == 0) {
      size(key); // a missing object must still fail
      return InputStream.nullInputStream();
    }
    BlobInputStreamOptions range =
        new BlobInputStreamOptions()
            .setRange(new BlobRange(offset, length))
            .setBlockSize((int) Math.min(RANGE_BLOCK_BYTES, length));
    return read("read", key, blob -> blob.openInputStream(range));
  }

  @Override
  public void download(String key, Path target) throws IOException {
    Path parent = target.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    read("read", key, blob -> blob.downloadToFile(target.toString(), true));
  }

  @Override
  public boolean exists(String key) throws IOException {
    return read("check", key, BlobClient::exists);
  }

  @Override
  public long size(String key) throws IOException {
    return read("read", key, blob -> blob.getProperties().getBlobSize());
  }

  /** Runs one read of {@code key}'s blob, with the SDK's errors turned into the store's. */
  private <T> T read(String what, String key, Function<BlobClient, T> operation)
      throws IOException {
    try {
      return operation.apply(reader(key));
    } catch (BlobStorageException e) {
      throw failure(what, key, e);
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  @Override
  public List<String> list(String prefix) throws IOException {
    BlobName n = name(prefix);
    String keyPrefix = prefix.substring(0, prefix.length() - n.blob().length());
    List<String> keys = new ArrayList<>();
    try {
      for (BlobItem item :
          access
              .container(n.container())
              .listBlobs(new ListBlobsOptions().setPrefix(n.blob()), null)) {
        keys.add(keyPrefix + item.getName());
      }
    } catch (BlobStorageException e) {
      if (e.getErrorCode() == BlobErrorCode.CONTAINER_NOT_FOUND) {
        return List.of();
      }
      throw failure("list", prefix, e);
    }
    keys.sort(null);
    return keys;
  }

  @Override
  public void delete(String key) throws IOException {
    try {
      reader(key).deleteIfExists();
    } catch (BlobStorageException e) {
      if (e.getErrorCode() != BlobErrorCode.CONTAINER_NOT_FOUND) {
        throw failure("delete", key, e);
      }
    }
  }

  @Override
  public void deletePrefix(String prefix) throws IOException {
    BlobName n = name(prefix);
    if (prefix.startsWith("jobs/") && n.blob().isEmpty()) {
      // A whole job: one container delete instead of one call per object.
      try {
        access.container(n.container()).deleteIfExists();
        createdContainers.remove(n.container());
      } catch (BlobStorageException e) {
        throw failure("delete", prefix, e);
      }
      return;
    }
    for (String key : list(prefix)) {
      delete(key);
    }
  }

  @Override
  public Map<String, String> taskAccess(
      String jobId, Collection<String> writeKeys, Duration validity) throws IOException {
    String container = ContainerNames.job(baseContainer, jobId);
    try {
      return access.grantTask(container, this::name, writeKeys, validity);
    } catch (BlobStorageException e) {
      throw failure("grant task access to", "jobs/" + jobId + "/", e);
    }
  }

  @Override
  public String azfsAccount() {
    return access.accountName();
  }

  @Override
  public Map<String, String> azfsAccess(Collection<String> containers, Duration validity)
      throws IOException {
    if (containers.isEmpty()) {
      return Map.of();
    }
    try {
      return Map.of(
          TaskAzfsClients.ENDPOINT_VARIABLE,
          endpoint,
          TaskAzfsClients.SAS_VARIABLE,
          JSON.writeValueAsString(access.grantContainers(containers, validity)));
    } catch (BlobStorageException e) {
      throw failure("grant tasks access to the containers of", containers.toString(), e);
    }
  }

  @Override
  public UploadTarget uploadTarget(String suffix, Duration validity) throws IOException {
    String container = ContainerNames.sibling(baseContainer, suffix);
    try {
      String sas = access.grantUpload(container, validity);
      return new UploadTarget(access.accountName(), container, endpoint + "/" + container, sas);
    } catch (BlobStorageException e) {
      throw failure("grant uploads to container", container, e);
    }
  }

  @Override
  public int deleteUploadsBefore(String suffix, Instant cutoff, int maxListed) throws IOException {
    String container = ContainerNames.sibling(baseContainer, suffix);
    BlobContainerClient client = access.container(container);
    int listed = 0;
    int deleted = 0;
    try {
      for (BlobItem item :
          client.listBlobs(
              new ListBlobsOptions().setMaxResultsPerPage(Math.min(maxListed, 5000)), null)) {
        if (++listed > maxListed) {
          break;
        }
        OffsetDateTime modified = item.getProperties().getLastModified();
        if (modified != null && modified.toInstant().isBefore(cutoff)) {
          client.getBlobClient(item.getName()).deleteIfExists();
          deleted++;
        }
      }
    } catch (BlobStorageException e) {
      if (e.getErrorCode() == BlobErrorCode.CONTAINER_NOT_FOUND) {
        return deleted;
      }
      throw failure("delete old blobs of container", container, e);
    }
    return deleted;
  }

  @Override
  public String readUrl(String key, Duration validity) throws IOException {
    BlobName n = name(key);
    try {
      return access.readUrl(n.container(), n.blob(), validity);
    } catch (BlobStorageException e) {
      throw failure("sign a URL for", key, e);
    }
  }

  private static BlobRequestConditions createOnly() {
    return new BlobRequestConditions().setIfNoneMatch("*");
  }

  /**
   * Turns an SDK error into the store's exceptions. The message names the key and the service's
   * error code, never a URL: a task's URLs carry its SAS token.
   */
  static IOException failure(String what, String key, BlobStorageException e) {
    BlobErrorCode code = e.getErrorCode();
    int status = e.getStatusCode();
    if (status == 404
        && (code == BlobErrorCode.BLOB_NOT_FOUND
            || code == BlobErrorCode.CONTAINER_NOT_FOUND
            || code == null)) {
      return new BlobNotFoundException(key);
    }
    if (status == 409 && code == BlobErrorCode.BLOB_ALREADY_EXISTS
        || status == 412 && "write".equals(what)) {
      return new BlobExistsException(key);
    }
    return new IOException(
        "Could not "
            + what
            + " '"
            + key
            + "' in Azure Blob Storage: HTTP "
            + status
            + (code != null ? " " + code : ""));
  }

  private static void checkKey(String key) {
    if (key.startsWith("/") || key.contains("//") || key.contains("..")) {
      throw new IllegalArgumentException("Invalid blob store key '" + key + "'");
    }
  }

  private static String stripSlash(String s) {
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }
}

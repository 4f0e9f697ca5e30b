package dev.redwood.runner.storage;

import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpHeaders;
import com.azure.core.http.HttpMethod;
import com.azure.core.http.HttpPipelineCallContext;
import com.azure.core.http.HttpPipelineNextPolicy;
import com.azure.core.http.HttpPipelineNextSyncPolicy;
import com.azure.core.http.HttpPipelinePosition;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.http.policy.HttpPipelinePolicy;
import com.azure.core.util.DateTimeRfc1123;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.azure.options.BlobstoreClientBuilderFactory;
import org.apache.beam.sdk.io.azure.options.BlobstoreOptions;
import org.apache.beam.sdk.options.Hidden;
import org.apache.beam.sdk.options.PipelineOptions;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Beam's {@code azfs://} filesystem (io-azure) inside a task of the Azure backend. Nodes hold no
 * account key, so the driver grants each job a SAS token per container its options name ({@link
 * AzfsContainers}); {@link #configure} points io-azure at this factory, whose clients sign every
 * request with the token of the container it addresses.
 */
public final class TaskAzfsClients implements BlobstoreClientBuilderFactory {
  /** The blob endpoint of the storage account. */
  static final String ENDPOINT_VARIABLE = "REDWOOD_AZFS_ENDPOINT";

  /** The granted tokens, as a JSON object container -> SAS token. */
  static final String SAS_VARIABLE = "REDWOOD_AZFS_SAS";

  private static final ObjectMapper JSON = new ObjectMapper();

  private static final String NO_GRANT_ENDPOINT = "https://no-azfs-grant.invalid";

  /** Sets the options remote nodes receive to use this factory (see {@code NodeOptions}). */
  public static void useOnNodes(PipelineOptions nodeOptions) {
    nodeOptions.as(BlobstoreOptions.class).setBlobstoreClientFactoryClass(TaskAzfsClients.class);
  }

  /** A task's grant, held in its options object and never serialized. */
  @Hidden
  public interface GrantOptions extends PipelineOptions {
    @JsonIgnore
    String getAzfsGrantEndpoint();

    void setAzfsGrantEndpoint(String endpoint);

    @JsonIgnore
    Map<String, String> getAzfsGrantTokens();

    void setAzfsGrantTokens(Map<String, String> tokens);
  }

  /**
   * Makes io-azure in this task use the grant in {@code environment}, if the driver gave one; then
   * (re)registers Beam's filesystems with the changed options.
   */
  public static void configure(PipelineOptions options, Map<String, String> environment) {
    String tokens = environment.get(SAS_VARIABLE);
    if (tokens == null) {
      return;
    }
    GrantOptions grant = options.as(GrantOptions.class);
    grant.setAzfsGrantEndpoint(environment.get(ENDPOINT_VARIABLE));
    try {
      grant.setAzfsGrantTokens(JSON.readValue(tokens, new TypeReference<Map<String, String>>() {}));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("The task's " + SAS_VARIABLE + " is not valid JSON");
    }
    BlobstoreOptions blobstore = options.as(BlobstoreOptions.class);
    blobstore.setBlobstoreClientFactoryClass(TaskAzfsClients.class);
    blobstore.setBlobServiceEndpoint(grant.getAzfsGrantEndpoint());
    // io-azure copies (and so renames, as file sinks do) from the source's URL followed by this
    // "token"; a bare '?' ends the URL, and the policy puts the source container's token there.
    blobstore.setSasToken("?");
    FileSystems.setDefaultPipelineOptions(options);
  }

  @Override
  public BlobServiceClientBuilder createBuilder(BlobstoreOptions options) {
    // io-azure asks for a builder whenever filesystems are registered, also before configure()
    // has set the grant, and builds the client on first use; without a grant every request then
    // fails, naming the container.
    GrantOptions grant = options.as(GrantOptions.class);
    String endpoint =
        grant.getAzfsGrantEndpoint() != null ? grant.getAzfsGrantEndpoint() : NO_GRANT_ENDPOINT;
    Map<String, String> tokens =
        grant.getAzfsGrantTokens() != null ? grant.getAzfsGrantTokens() : Map.of();
    return new BlobServiceClientBuilder()
        .endpoint(endpoint)
        .addPolicy(new ContainerSas(URI.create(endpoint).getPath(), tokens));
  }

  /**
   * Adds the token of the addressed container to each request (and to a copy's source). A container
   * SAS cannot read the container's own properties, which io-azure asks for before every create and
   * open; the driver checked that the granted containers exist, so those questions are answered
   * here.
   */
  static final class ContainerSas implements HttpPipelinePolicy {
    private static final HttpHeaders EXISTS =
        new HttpHeaders()
            .set(
                HttpHeaderName.LAST_MODIFIED,
                // Two-digit day, as the service sends it (azure-core rejects "Mon, 7 Dec").
                DateTimeRfc1123.toRfc1123String(OffsetDateTime.now(ZoneOffset.UTC)))
            .set(HttpHeaderName.ETAG, "\"granted\"")
            .set(HttpHeaderName.CONTENT_LENGTH, "0");

    private static final HttpHeaderName COPY_SOURCE = HttpHeaderName.fromString("x-ms-copy-source");

    private final String basePath;
    private final Map<String, String> tokens;

    ContainerSas(String basePath, Map<String, String> tokens) {
      this.basePath = basePath.endsWith("/") ? basePath : basePath + "/";
      this.tokens = Map.copyOf(tokens);
    }

    @Override
    public HttpPipelinePosition getPipelinePosition() {
      return HttpPipelinePosition.PER_CALL;
    }

    @Override
    public Mono<HttpResponse> process(
        HttpPipelineCallContext context, HttpPipelineNextPolicy next) {
      try {
        HttpResponse answered = sign(context.getHttpRequest());
        return answered != null ? Mono.just(answered) : next.process();
      } catch (IllegalStateException e) {
        return Mono.error(e);
      }
    }

    @Override
    public HttpResponse processSync(
        HttpPipelineCallContext context, HttpPipelineNextSyncPolicy next) {
      HttpResponse answered = sign(context.getHttpRequest());
      return answered != null ? answered : next.processSync();
    }

    /** Signs {@code request}, or answers it when it only asks whether the container exists. */
    private HttpResponse sign(HttpRequest request) {
      URI url = URI.create(request.getUrl().toString());
      String rest = pathInAccount(url);
      int slash = rest.indexOf('/');
      String container = slash < 0 ? rest : rest.substring(0, slash);
      String token = token(container);
      String query = url.getRawQuery() == null ? "" : url.getRawQuery();
      boolean containerItself = slash < 0 || slash == rest.length() - 1;
      if (containerItself
          && query.contains("restype=container")
          && !query.contains("comp=")
          && (request.getHttpMethod() == HttpMethod.GET
              || request.getHttpMethod() == HttpMethod.HEAD)) {
        return new Exists(request);
      }
      if (!query.contains("sig=")) {
        String base = request.getUrl().toString();
        request.setUrl(base + (query.isEmpty() ? "?" : "&") + token);
      }
      String copySource = request.getHeaders().getValue(COPY_SOURCE);
      if (copySource != null) {
        request.getHeaders().set(COPY_SOURCE, signedSource(copySource));
      }
      return null;
    }

    /** A copy's source URL with its container's token (the service reads it with that). */
    private String signedSource(String source) {
      String rest = pathInAccount(URI.create(source));
      int slash = rest.indexOf('/');
      String token = token(slash < 0 ? rest : rest.substring(0, slash));
      int query = source.indexOf('?');
      return (query < 0 ? source : source.substring(0, query)) + "?" + token;
    }

    /** {@code container/blob} of a URL of this account. */
    private String pathInAccount(URI url) {
      String path = url.getRawPath();
      return path.startsWith(basePath) ? path.substring(basePath.length()) : "";
    }

    private String token(String container) {
      String token = tokens.get(container);
      if (token == null) {
        String message =
            "This task was granted no access to container '"
                + container
                + "': tasks reach the containers that azfs:// paths in the pipeline options name";
        // The storage SDK's synchronous calls rethrow an exception's cause and drop the
        // exception itself, so the message travels in both.
        throw new IllegalStateException(message, new IllegalStateException(message));
      }
      return token;
    }

    private static final class Exists extends HttpResponse {
      Exists(HttpRequest request) {
        super(request);
      }

      @Override
      public int getStatusCode() {
        return 200;
      }

      @Override
      @Deprecated
      public String getHeaderValue(String name) {
        return EXISTS.getValue(name);
      }

      @Override
      public HttpHeaders getHeaders() {
        return EXISTS;
      }

      @Override
      public Flux<ByteBuffer> getBody() {
        return Flux.empty();
      }

      @Override
      public Mono<byte[]> getBodyAsByteArray() {
        return Mono.just(new byte[0]);
      }

      @Override
      public Mono<String> getBodyAsString() {
        return Mono.just("");
      }

      @Override
      public Mono<String> getBodyAsString(Charset charset) {
        return Mono.just("");
      }
    }
  }
}

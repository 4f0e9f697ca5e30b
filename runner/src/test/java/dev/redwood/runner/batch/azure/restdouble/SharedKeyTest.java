package dev.redwood.runner.batch.azure.restdouble;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;

import com.microsoft.azure.batch.auth.BatchSharedKeyCredentials;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.junit.jupiter.api.Test;

/** The double's SharedKey check agrees with the signature the SDK's own interceptor computes. */
class SharedKeyTest {
  private static final String ACCOUNT = "MyAccount";
  private final String key = BatchRestDouble.newKey();

  /** Signs a request with the SDK's interceptor (no network) and returns it as sent. */
  private Request signedBySdk(Request request) throws IOException {
    AtomicReference<Request> seen = new AtomicReference<>();
    OkHttpClient.Builder builder = new OkHttpClient.Builder();
    new BatchSharedKeyCredentials("http://127.0.0.1:1", ACCOUNT, key)
        .applyCredentialsFilter(builder);
    builder.addInterceptor(
        chain -> {
          seen.set(chain.request());
          return new Response.Builder()
              .request(chain.request())
              .protocol(Protocol.HTTP_1_1)
              .code(200)
              .message("OK")
              .body(ResponseBody.create(null, new byte[0]))
              .build();
        });
    builder.build().newCall(request).execute().close();
    return seen.get();
  }

  /** What the double computes from the request as it arrives on the wire. */
  private String doubleSignature(Request sent) throws IOException {
    Map<String, String> headers = new LinkedHashMap<>();
    for (String name : sent.headers().names()) {
      headers.put(name.toLowerCase(Locale.ROOT), sent.header(name));
    }
    if (sent.body() != null) {
      if (sent.body().contentLength() >= 0) {
        headers.put("content-length", Long.toString(sent.body().contentLength()));
      }
      if (sent.body().contentType() != null && !headers.containsKey("content-type")) {
        headers.put("content-type", sent.body().contentType().toString());
      }
    }
    HttpUrl url = sent.url();
    return SharedKey.sign(
        key,
        SharedKey.stringToSign(
            sent.method(), headers, url.encodedPath(), url.encodedQuery(), ACCOUNT));
  }

  private void assertSameSignature(Request request) throws IOException {
    Request sent = signedBySdk(request);
    String auth = sent.header("Authorization");
    assertThat(auth, startsWith("SharedKey " + ACCOUNT + ":"));
    assertThat(auth.substring(auth.indexOf(':') + 1), is(doubleSignature(sent)));
  }

  @Test
  void getWithFilterSelectAndPaging() throws IOException {
    HttpUrl url =
        HttpUrl.parse("http://127.0.0.1:1/jobs/job-1/tasks")
            .newBuilder()
            .addQueryParameter("api-version", "2024-07-01.20.0")
            .addQueryParameter(
                "$filter",
                "(state eq 'completed' or state eq 'running') and executionInfo/endTime ge"
                    + " datetime'2024-01-01T00:00:00+00:00'")
            .addQueryParameter("$select", "id,state")
            .addQueryParameter("maxresults", "40")
            .addQueryParameter("$skiptoken", "120")
            .build();
    assertSameSignature(
        new Request.Builder()
            .url(url)
            .header("Content-Type", "application/json; charset=utf-8")
            .header("ocp-range", "bytes=0-9")
            .get()
            .build());
  }

  @Test
  void postDeleteAndEncodedPaths() throws IOException {
    MediaType json = MediaType.parse("application/json; odata=minimalmetadata; charset=utf-8");
    assertSameSignature(
        new Request.Builder()
            .url(
                "http://127.0.0.1:1/jobs/j/addtaskcollection?api-version=2024-07-01.20.0&timeout=30")
            .post(RequestBody.create(json, "{\"value\":[]}"))
            .build());
    assertSameSignature(
        new Request.Builder()
            .url("http://127.0.0.1:1/jobs/j/tasks/t/terminate?api-version=2024-07-01.20.0")
            .post(RequestBody.create(null, new byte[0]))
            .build());
    assertSameSignature(
        new Request.Builder()
            .url(
                "http://127.0.0.1:1/jobs/j/tasks/t/files/wd%2Fout%20put.txt?api-version=2024-07-01.20.0")
            .header("Content-Type", "application/json; charset=utf-8")
            .delete(RequestBody.create(null, new byte[0]))
            .build());
  }

  @Test
  void queryDecodingMatchesOkHttp() {
    assertThat(SharedKey.okhttpDecodedQuery("a=b%2Bc&d=e+f&g"), is("a=b+c&d=e f&g"));
    assertThat(SharedKey.percentDecode("%zz%41", true), is("%zzA"));
    assertThat(SharedKey.percentDecode("a+b", false), is("a+b"));
  }
}

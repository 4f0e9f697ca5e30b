package dev.redwood.runner.batch.azure.restdouble;

import java.io.ByteArrayOutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The Batch service's SharedKey scheme: the string to sign and its HMAC-SHA256 signature.
 *
 * <p>String to sign: the verb; Content-Encoding, Content-Language, Content-Length, Content-MD5,
 * Content-Type, Date, If-Modified-Since, If-Match, If-None-Match, If-Unmodified-Since and Range
 * (empty when absent, as sent otherwise: the SDK sends none on a GET and "0" on an empty DELETE or
 * POST, java.net.http sends "0" on a GET), each followed by a newline; every {@code ocp-*} header,
 * lowercased and sorted, as {@code name:value\n}; {@code /account/path}; then every query parameter
 * sorted by lowercased name as {@code \nname:value}. The query is decoded the way the track-1 SDK
 * decodes it (twice), so the double accepts exactly what that SDK signs. Tests can use {@link
 * #authorization} to sign raw requests.
 */
public final class SharedKey {
  private SharedKey() {}

  private static final String[] STANDARD_HEADERS = {
    "content-encoding",
    "content-language",
    "content-length",
    "content-md5",
    "content-type",
    "date",
    "if-modified-since",
    "if-match",
    "if-none-match",
    "if-unmodified-since",
    "range"
  };

  /**
   * The string to sign.
   *
   * @param headers request headers keyed by lowercased name (the last value of each)
   * @param rawPath the path as sent, still percent-encoded
   * @param rawQuery the query as sent (without '?'), or null
   * @throws IllegalArgumentException when the query cannot be decoded (the SDK cannot sign it)
   */
  public static String stringToSign(
      String method, Map<String, String> headers, String rawPath, String rawQuery, String account) {
    StringBuilder s = new StringBuilder(method).append('\n');
    for (String name : STANDARD_HEADERS) {
      s.append(headers.getOrDefault(name, "")).append('\n');
    }
    new TreeMap<>(headers)
        .forEach(
            (name, value) -> {
              if (name.startsWith("ocp-")) {
                String v = value.replace('\n', ' ').replace('\r', ' ').replaceAll("^[ ]+", "");
                s.append(name).append(':').append(v).append('\n');
              }
            });
    s.append('/').append(account.toLowerCase(Locale.ROOT)).append('/');
    s.append(rawPath.replaceAll("^/+", ""));
    if (rawQuery != null && !rawQuery.isEmpty()) {
      TreeMap<String, String> params = new TreeMap<>();
      for (String pair : okhttpDecodedQuery(rawQuery).split("&")) {
        int eq = pair.indexOf('=');
        if (eq < 0) {
          throw new IllegalArgumentException("query parameter without '=': " + pair);
        }
        String key =
            URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8).toLowerCase(Locale.US);
        params.put(
            key, key + ":" + URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
      for (String entry : params.values()) {
        s.append('\n').append(entry);
      }
    }
    return s.toString();
  }

  /** Base64 HMAC-SHA256 of {@code stringToSign} under the base64 account key. */
  public static String sign(String base64Key, String stringToSign) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(Base64.getDecoder().decode(base64Key), "HmacSHA256"));
      return Base64.getEncoder()
          .encodeToString(mac.doFinal(stringToSign.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The {@code Authorization} header value for a request with these headers (keyed by lowercased
   * name; include {@code ocp-date}).
   */
  public static String authorization(
      String account,
      String base64Key,
      String method,
      Map<String, String> headers,
      String rawPath,
      String rawQuery) {
    String signature = sign(base64Key, stringToSign(method, headers, rawPath, rawQuery, account));
    return "SharedKey " + account + ":" + signature;
  }

  /**
   * The query as OkHttp's {@code HttpUrl.query()} gives it: each name and value percent-decoded
   * ('+' as space), joined again with '&' and '='.
   */
  static String okhttpDecodedQuery(String rawQuery) {
    List<String> pairs = new ArrayList<>();
    for (String part : rawQuery.split("&", -1)) {
      int eq = part.indexOf('=');
      if (eq < 0) {
        pairs.add(percentDecode(part));
      } else {
        pairs.add(
            percentDecode(part.substring(0, eq)) + "=" + percentDecode(part.substring(eq + 1)));
      }
    }
    return String.join("&", pairs);
  }

  /** Decodes %XX escapes (invalid ones are kept) and '+' as a space, as UTF-8. */
  static String percentDecode(String s) {
    return percentDecode(s, true);
  }

  /** Decodes %XX escapes (invalid ones are kept), '+' as a space if asked, as UTF-8. */
  static String percentDecode(String s, boolean plusIsSpace) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < bytes.length; i++) {
      byte b = bytes[i];
      if (b == '%' && i + 2 < bytes.length && hex(bytes[i + 1]) >= 0 && hex(bytes[i + 2]) >= 0) {
        out.write(hex(bytes[i + 1]) * 16 + hex(bytes[i + 2]));
        i += 2;
      } else if (b == '+' && plusIsSpace) {
        out.write(' ');
      } else {
        out.write(b);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static int hex(byte c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }
}

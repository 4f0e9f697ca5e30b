package dev.redwood.runner.azure;

import dev.redwood.runner.config.Secret;
import dev.redwood.runner.config.StorageAccount;
import dev.redwood.runner.config.StorageAuth;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;

/**
 * The Azurite blob service the Azure tests run against. {@code .ci/run} installs it from npm and
 * starts it; {@code AZURITE_BLOB_ENDPOINT} overrides where it listens.
 */
public final class Azurite {
  /** Azurite's development account, the same on every installation (not a secret). */
  public static final String ACCOUNT = "devstoreaccount1";

  public static final String KEY =
      "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

  private Azurite() {}

  public static String endpoint() {
    String env = System.getenv("AZURITE_BLOB_ENDPOINT");
    return env != null ? env : "http://127.0.0.1:10000/" + ACCOUNT;
  }

  /** A connection string with the development account's key (checks Azurite is listening). */
  public static String connectionString() {
    return "DefaultEndpointsProtocol=http;AccountName="
        + ACCOUNT
        + ";AccountKey="
        + KEY
        + ";BlobEndpoint="
        + account().blobEndpoint()
        + ";";
  }

  /** The development account, checked to be reachable: a clear failure when Azurite is not up. */
  public static StorageAccount account() {
    URI uri = URI.create(endpoint());
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 2000);
    } catch (IOException e) {
      throw new IllegalStateException(
          "Azurite is not listening at "
              + endpoint()
              + ". The Azure tests need it: run .ci/run, or start it with `npx azurite-blob"
              + " --blobHost 127.0.0.1 --blobPort 10000 --location DIR --skipApiVersionCheck"
              + " --loose --disableTelemetry` (set AZURITE_BLOB_ENDPOINT for another port).");
    }
    return new StorageAccount(ACCOUNT, endpoint(), new StorageAuth.AccountKey(new Secret(KEY)));
  }
}

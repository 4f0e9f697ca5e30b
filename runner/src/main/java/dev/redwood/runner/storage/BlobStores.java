package dev.redwood.runner.storage;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;

/** Opens the blob store named by a location string, on the driver or inside a task. */
public final class BlobStores {
  private BlobStores() {}

  /**
   * @param location what {@link BlobStore#location()} returned
   * @param environment the task's environment; backends that need credentials take them from here,
   *     never from the location string
   */
  public static BlobStore open(String location, Map<String, String> environment) {
    if (location.startsWith(AzureBlobStore.SCHEME)) {
      return AzureBlobStore.forTask(location, environment);
    }
    URI uri = URI.create(location);
    if ("file".equals(uri.getScheme())) {
      return LocalBlobStore.forTask(Path.of(uri), environment);
    }
    throw new IllegalArgumentException(
        "Unsupported blob store location '"
            + location
            + "': only file: locations are supported"
            + " by this build");
  }
}

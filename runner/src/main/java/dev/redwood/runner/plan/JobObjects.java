package dev.redwood.runner.plan;

import dev.redwood.runner.storage.BlobStore;
import java.io.IOException;
import java.io.Serializable;
import org.apache.beam.sdk.util.SerializableUtils;

/** Reads and writes the Java-serialized records of a job (specs, manifests, commit records). */
public final class JobObjects {
  private JobObjects() {}

  public static void write(BlobStore store, String key, Serializable value) throws IOException {
    store.put(key, SerializableUtils.serializeToByteArray(value));
  }

  public static <T> T read(BlobStore store, String key, Class<T> type) throws IOException {
    return type.cast(SerializableUtils.deserializeFromByteArray(store.get(key), key));
  }
}

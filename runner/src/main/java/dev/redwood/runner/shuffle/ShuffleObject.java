package dev.redwood.runner.shuffle;

import java.io.Serializable;
import java.util.Objects;

/**
 * Where one map task's shuffle output lives: the data object with the sorted records and the index
 * object with each partition's byte range. Travels in task specs and manifests.
 */
public record ShuffleObject(String dataKey, String indexKey) implements Serializable {
  public ShuffleObject {
    Objects.requireNonNull(dataKey, "dataKey");
    Objects.requireNonNull(indexKey, "indexKey");
  }
}

package dev.redwood.runner.worker;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.schemas.SchemaCoder;
import org.apache.beam.sdk.transforms.Materializations.MultimapView;
import org.apache.beam.sdk.util.CoderUtils;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.Row;

/**
 * A multimap side input (what {@code View.asMap} and {@code View.asMultimap} read) whose keys match
 * as Beam's portable harness matches them: by the key coder's encoding.
 *
 * <p>Why not {@code equals}: a lookup key comes from the fused step as it was built, never encoded,
 * while the stored keys were decoded with the view's key coder. {@code Row.equals} also compares
 * schemas, nullability included, so a NOT NULL key row misses a NULLABLE stored row of the same
 * values (a schema broadcast join then finds nothing). Encoding every lookup would be exact but
 * costly, so where the key coder is consistent with equals the stored keys stay objects and only a
 * lookup key whose rows do not carry the coder's schemas goes through the coder once (encode,
 * decode) before the lookup.
 */
final class EncodedKeyMultimap<K, V> implements MultimapView<K, V> {
  private final Coder<K> keyCoder;
  private final boolean byValue;

  /** Whether a lookup key can be compared with the stored (decoded) keys by equals as it is. */
  private final Predicate<Object> agreesWithCoder;

  private final Map<Object, KV<K, List<V>>> entries = new HashMap<>();

  private EncodedKeyMultimap(Coder<K> keyCoder) {
    this.keyCoder = keyCoder;
    this.byValue = keyCoder.consistentWithEquals();
    this.agreesWithCoder = byValue ? agreement(keyCoder) : key -> false;
  }

  /** The view over {@code elements}, whose keys were decoded with {@code keyCoder}. */
  static <K, V> EncodedKeyMultimap<K, V> of(Coder<K> keyCoder, Iterable<KV<K, V>> elements) {
    EncodedKeyMultimap<K, V> view = new EncodedKeyMultimap<>(keyCoder);
    for (KV<K, V> kv : elements) {
      K key = kv.getKey();
      Object stored = view.byValue ? key : keyCoder.structuralValue(key);
      view.entries
          .computeIfAbsent(stored, k -> KV.of(key, new ArrayList<>()))
          .getValue()
          .add(kv.getValue());
    }
    return view;
  }

  @Override
  public Iterable<K> get() {
    List<K> keys = new ArrayList<>(entries.size());
    for (KV<K, List<V>> entry : entries.values()) {
      keys.add(entry.getKey());
    }
    return Collections.unmodifiableList(keys);
  }

  @Override
  public Iterable<V> get(K key) {
    KV<K, List<V>> entry = entries.get(lookupKey(key));
    return entry == null ? Collections.emptyList() : Collections.unmodifiableList(entry.getValue());
  }

  private Object lookupKey(K key) {
    if (!byValue) {
      return keyCoder.structuralValue(key);
    }
    if (agreesWithCoder.test(key)) {
      return key;
    }
    try {
      return CoderUtils.clone(keyCoder, key);
    } catch (CoderException e) {
      throw new IllegalArgumentException(
          "Side input key " + key + " cannot be encoded with the view's key coder " + keyCoder, e);
    }
  }

  /**
   * For a coder consistent with equals: which values equal their decoded copies by equals. Rows do
   * only when they carry the coder's schema; coders that can hold no row agree always.
   */
  private static Predicate<Object> agreement(Coder<?> coder) {
    if (coder instanceof SchemaCoder<?> schemaCoder
        && Row.class.equals(schemaCoder.getEncodedTypeDescriptor().getRawType())) {
      var schema = schemaCoder.getSchema();
      return value ->
          value instanceof Row row && (row.getSchema() == schema || row.getSchema().equals(schema));
    }
    if (coder instanceof NullableCoder<?> nullable) {
      Predicate<Object> inner = agreement(nullable.getValueCoder());
      return value -> value == null || inner.test(value);
    }
    if (coder instanceof KvCoder<?, ?> kvCoder) {
      Predicate<Object> key = agreement(kvCoder.getKeyCoder());
      Predicate<Object> value = agreement(kvCoder.getValueCoder());
      return kv ->
          kv instanceof KV<?, ?> pair && key.test(pair.getKey()) && value.test(pair.getValue());
    }
    // Any other coder: exact by equals unless rows may hide inside; then always through the coder.
    return mayHoldRows(coder) ? value -> false : value -> true;
  }

  private static boolean mayHoldRows(Coder<?> coder) {
    if (coder instanceof SchemaCoder<?> schemaCoder) {
      return Row.class.equals(schemaCoder.getEncodedTypeDescriptor().getRawType());
    }
    for (Coder<?> component : coder.getCoderArguments()) {
      if (component != null && mayHoldRows(component)) {
        return true;
      }
    }
    return false;
  }
}

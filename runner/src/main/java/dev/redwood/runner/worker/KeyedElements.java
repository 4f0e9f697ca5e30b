package dev.redwood.runner.worker;

import java.util.Iterator;
import org.apache.beam.sdk.values.WindowedValue;

/**
 * One key's elements as a shuffle delivers them to a stateful ParDo: the key and a single-pass
 * iterator over its elements (each a windowed {@code KV} with its own timestamp and windows).
 */
record KeyedElements(Object key, Iterator<WindowedValue<Object>> elements) {}

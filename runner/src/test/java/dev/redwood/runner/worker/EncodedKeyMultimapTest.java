package dev.redwood.runner.worker;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.emptyIterable;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.RowCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.util.CoderUtils;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.Row;
import org.junit.jupiter.api.Test;

class EncodedKeyMultimapTest {
  private static final Schema NULLABLE =
      Schema.builder()
          .addNullableField("user", Schema.FieldType.STRING)
          .addNullableField("country", Schema.FieldType.STRING)
          .build();
  private static final Schema NOT_NULL =
      Schema.builder().addStringField("user").addStringField("country").build();

  private static Row key(Schema schema, String user, String country) {
    return Row.withSchema(schema).addValues(user, country).build();
  }

  /** Keys as a task reads them: decoded with the view's key coder. */
  private static Row stored(String user, String country) throws IOException {
    return CoderUtils.clone(RowCoder.of(NULLABLE), key(NULLABLE, user, country));
  }

  @Test
  void rowKeysMatchAcrossNullabilityOfTheirSchemas() throws IOException {
    EncodedKeyMultimap<Row, Integer> view =
        EncodedKeyMultimap.of(
            RowCoder.of(NULLABLE),
            List.of(
                KV.of(stored("alice", "nl"), 1),
                KV.of(stored("alice", "nl"), 2),
                KV.of(stored("bob", null), 3)));
    // The premise: equal values, unequal rows.
    assertThat(key(NOT_NULL, "alice", "nl"), not(is(stored("alice", "nl"))));

    assertThat(view.get(key(NOT_NULL, "alice", "nl")), containsInAnyOrder(1, 2));
    assertThat(view.get(key(NULLABLE, "alice", "nl")), containsInAnyOrder(1, 2));
    assertThat(view.get(key(NULLABLE, "bob", null)), contains(3));
    assertThat(view.get(key(NOT_NULL, "bob", "de")), is(emptyIterable()));
    assertThat(view.get(), containsInAnyOrder(stored("alice", "nl"), stored("bob", null)));
  }

  @Test
  void rowsInsideCompositeKeysMatchToo() throws IOException {
    KvCoder<Row, Integer> keyCoder = KvCoder.of(RowCoder.of(NULLABLE), VarIntCoder.of());
    EncodedKeyMultimap<KV<Row, Integer>, String> view =
        EncodedKeyMultimap.of(keyCoder, List.of(KV.of(KV.of(stored("alice", "nl"), 7), "x")));

    assertThat(view.get(KV.of(key(NOT_NULL, "alice", "nl"), 7)), contains("x"));
    assertThat(view.get(KV.of(key(NOT_NULL, "alice", "nl"), 8)), is(emptyIterable()));
  }

  @Test
  void keysOfACoderInconsistentWithEqualsMatchByTheirBytes() {
    EncodedKeyMultimap<byte[], String> view =
        EncodedKeyMultimap.of(
            ByteArrayCoder.of(),
            List.of(
                KV.of(new byte[] {1, 2}, "a"),
                KV.of(new byte[] {1, 2}, "b"),
                KV.of(new byte[] {3}, "c")));

    assertThat(view.get(new byte[] {1, 2}), containsInAnyOrder("a", "b"));
    assertThat(view.get(new byte[] {3}), contains("c"));
    assertThat(view.get(new byte[] {4}), is(emptyIterable()));
  }

  @Test
  void keysOfACoderConsistentWithEqualsAreNeverEncoded() {
    CountingStringCoder coder = new CountingStringCoder();
    EncodedKeyMultimap<String, Integer> view =
        EncodedKeyMultimap.of(coder, List.of(KV.of("a", 1), KV.of("b", 2)));
    for (int i = 0; i < 100; i++) {
      assertThat(view.get("a"), contains(1));
      assertThat(view.get("z"), is(emptyIterable()));
    }
    assertThat(coder.encodes.get(), is(0));
  }

  /** Strings, consistent with equals, counting encodes. */
  private static final class CountingStringCoder extends AtomicCoder<String> {
    final AtomicInteger encodes = new AtomicInteger();

    @Override
    public void encode(String value, OutputStream out) throws IOException {
      encodes.incrementAndGet();
      StringUtf8Coder.of().encode(value, out);
    }

    @Override
    public String decode(InputStream in) throws IOException {
      return StringUtf8Coder.of().decode(in);
    }

    @Override
    public boolean consistentWithEquals() {
      return true;
    }
  }
}

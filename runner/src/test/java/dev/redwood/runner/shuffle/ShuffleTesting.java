package dev.redwood.runner.shuffle;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/** Record generation, writing and reading helpers shared by the shuffle tests. */
final class ShuffleTesting {
  static final long BIG_BUDGET = 64L << 20;

  private ShuffleTesting() {}

  /** One record as the tests see it; {@link #text()} makes lists comparable with equals. */
  record Rec(int partition, byte[] key, byte[] value) {
    String text() {
      return HexFormat.of().formatHex(key) + "=" + HexFormat.of().formatHex(value);
    }
  }

  /**
   * Random records whose keys repeat often, include the empty key and bytes above 0x7f, and share
   * long prefixes (so the writer's full key comparison is exercised, not just its prefix).
   */
  static List<Rec> randomRecords(Random random, int count, int numPartitions) {
    List<Rec> records = new ArrayList<>(count);
    byte[] alphabet = {0, 1, 'a', (byte) 0x80, (byte) 0xff};
    for (int i = 0; i < count; i++) {
      boolean shortKey = random.nextBoolean();
      byte[] key = new byte[shortKey ? random.nextInt(4) : 4 + random.nextInt(5)];
      int from = 0;
      if (!shortKey) {
        key[0] = 'k';
        key[1] = (byte) 0xf0;
        key[2] = 'x';
        from = 3;
      }
      for (int j = from; j < key.length; j++) {
        key[j] = alphabet[random.nextInt(alphabet.length)];
      }
      byte[] value = new byte[random.nextInt(20)];
      random.nextBytes(value);
      records.add(new Rec(random.nextInt(numPartitions), key, value));
    }
    return records;
  }

  static ShuffleObject target(String name) {
    return new ShuffleObject("shuffle/" + name + ".data", "shuffle/" + name + ".index");
  }

  static ShuffleStats write(ShuffleWriter writer, List<Rec> records) throws IOException {
    try (writer) {
      for (Rec r : records) {
        writer.write(r.partition(), r.key(), r.value());
      }
      return writer.finish();
    }
  }

  static List<Rec> read(ShuffleReader reader, int partition) throws IOException {
    try (reader) {
      List<Rec> records = new ArrayList<>();
      while (reader.advance()) {
        records.add(new Rec(partition, reader.key(), reader.value()));
      }
      return records;
    }
  }

  static List<String> texts(List<Rec> records) {
    return records.stream().map(Rec::text).toList();
  }

  /** The records of one partition as a sorted list: a multiset that equals can compare. */
  static List<String> multiset(Stream<Rec> records) {
    return records.map(Rec::text).sorted().toList();
  }

  static boolean sortedByKey(List<Rec> records) {
    for (int i = 1; i < records.size(); i++) {
      if (Arrays.compareUnsigned(records.get(i - 1).key(), records.get(i).key()) > 0) {
        return false;
      }
    }
    return true;
  }

  static List<Path> filesIn(Path dir) throws IOException {
    if (!dir.toFile().exists()) {
      return List.of();
    }
    try (Stream<Path> files = java.nio.file.Files.list(dir)) {
      return files.toList();
    }
  }
}

package dev.redwood.runner.shuffle;

import java.util.Arrays;

/**
 * The map side's in-memory buffer: records appended to one byte arena (in the data object's
 * framing) plus two primitive arrays per record, a sort prefix and the record's arena offset. No
 * object per record, so millions of small records cost neither allocation nor GC.
 *
 * <p>The prefix packs partition (high 32 bits), the first three key bytes and the key length capped
 * at 4 into a long whose order agrees with (partition, unsigned key) order wherever two prefixes
 * differ. An LSD radix sort on the prefix (skipping bytes that are the same for all records) does
 * nearly all of the sorting; only records whose prefixes are equal and whose keys are longer than
 * three bytes are then compared in full. Both sorts are stable, so equal keys, and every partition
 * in unsorted mode, keep their arrival order.
 */
final class SortBuffer {
  /** Per record: prefix and offset, plus the radix sort's scratch copies of both. */
  private static final int SLOT_BYTES = 2 * (Long.BYTES + Integer.BYTES);

  private static final int MAX_ARRAY = Integer.MAX_VALUE - 16;

  private final boolean sortKeys;
  private final long budget;
  private byte[] arena;
  private int used;
  private long[] prefixes;
  private int[] offsets;
  private long[] prefixScratch = new long[0];
  private int[] offsetScratch = new int[0];
  private int count;

  SortBuffer(long budget, boolean sortKeys) {
    this.budget = budget;
    this.sortKeys = sortKeys;
    // Start small and grow: most buffers never come near their budget.
    arena = new byte[(int) clamp(budget / 4, 64, 1 << 20)];
    int slots = (int) clamp(budget / 4 / SLOT_BYTES, 4, 1 << 16);
    prefixes = new long[slots];
    offsets = new int[slots];
  }

  /**
   * Appends a record unless that would take the buffer past its budget (then the caller spills and
   * tries again; a record that does not fit an empty buffer has to go around it).
   */
  boolean tryAppend(
      int partition, byte[] key, int keyOff, int keyLen, byte[] value, int valOff, int valLen) {
    long size = (long) Varint.size(keyLen) + Varint.size(valLen) + keyLen + valLen;
    if (count == offsets.length && !growSlots()) {
      return false;
    }
    if (used + size > arena.length && !growArena(used + size)) {
      return false;
    }
    prefixes[count] = prefix(partition, key, keyOff, keyLen);
    offsets[count++] = used;
    int p = Varint.put(arena, used, keyLen);
    p = Varint.put(arena, p, valLen);
    System.arraycopy(key, keyOff, arena, p, keyLen);
    System.arraycopy(value, valOff, arena, p + keyLen, valLen);
    used = p + keyLen + valLen;
    return true;
  }

  boolean isEmpty() {
    return count == 0;
  }

  /** Forgets the records but keeps the arrays for the next run. */
  void clear() {
    count = 0;
    used = 0;
  }

  void sort() {
    if (prefixScratch.length != prefixes.length) {
      prefixScratch = new long[prefixes.length];
      offsetScratch = new int[offsets.length];
    }
    radixSortPrefixes();
    if (sortKeys) {
      sortEqualPrefixes();
    }
  }

  /** Reads the records in their current (after {@link #sort()}: sorted) order. */
  RecordSource cursor() {
    return new Cursor();
  }

  private long prefix(int partition, byte[] key, int off, int len) {
    long prefix = (long) partition << 32;
    if (!sortKeys) {
      return prefix;
    }
    long b0 = len > 0 ? key[off] & 0xFF : 0;
    long b1 = len > 1 ? key[off + 1] & 0xFF : 0;
    long b2 = len > 2 ? key[off + 2] & 0xFF : 0;
    // Zero padding plus the capped length keeps short keys ordered and tells "a" from "a\0".
    return prefix | b0 << 24 | b1 << 16 | b2 << 8 | Math.min(len, 4);
  }

  private void radixSortPrefixes() {
    if (count < 2) {
      return;
    }
    int[][] histograms = new int[Long.BYTES][256];
    for (int i = 0; i < count; i++) {
      long p = prefixes[i];
      for (int b = 0; b < Long.BYTES; b++) {
        histograms[b][(int) (p >>> (8 * b)) & 0xFF]++;
      }
    }
    long[] srcP = prefixes;
    int[] srcO = offsets;
    long[] dstP = prefixScratch;
    int[] dstO = offsetScratch;
    for (int b = 0; b < Long.BYTES; b++) {
      int[] histogram = histograms[b];
      int shift = 8 * b;
      if (histogram[(int) (srcP[0] >>> shift) & 0xFF] == count) {
        continue; // every record has the same byte here: the pass would change nothing
      }
      int sum = 0;
      for (int v = 0; v < 256; v++) {
        int c = histogram[v];
        histogram[v] = sum;
        sum += c;
      }
      for (int i = 0; i < count; i++) {
        long p = srcP[i];
        int to = histogram[(int) (p >>> shift) & 0xFF]++;
        dstP[to] = p;
        dstO[to] = srcO[i];
      }
      long[] tp = srcP;
      srcP = dstP;
      dstP = tp;
      int[] to = srcO;
      srcO = dstO;
      dstO = to;
    }
    prefixes = srcP;
    offsets = srcO;
    prefixScratch = dstP;
    offsetScratch = dstO;
  }

  /** Full key comparison where the prefix cannot decide: equal prefixes of keys over 3 bytes. */
  private void sortEqualPrefixes() {
    int i = 0;
    while (i < count) {
      long p = prefixes[i];
      int j = i + 1;
      while (j < count && prefixes[j] == p) {
        j++;
      }
      if (j - i > 1 && (p & 0xFF) == 4) {
        mergeSort(i, j);
      }
      i = j;
    }
  }

  /** Stable merge sort of {@code offsets[lo, hi)} by key, using {@code offsetScratch}. */
  private void mergeSort(int lo, int hi) {
    int[] a = offsets;
    if (hi - lo <= 16) {
      for (int i = lo + 1; i < hi; i++) {
        int x = a[i];
        int j = i - 1;
        while (j >= lo && compareKeys(a[j], x) > 0) {
          a[j + 1] = a[j];
          j--;
        }
        a[j + 1] = x;
      }
      return;
    }
    int mid = (lo + hi) >>> 1;
    mergeSort(lo, mid);
    mergeSort(mid, hi);
    if (compareKeys(a[mid - 1], a[mid]) <= 0) {
      return;
    }
    int[] tmp = offsetScratch;
    System.arraycopy(a, lo, tmp, lo, mid - lo);
    int i = lo;
    int j = mid;
    int k = lo;
    while (i < mid && j < hi) {
      a[k++] = compareKeys(tmp[i], a[j]) <= 0 ? tmp[i++] : a[j++];
    }
    while (i < mid) {
      a[k++] = tmp[i++];
    }
  }

  private int compareKeys(int a, int b) {
    int aStart = keyStart(a);
    int bStart = keyStart(b);
    return Arrays.compareUnsigned(
        arena, aStart, aStart + varintAt(a), arena, bStart, bStart + varintAt(b));
  }

  /** Decodes the varint at {@code at}: the arena holds only lengths this buffer wrote. */
  private int varintAt(int at) {
    int value = 0;
    for (int shift = 0; ; shift += 7) {
      byte b = arena[at++];
      value |= (b & 0x7F) << shift;
      if (b >= 0) {
        return value;
      }
    }
  }

  /** Skips the two length varints. */
  private int keyStart(int at) {
    while (arena[at++] < 0) {}
    while (arena[at++] < 0) {}
    return at;
  }

  private boolean growSlots() {
    long allowed = grownSize(offsets.length, count + 1L, budget - arena.length, SLOT_BYTES);
    if (allowed < 0) {
      return false;
    }
    prefixes = Arrays.copyOf(prefixes, (int) allowed);
    offsets = Arrays.copyOf(offsets, (int) allowed);
    return true;
  }

  private boolean growArena(long needed) {
    long allowed = grownSize(arena.length, needed, budget - (long) offsets.length * SLOT_BYTES, 1);
    if (allowed < 0) {
      return false;
    }
    arena = Arrays.copyOf(arena, (int) allowed);
    return true;
  }

  /**
   * The new length for an array of {@code length} elements of {@code unit} bytes that must hold
   * {@code needed}, when {@code available} bytes of the budget are left for it; -1 if it cannot
   * grow. Grows by doubling but takes at most half of what the budget has left, so the other array
   * still has room; refuses steps under 1/16 so a nearly full buffer is not copied over and over
   * for a few more records.
   */
  private static long grownSize(long length, long needed, long available, int unit) {
    long spare = available / unit - length;
    long size = Math.max(needed, Math.min(2 * length, length + spare / 2));
    if (size > length + spare || size > MAX_ARRAY || (size - length) * 16 < length) {
      return -1;
    }
    return size;
  }

  private static long clamp(long v, long min, long max) {
    return Math.max(min, Math.min(max, v));
  }

  /** Walks the buffer without copying: keys and values are slices of the arena. */
  private final class Cursor implements RecordSource {
    private int index = -1;
    private int partition;
    private int keyOff;
    private int keyLen;
    private int valLen;

    @Override
    public boolean advance() {
      if (++index >= count) {
        index = count;
        return false;
      }
      partition = (int) (prefixes[index] >>> 32);
      int at = offsets[index];
      keyLen = varintAt(at);
      keyOff = keyStart(at);
      valLen = varintAt(at + Varint.size(keyLen));
      return true;
    }

    @Override
    public int partition() {
      return partition;
    }

    @Override
    public byte[] keyBuffer() {
      return arena;
    }

    @Override
    public int keyOffset() {
      return keyOff;
    }

    @Override
    public int keyLength() {
      return keyLen;
    }

    @Override
    public byte[] valueBuffer() {
      return arena;
    }

    @Override
    public int valueOffset() {
      return keyOff + keyLen;
    }

    @Override
    public int valueLength() {
      return valLen;
    }

    @Override
    public void close() {}
  }
}

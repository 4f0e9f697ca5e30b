/**
 * The shuffle between a map stage and a reduce stage.
 *
 * <p>Each map task's {@link dev.redwood.runner.shuffle.ShuffleWriter} writes one data object
 * holding its records sorted by (partition, key) and one small index object with the byte range of
 * every partition. Reduce task {@code p} opens a {@link dev.redwood.runner.shuffle.ShuffleReader}
 * that reads range {@code p} of every map output and merges them by key; {@link
 * dev.redwood.runner.shuffle.KeyGroups} turns that stream into one group per key. Both sides stay
 * within a memory budget by spilling sorted runs to local disk.
 */
package dev.redwood.runner.shuffle;

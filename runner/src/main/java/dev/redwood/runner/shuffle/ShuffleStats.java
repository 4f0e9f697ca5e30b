package dev.redwood.runner.shuffle;

import java.io.Serializable;

/**
 * What one {@link ShuffleWriter} produced, for metrics and progress lines.
 *
 * @param records records written
 * @param bytes size of the data object
 * @param spilledRuns sorted runs written to local disk because the memory budget was exceeded
 */
public record ShuffleStats(long records, long bytes, int spilledRuns) implements Serializable {}

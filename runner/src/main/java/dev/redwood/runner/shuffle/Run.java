package dev.redwood.runner.shuffle;

import java.io.IOException;

/**
 * A sorted sequence of records that is opened only when a merge needs it, so that a merge can bound
 * how many streams are open at once.
 */
@FunctionalInterface
interface Run {
  RecordSource open() throws IOException;
}

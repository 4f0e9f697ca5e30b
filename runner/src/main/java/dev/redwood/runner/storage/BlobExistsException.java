package dev.redwood.runner.storage;

import java.nio.file.FileAlreadyExistsException;

/**
 * A write named an object that already exists. Objects are written once: a second execution of the
 * same task attempt (Batch re-runs tasks after node loss) fails here instead of replacing outputs
 * that a manifest may already name.
 */
public class BlobExistsException extends FileAlreadyExistsException {
  public BlobExistsException(String key) {
    super(key, null, "the object already exists in the blob store (objects are written once)");
  }
}

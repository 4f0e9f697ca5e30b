package dev.redwood.runner.storage;

import java.io.FileNotFoundException;

/** The object a read asked for is not in the store. */
public class BlobNotFoundException extends FileNotFoundException {
  public BlobNotFoundException(String key) {
    super("No object '" + key + "' in the blob store");
  }
}

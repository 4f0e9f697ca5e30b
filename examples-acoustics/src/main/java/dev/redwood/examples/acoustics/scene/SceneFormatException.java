package dev.redwood.examples.acoustics.scene;

/** A floor plan file that cannot be read; the message names the file and the line or pixel. */
public final class SceneFormatException extends IllegalArgumentException {
  public SceneFormatException(String message) {
    super(message);
  }

  public SceneFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}

package dev.redwood.runner.plan;

import java.io.PrintWriter;
import java.io.Serializable;
import java.io.StringWriter;
import org.apache.beam.sdk.util.SerializableUtils;
import org.apache.beam.sdk.util.UserCodeException;

/**
 * Why a task attempt failed, written by the task so the driver can fail the pipeline with the
 * user's own exception. The exception travels serialized; when it cannot be serialized (or read
 * back on the driver), its class, message and stack trace still arrive as text.
 */
public record TaskFailure(byte[] exception, String description, String stackTrace)
    implements Serializable {

  public static TaskFailure of(Throwable thrown) {
    Throwable user = userCause(thrown);
    StringWriter trace = new StringWriter();
    user.printStackTrace(new PrintWriter(trace));
    byte[] bytes;
    try {
      bytes = SerializableUtils.serializeToByteArray(user);
    } catch (RuntimeException notSerializable) {
      bytes = null;
    }
    return new TaskFailure(bytes, user.toString(), trace.toString());
  }

  /** The exception as thrown in the task, or a stand-in carrying its description. */
  public Throwable toThrowable() {
    if (exception != null) {
      try {
        return (Throwable) SerializableUtils.deserializeFromByteArray(exception, description);
      } catch (RuntimeException unreadable) {
        // Fall through to the text form.
      }
    }
    return new RuntimeException(description + "\n" + stackTrace);
  }

  /** Strips the runner's wrappers so the user sees the exception their code threw. */
  public static Throwable userCause(Throwable thrown) {
    Throwable t = thrown;
    while (t instanceof UserCodeException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}

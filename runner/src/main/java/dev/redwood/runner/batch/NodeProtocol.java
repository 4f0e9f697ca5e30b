package dev.redwood.runner.batch;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The line protocol between the driver and a node JVM ({@link LocalNodeMain}).
 *
 * <p>The driver writes commands to the node's stdin, one per line:
 *
 * <ul>
 *   <li>{@code RUN <base64>}: run a task; the payload is a {@link TaskLaunch} written with {@link
 *       DataOutputStream}, so arguments and environment values may hold any character;
 *   <li>{@code END_JOB <jobId>}: the job is over and the JVM is kept warm for the next job on the
 *       same classpath ({@link WarmNodeJvms}): end what the node holds for the job;
 *   <li>{@code EXIT}: exit now (end of stdin means the same, so a dead driver stops its nodes).
 * </ul>
 *
 * <p>The node answers on its original stdout with lines that start with {@link #REPLY_MARKER}, so
 * that anything else reaching stdout (JVM diagnostics) is told apart and ignored: {@code READY},
 * {@code STARTED <taskId>}, {@code DONE <taskId> <exitCode>}, {@code JOB_ENDED <jobId>}. Task and
 * job ids hold only letters, digits, '-' and '_', so they need no encoding.
 */
final class NodeProtocol {
  static final String RUN = "RUN";
  static final String END_JOB = "END_JOB";
  static final String EXIT = "EXIT";

  static final String REPLY_MARKER = "@redwood-node ";
  static final String READY = "READY";
  static final String STARTED = "STARTED";
  static final String DONE = "DONE";
  static final String JOB_ENDED = "JOB_ENDED";

  private NodeProtocol() {}

  static String runCommand(TaskLaunch launch) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      writeString(out, launch.jobId());
      writeString(out, launch.taskId());
      writeString(out, launch.mainClass());
      writeString(out, launch.taskDir().toString());
      out.writeInt(launch.arguments().size());
      for (String argument : launch.arguments()) {
        writeString(out, argument);
      }
      out.writeInt(launch.environment().size());
      for (Map.Entry<String, String> entry : launch.environment().entrySet()) {
        writeString(out, entry.getKey());
        writeString(out, entry.getValue());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e); // cannot happen: in memory
    }
    return RUN + " " + Base64.getEncoder().encodeToString(bytes.toByteArray());
  }

  /** Decodes the payload of a RUN command (the text after "RUN "). */
  static TaskLaunch parseRun(String payload) throws IOException {
    byte[] bytes = Base64.getDecoder().decode(payload.trim());
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      String jobId = readString(in);
      String taskId = readString(in);
      String mainClass = readString(in);
      Path taskDir = Path.of(readString(in));
      int argumentCount = in.readInt();
      List<String> arguments = new ArrayList<>(argumentCount);
      for (int i = 0; i < argumentCount; i++) {
        arguments.add(readString(in));
      }
      int environmentSize = in.readInt();
      Map<String, String> environment = new LinkedHashMap<>();
      for (int i = 0; i < environmentSize; i++) {
        environment.put(readString(in), readString(in));
      }
      return new TaskLaunch(jobId, taskId, mainClass, arguments, environment, taskDir);
    }
  }

  static String readyReply() {
    return REPLY_MARKER + READY;
  }

  static String startedReply(String taskId) {
    return REPLY_MARKER + STARTED + " " + taskId;
  }

  static String doneReply(String taskId, int exitCode) {
    return REPLY_MARKER + DONE + " " + taskId + " " + exitCode;
  }

  static String jobEndedReply(String jobId) {
    return REPLY_MARKER + JOB_ENDED + " " + jobId;
  }

  /** A node's reply, or null for a line that is not one. */
  static Reply parseReply(String line) {
    int at = line.indexOf(REPLY_MARKER);
    if (at < 0) {
      return null;
    }
    String[] words = line.substring(at + REPLY_MARKER.length()).trim().split(" ");
    try {
      switch (words[0]) {
        case READY:
          return new Reply(READY, null, 0);
        case STARTED:
          return new Reply(STARTED, words[1], 0);
        case DONE:
          return new Reply(DONE, words[1], Integer.parseInt(words[2]));
        case JOB_ENDED:
          return new Reply(JOB_ENDED, words[1], 0);
        default:
          return null;
      }
    } catch (ArrayIndexOutOfBoundsException | NumberFormatException e) {
      return null;
    }
  }

  /**
   * One line from a node: {@code kind} is READY, STARTED, DONE or JOB_ENDED ({@code taskId} then
   * holds the job id).
   */
  record Reply(String kind, String taskId, int exitCode) {}

  // Not writeUTF: that caps a string at 64 KB, and an argument may be longer.
  private static void writeString(DataOutputStream out, String value) throws IOException {
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    out.writeInt(bytes.length);
    out.write(bytes);
  }

  private static String readString(DataInputStream in) throws IOException {
    byte[] bytes = new byte[in.readInt()];
    in.readFully(bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }
}

package dev.redwood.runner.driver;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.redwood.runner.translation.StagePlan;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.apache.beam.runners.core.construction.SerializablePipelineOptions;
import org.apache.beam.sdk.io.FileBasedSource;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.util.SerializableUtils;
import org.apache.beam.sdk.util.common.ReflectHelpers;

/**
 * What a stage's outputs depend on, so that a resumed run reuses them only when the stage is the
 * same: its serialized spec (the graph around it, DoFns and their fields, coders, windowing,
 * splits), the bytecode of every class in it (a DoFn whose body changed), the options it carries,
 * the sizes and modification times of the files it reads, and the stages it reads. Values are kept
 * as digests only, so a record of them holds no option value and no secret.
 *
 * @param spec digest of the serialized spec, with the options and file inputs taken out
 * @param code class name to the digest of its bytecode, for classes outside the JDK
 * @param options option name to the digest of its value
 * @param inputs file to {@code size@modified-millis}
 * @param upstream the stages it reads
 */
record StageFingerprint(
    int stageId,
    String name,
    String spec,
    Map<String, String> code,
    Map<String, String> options,
    Map<String, String> inputs,
    Set<Integer> upstream)
    implements Serializable {

  /**
   * Options that steer the driver and cannot change what a stage computes (retries, progress,
   * resume itself, Beam's per-instance id): a different value reuses the stage.
   */
  static final Set<String> DRIVER_ONLY_OPTIONS =
      Set.of(
          "optionsId",
          "appName",
          "jobName",
          "resume",
          "resumeFrom",
          "keepJobData",
          "quiet",
          "maxTaskRetries",
          "maxRunDuration",
          "taskPollIntervalMs",
          "taskLogRetention",
          "deletePools",
          "metricsSink",
          "metricsPushPeriod",
          "userAgent");

  /** The random part of a Beam tuple tag id: {@code <call site>:<line>#<random hex>}. */
  private static final Pattern RANDOM_TAG_SUFFIX = Pattern.compile("(:\\d+)#[0-9a-f]{1,16}");

  private static final ObjectMapper OPTIONS_JSON =
      new ObjectMapper()
          .registerModules(ObjectMapper.findModules(ReflectHelpers.findClassLoader()));

  /** Bytecode digests by class: classes do not change within one JVM. */
  private static final Map<Class<?>, String> BYTECODE = new ConcurrentHashMap<>();

  /** The fingerprints of every stage of {@code plan}. */
  static Map<Integer, StageFingerprint> of(StagePlan plan) throws IOException {
    Map<Integer, StageFingerprint> all = new TreeMap<>();
    for (StagePlan.Stage stage : plan.stages()) {
      all.put(stage.spec().stageId(), of(stage));
    }
    return all;
  }

  static StageFingerprint of(StagePlan.Stage stage) throws IOException {
    MessageDigest digest = sha256();
    SpecWriter writer =
        new SpecWriter(new DigestOutputStream(OutputStream.nullOutputStream(), digest));
    writer.writeObject(stage.spec());
    writer.close();
    Map<String, String> code = new TreeMap<>();
    for (Class<?> c : writer.classes) {
      String bytecode = bytecode(c);
      if (bytecode != null) {
        code.put(c.getName(), bytecode);
      }
    }
    return new StageFingerprint(
        stage.spec().stageId(),
        stage.spec().name(),
        HexFormat.of().formatHex(digest.digest()),
        code,
        options(writer.options),
        writer.inputs,
        new TreeSet<>(stage.dependsOn()));
  }

  /**
   * Why this stage cannot reuse what it ran as {@code before}, or null when nothing it depends on
   * changed. {@code rerun} holds the stages that run again (id to name): their readers must too.
   */
  String changeFrom(StageFingerprint before, Map<Integer, String> rerun) {
    if (before == null) {
      return "the earlier run had no such stage";
    }
    for (int up : upstream) {
      if (rerun.containsKey(up)) {
        return "it reads stage '" + rerun.get(up) + "', which runs again";
      }
    }
    if (!upstream.equals(before.upstream)) {
      return "it reads other stages than before (the pipeline's graph changed)";
    }
    List<String> changed = differing(code, before.code);
    if (!changed.isEmpty()) {
      return "the code of " + summary(changed) + " changed";
    }
    changed = differing(options, before.options);
    if (!changed.isEmpty()) {
      return "option"
          + (changed.size() == 1 ? " --" : "s --")
          + String.join(", --", changed)
          + (changed.size() == 1 ? " has" : " have")
          + " another value";
    }
    changed = differing(inputs, before.inputs);
    if (!changed.isEmpty()) {
      return "its input " + summary(changed) + " changed (size or modification time)";
    }
    if (!spec.equals(before.spec)) {
      return "its transforms, their parameters, coders or splits changed";
    }
    return null;
  }

  private static List<String> differing(Map<String, String> now, Map<String, String> before) {
    Set<String> keys = new TreeSet<>(now.keySet());
    keys.addAll(before.keySet());
    return keys.stream().filter(k -> !Objects.equals(now.get(k), before.get(k))).toList();
  }

  private static String summary(List<String> names) {
    return names.size() <= 3
        ? String.join(", ", names)
        : String.join(", ", names.subList(0, 3)) + " and " + (names.size() - 3) + " more";
  }

  private static Map<String, String> options(SerializablePipelineOptions options)
      throws IOException {
    Map<String, String> digests = new TreeMap<>();
    if (options == null) {
      return digests;
    }
    JsonNode values = OPTIONS_JSON.valueToTree(options.get()).path("options");
    for (var it = values.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> option = it.next();
      if (!DRIVER_ONLY_OPTIONS.contains(option.getKey())) {
        digests.put(option.getKey(), digest(option.getValue().toString().getBytes()));
      }
    }
    return digests;
  }

  private static String bytecode(Class<?> c) {
    if (c.getClassLoader() == null || c.getName().startsWith("java.")) {
      return null; // the JDK's own
    }
    return BYTECODE.computeIfAbsent(
        c,
        k -> {
          String resource = "/" + k.getName().replace('.', '/') + ".class";
          try (InputStream in = k.getResourceAsStream(resource)) {
            return in == null ? "unreadable" : digest(in.readAllBytes());
          } catch (IOException e) {
            return "unreadable";
          }
        });
  }

  private static String digest(byte[] bytes) {
    return HexFormat.of().formatHex(sha256().digest(bytes), 0, 16);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Java serialization of a spec that notes the classes written and takes the options and the files
   * of file-pattern sources out, for their own parts of the fingerprint.
   */
  private static final class SpecWriter extends ObjectOutputStream {
    final Set<Class<?>> classes = new java.util.LinkedHashSet<>();
    final Map<String, String> inputs = new TreeMap<>();
    SerializablePipelineOptions options;

    SpecWriter(OutputStream out) throws IOException {
      super(out);
      enableReplaceObject(true);
    }

    @Override
    protected void annotateClass(Class<?> c) {
      classes.add(c);
    }

    @Override
    protected Object replaceObject(Object o) throws IOException {
      if (o instanceof SerializablePipelineOptions serialized) {
        options = serialized;
        return "pipeline options";
      }
      if (o instanceof FileBasedSource<?> source) {
        noteFiles(source);
      }
      if (o instanceof String text) {
        // Beam makes the ids of tuple tags (outputs, side inputs) from the call site and a
        // random number: the call site is what identifies them across builds.
        return RANDOM_TAG_SUFFIX.matcher(text).replaceAll("$1#");
      }
      if (o instanceof byte[] bytes && isSerialized(bytes)) {
        // An object Beam serialized on its own (a DoFn, a CombineFn): fingerprint what is in it.
        try {
          return SerializableUtils.deserializeFromByteArray(bytes, "part of a stage spec");
        } catch (RuntimeException e) {
          return o;
        }
      }
      if (o instanceof UUID) {
        // Made at random when a pipeline is built (Beam's file sinks name their temporary
        // directories with one): it never changes what a stage computes.
        return "a UUID";
      }
      return o;
    }

    /** Java serialization, plain or in the Snappy stream {@link SerializableUtils} writes. */
    private static boolean isSerialized(byte[] bytes) {
      return bytes.length > 8
          && ((bytes[0] == (byte) 0xAC && bytes[1] == (byte) 0xED)
              || (bytes[0] == (byte) 0x82 && new String(bytes, 1, 6, UTF_8).equals("SNAPPY")));
    }

    private void noteFiles(FileBasedSource<?> source) throws IOException {
      List<MatchResult.Metadata> files = new ArrayList<>();
      if (source.getMode() == FileBasedSource.Mode.SINGLE_FILE_OR_SUBRANGE) {
        files.add(source.getSingleFileMetadata());
      } else if (source.getFileOrPatternSpecProvider().isAccessible()) {
        files.addAll(
            FileSystems.match(source.getFileOrPatternSpec(), EmptyMatchTreatment.ALLOW).metadata());
      }
      for (MatchResult.Metadata file : files) {
        inputs.put(
            file.resourceId().toString(), file.sizeBytes() + "@" + file.lastModifiedMillis());
      }
    }
  }
}

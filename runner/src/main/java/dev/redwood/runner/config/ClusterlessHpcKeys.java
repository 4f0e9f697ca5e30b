package dev.redwood.runner.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The adapter from AzureClusterlessHPC.jl's files to Redwood's structured form. Its flat keys (they
 * start with an underscore and hold strings: {@code "4"} for a number, {@code "1"} for a flag)
 * become the structured keys they stand for, with an alias each so that errors name the flat key;
 * the keys that only mean something to its Julia runtime are dropped with a warning. It also says
 * where a key given in the wrong place belongs.
 */
final class ClusterlessHpcKeys {
  private ClusterlessHpcKeys() {}

  private static final Logger LOG = LoggerFactory.getLogger(ClusterlessHpcKeys.class);

  /** Each parameter Redwood uses, and the structured key it stands for. */
  private static final Map<String, String> PARAMETER_TWINS =
      twins(
          """
          _POOL_ID=id _POOL_COUNT=pools _JOB_ID=jobId _BLOB_CONTAINER=blobContainer
          _NUM_RETRYS=taskRetries _OMP_NUM_THREADS=taskEnvironment.OMP_NUM_THREADS
          _NODE_COUNT_PER_POOL=poolDefaults.dedicatedNodes _POOL_VM_SIZE=poolDefaults.vmSize
          _NODE_OS_PUBLISHER=poolDefaults.image.publisher _NODE_OS_OFFER=poolDefaults.image.offer
          _NODE_OS_SKU=poolDefaults.image.sku
          _INTER_NODE_CONNECTION=poolDefaults.interNodeCommunication
          _CONTAINER=poolDefaults.containerImage""");

  /** For its Julia runtime and MPI launch ({@code _POOL_NODE_COUNT}: a name it ignores too). */
  private static final List<String> IGNORED_PARAMETERS =
      words(
          """
          _STANDARD_OUT_FILE_NAME _MPI_RUN _NUM_NODES_PER_TASK _NUM_PROCS_PER_NODE
          _JULIA_NUM_THREADS _JULIA_DEPOT_PATH _PYTHONPATH _VERBOSE _POOL_NODE_COUNT""");

  /** Each credentials key, and its twin in a structured account or storage account. */
  private static final Map<String, String> CREDENTIAL_TWINS =
      twins(
          """
          _AD_TENANT=tenantId _AD_BATCH_CLIENT_ID=clientId _AD_SECRET_BATCH=clientSecret
          _BATCH_ACCOUNT_URL=url _BATCH_RESOURCE=resource _REGION=region _BATCH_ACCOUNT_NAME=name
          _STORAGE_ACCOUNT_NAME=accountName _STORAGE_ACCOUNT_KEY=accountKey""");

  static final List<String> CREDENTIALS = List.copyOf(CREDENTIAL_TWINS.keySet());

  /** The credentials file's private container registries, in either form. */
  static final String REGISTRIES = "containerRegistries";

  private static final List<String> IGNORED_CREDENTIALS =
      words("_APP_INSIGHTS_APP_ID _APP_INSIGHTS_INSTRUMENTATION_KEY");

  /** Keys of the parameters file only, and keys that hold or choose a credential. */
  private static final List<String> PARAMETERS =
      words("jobId blobContainer taskRetries taskEnvironment poolDefaults pools");

  private static final List<String> CREDENTIAL_KEYS =
      words(
          """
          auth batchAccountKey tenantId clientId clientSecret resource accountKey connectionString
          containerRegistries""");

  private static List<String> words(String text) {
    return List.of(text.trim().split("\\s+"));
  }

  /** {@code FLAT=structured} pairs, in their order. */
  private static Map<String, String> twins(String pairs) {
    Map<String, String> twins = new LinkedHashMap<>();
    for (String pair : words(pairs)) {
      twins.put(pair.substring(0, pair.indexOf('=')), pair.substring(pair.indexOf('=') + 1));
    }
    return twins;
  }

  static Set<String> allParameters() {
    Set<String> all = new TreeSet<>(PARAMETER_TWINS.keySet());
    all.addAll(IGNORED_PARAMETERS);
    return all;
  }

  /** The parameters file, with {@code _POOL_COUNT} pools in {@code "pools"} if it lists none. */
  static ObjectNode parameters(ConfigFile file, Consumer<String> warnings) {
    ObjectNode top = file.bind(file.root(), "", ObjectNode.class).deepCopy();
    String why =
        "AzureClusterlessHPC settings for its Julia runtime that have no meaning for Redwood";
    drop(file, top, "", IGNORED_PARAMETERS, warnings, why);
    if (!top.hasNonNull("pools")) {
      JsonNode count = top.remove("_POOL_COUNT");
      int pools = count == null || count.isNull() ? 1 : number(file, "_POOL_COUNT", count, 1);
      String base = file.string(top, "", "_POOL_ID");
      top.remove("_POOL_ID");
      String id = base == null ? "redwood" : base;
      String last = id + "_" + pools;
      file.require(pools <= 1000, "_POOL_COUNT", "must be at most 1000, got " + pools);
      file.require(
          last.length() <= 64,
          "_POOL_ID",
          """
          is too long: the pool ids are _POOL_ID_1 to _%d and must be at most 64 characters \
          (%s has %d)"""
              .formatted(pools, Problem.quote(last), last.length()));
      ArrayNode list = top.putArray("pools");
      for (int i = 0; i < pools; i++) {
        list.addObject().put("id", id + "_" + (i + 1));
        file.alias("pools[" + i + "]", "_POOL_ID");
        file.alias("pools[" + i + "].id", "_POOL_ID");
      }
    }
    for (Map.Entry<String, String> twin : PARAMETER_TWINS.entrySet()) {
      String flat = twin.getKey();
      JsonNode value = top.remove(flat);
      value =
          value == null || value.isNull()
              ? null
              : switch (flat) {
                case "_POOL_COUNT", "_POOL_ID" ->
                    throw file.fail(
                        flat,
                        """
                        cannot be combined with "pools": each entry of "pools" is one pool with \
                        its own id""");
                case "_NUM_RETRYS", "_NODE_COUNT_PER_POOL" ->
                    IntNode.valueOf(number(file, flat, value, 0));
                case "_OMP_NUM_THREADS" -> TextNode.valueOf("" + number(file, flat, value, 1));
                case "_INTER_NODE_CONNECTION" -> BooleanNode.valueOf(flag(file, flat, value));
                // AzureClusterlessHPC lowercases the container name before using it.
                case "_BLOB_CONTAINER" ->
                    TextNode.valueOf(file.bind(value, flat, String.class).toLowerCase(Locale.ROOT));
                // AzureClusterlessHPC writes "None" for no container; "" means the same.
                case "_CONTAINER" ->
                    value.isTextual() && value.asText().matches("\\s*|None") ? null : value;
                default -> value;
              };
      if (value != null) {
        put(file, top, twin.getValue(), flat, value);
      }
    }
    List<String> os = List.of("_NODE_OS_PUBLISHER", "_NODE_OS_OFFER", "_NODE_OS_SKU");
    List<String> missing = os.stream().filter(k -> !file.root().hasNonNull(k)).toList();
    if (missing.size() == 1 || missing.size() == 2) {
      throw file.fail(
          missing.get(0),
          "is missing: give %s together (or none of them for Redwood's default image)"
              .formatted(String.join(", ", os)));
    } else if (missing.isEmpty()) {
      file.alias("poolDefaults.image", String.join("/", os));
    }
    return top;
  }

  /**
   * The credentials file: one account per entry of AzureClusterlessHPC's array, and the first
   * entry's storage account, as AzureClusterlessHPC keeps the job's objects there.
   */
  static ObjectNode credentials(ConfigFile file, Consumer<String> warnings) {
    JsonNode root = file.root();
    file.require(!root.isArray() || !root.isEmpty(), "", "is an empty array; list an account");
    if (!root.isArray()) {
      ObjectNode top = file.bind(root, "", ObjectNode.class);
      Stream<String> flat = Stream.concat(CREDENTIALS.stream(), IGNORED_CREDENTIALS.stream());
      boolean structured = top.has("accounts") || top.has("storage") || top.has(REGISTRIES);
      if (top.isEmpty() || structured && flat.noneMatch(top::has)) {
        return top;
      }
    }
    ObjectNode structured = JsonNodeFactory.instance.objectNode();
    ArrayNode accounts = structured.putArray("accounts");
    List<String> unused = new ArrayList<>();
    for (int i = 0; i < (root.isArray() ? root.size() : 1); i++) {
      String path = root.isArray() ? "[" + i + "]" : "";
      ObjectNode entry = file.bind(root.isArray() ? root.get(i) : root, path, ObjectNode.class);
      String why =
          "AzureClusterlessHPC's Batch Insights monitoring, which Redwood does not install";
      drop(file, entry, path, IGNORED_CREDENTIALS, warnings, why);
      // Registry logins have no AzureClusterlessHPC key: they keep Redwood's name and shape.
      String registries = ConfigFile.join(path, REGISTRIES);
      if (entry.has(REGISTRIES)) {
        file.require(
            !structured.has(REGISTRIES),
            registries,
            "is given twice; list every registry in one \"" + REGISTRIES + "\"");
        structured.set(REGISTRIES, entry.get(REGISTRIES));
        file.alias(REGISTRIES, registries);
      }
      for (String key : ConfigFile.fieldNames(entry)) {
        if (!CREDENTIAL_TWINS.containsKey(key) && !key.equals(REGISTRIES)) {
          throw file.unknownKey(path, key, CREDENTIALS);
        }
      }
      if (Stream.of("_AD_TENANT", "_AD_BATCH_CLIENT_ID", "_AD_SECRET_BATCH").noneMatch(entry::has)
          && entry.remove("_BATCH_RESOURCE") != null) {
        warnings.accept(
            file.warning(
                """
                ignoring %s: it only applies to a service principal (_AD_TENANT, \
                _AD_BATCH_CLIENT_ID, _AD_SECRET_BATCH); without one Redwood uses \
                DefaultAzureCredential"""
                    .formatted(ConfigFile.join(path, "_BATCH_RESOURCE"))));
      }
      ObjectNode account = accounts.addObject();
      ObjectNode storage = JsonNodeFactory.instance.objectNode();
      file.alias("accounts[" + i + "]", path);
      for (Map.Entry<String, String> twin : CREDENTIAL_TWINS.entrySet()) {
        boolean ofStorage = twin.getKey().startsWith("_STORAGE");
        String at = ofStorage ? (i == 0 ? "storage" : path) : "accounts[" + i + "]";
        file.alias(ConfigFile.join(at, twin.getValue()), ConfigFile.join(path, twin.getKey()));
        if (entry.has(twin.getKey())) {
          (ofStorage ? storage : account).set(twin.getValue(), entry.get(twin.getKey()));
        }
      }
      if (i == 0 && !storage.isEmpty()) {
        structured.set("storage", storage);
      } else if (!storage.isEmpty()) {
        String name = file.bind(storage, path, StorageAccount.class).accountName();
        if (!name.equals(structured.path("storage").path("accountName").asText())) {
          unused.add(path + " " + name);
        }
      }
    }
    if (!unused.isEmpty()) {
      LOG.info(
          "{}: the job's objects live in the storage account of the first entry ({}); the"
              + " storage accounts of the other entries are not used: {}",
          file.name(),
          structured.path("storage").path("accountName").asText("none"),
          String.join(", ", unused));
    }
    return structured;
  }

  /** Where {@code key}, unknown in the object at {@code path} (which knows {@code known}), goes. */
  static String misplaced(ConfigFile file, String path, String key, Collection<String> known) {
    boolean parameter = PARAMETER_TWINS.containsKey(key) || IGNORED_PARAMETERS.contains(key);
    boolean credential = CREDENTIAL_TWINS.containsKey(key) || IGNORED_CREDENTIALS.contains(key);
    String twin =
        PARAMETER_TWINS
            .getOrDefault(key, CREDENTIAL_TWINS.getOrDefault(key, ""))
            .replaceFirst("^poolDefaults\\.", "")
            .replaceFirst("\\..*", "");
    if (file.holdsSecrets() && (parameter || PARAMETERS.contains(key))) {
      return "is a parameter: put it in the parameters file (--parametersFile)";
    } else if (!file.holdsSecrets() && (credential || CREDENTIAL_KEYS.contains(key))) {
      return "is a credential: put it in the credentials file (--credentialsFile); accounts and"
          + " storage given in the parameters file use DefaultAzureCredential";
    } else if (known.contains(twin)) {
      return "is an AzureClusterlessHPC key; here write \"" + twin + "\"";
    } else if (parameter && !path.isEmpty()) {
      return "is an AzureClusterlessHPC key, which belongs at the top of the file";
    } else if (!file.holdsSecrets()
        && path.isEmpty()
        && (PoolConfig.KEYS.contains(key) || key.equals("region"))) {
      return "is a pool setting: put it in an entry of \"pools\" or in \"poolDefaults\"";
    }
    return null;
  }

  static Set<String> flatKeys(ConfigFile file, String path) {
    return file.holdsSecrets() || !path.isEmpty() ? Set.of() : PARAMETER_TWINS.keySet();
  }

  /** Removes the {@code ignored} keys from {@code o}, with a warning that says {@code why}. */
  private static void drop(
      ConfigFile file,
      ObjectNode o,
      String path,
      List<String> ignored,
      Consumer<String> warnings,
      String why) {
    Set<String> dropped = new TreeSet<>(ignored.stream().filter(k -> o.remove(k) != null).toList());
    if (!dropped.isEmpty()) {
      warnings.accept(
          file.warning(
              "%signoring %s (%s)"
                  .formatted(path.isEmpty() ? "" : path + ": ", String.join(", ", dropped), why)));
    }
  }

  /** Sets {@code value} at the dotted {@code key} under {@code top}, once, as {@code flat}. */
  private static void put(
      ConfigFile file, ObjectNode top, String key, String flat, JsonNode value) {
    ObjectNode at = top;
    String[] keys = key.split("\\.");
    String path = "";
    for (int i = 0; i < keys.length - 1; i++) {
      path = ConfigFile.join(path, keys[i]);
      JsonNode next = at.get(keys[i]);
      at =
          next == null || next.isNull()
              ? at.putObject(keys[i])
              : file.bind(next, path, ObjectNode.class);
    }
    String last = keys[keys.length - 1];
    String where = key.startsWith("poolDefaults.") ? " at the top of the file" : "";
    file.require(
        !at.hasNonNull(last), key, "is also given as " + flat + where + "; give the setting once");
    at.set(last, value);
    file.alias(key, flat);
  }

  /** A string such as {@code "4"}, or a bare integer. */
  private static int number(ConfigFile file, String key, JsonNode value, int min) {
    String text = value.isTextual() || value.isIntegralNumber() ? value.asText().trim() : "";
    if (!text.matches("[+-]?\\d{1,9}") || Integer.parseInt(text) < min) {
      throw file.fail(key, Problem.ofJson("must be a whole number >= " + min, value, ""));
    }
    return Integer.parseInt(text);
  }

  /** A flag: {@code "0"} or {@code "1"} (or {@code "true"}, {@code false}, ...). */
  private static boolean flag(ConfigFile file, String key, JsonNode value) {
    String text = value.isValueNode() ? value.asText().trim().toLowerCase(Locale.ROOT) : "";
    if (!text.matches("0|1|true|false")) {
      throw file.fail(key, Problem.ofJson("must be \"0\" or \"1\"", value, ""));
    }
    return text.equals("1") || text.equals("true");
  }
}

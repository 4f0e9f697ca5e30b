package dev.redwood.runner.batch.azure.restdouble;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** The Batch REST operations: routing, request parsing and the JSON the SDK's models read. */
final class RestApi {
  static final int MAX_TASKS_PER_COLLECTION = 100;
  static final int DEFAULT_PAGE = 1000;

  /** A successful reply: status, JSON or raw body, headers, entity for ETag/Last-Modified. */
  static final class RestReply {
    final int status;
    JsonNode json;
    byte[] raw;
    String contentType;
    final Map<String, String> headers = new LinkedHashMap<>();
    Sim.Entity entity;
    Long headLength;

    RestReply(int status) {
      this.status = status;
    }

    static RestReply json(int status, JsonNode json) {
      RestReply r = new RestReply(status);
      r.json = json;
      return r;
    }

    RestReply entity(Sim.Entity e) {
      this.entity = e;
      return this;
    }

    RestReply header(String name, String value) {
      headers.put(name, value);
      return this;
    }
  }

  /** A parsed request as the operations see it. */
  static final class ParsedRequest {
    final String method;
    final String rawPath;
    final String rawQuery;
    final List<String> segments;
    final Map<String, String> query;
    final MiniHttpServer.Request http;

    ParsedRequest(MiniHttpServer.Request http, List<String> segments, Map<String, String> query) {
      this.http = http;
      this.method = http.method;
      this.rawPath = http.rawPath;
      this.rawQuery = http.rawQuery;
      this.segments = segments;
      this.query = query;
    }

    String seg(int i) {
      return i < segments.size() ? segments.get(i) : null;
    }
  }

  private final BatchEngine engine;

  RestApi(BatchEngine engine) {
    this.engine = engine;
  }

  private String base() {
    return engine.accountUrl;
  }

  // ------------------------------------------------------------------ routing

  RestReply dispatch(ParsedRequest c) throws ApiException {
    List<String> s = c.segments;
    String m = c.method;
    if (s.isEmpty()) {
      throw notImplemented(c);
    }
    synchronized (engine.lock) {
      switch (s.get(0)) {
        case "pools":
          return pools(c, s, m);
        case "jobs":
          return jobs(c, s, m);
        default:
          throw notImplemented(c);
      }
    }
  }

  private RestReply pools(ParsedRequest c, List<String> s, String m) throws ApiException {
    if (s.size() == 1) {
      if (m.equals("GET")) {
        List<Listed> items = new ArrayList<>();
        for (Sim.Pool p : engine.pools.values()) {
          items.add(new Listed(p.seq, poolJson(p)));
        }
        return list(c, items, "pools");
      }
      if (m.equals("POST")) {
        Sim.Pool pool = engine.createPool(Json.parseObject(c.http.body));
        return created(pool, poolUrl(pool));
      }
      throw notImplemented(c);
    }
    Sim.Pool pool = engine.pools.get(BatchEngine.key(s.get(1)));
    if (s.size() == 2 && m.equals("HEAD")) {
      return pool == null ? new RestReply(404) : new RestReply(200).entity(pool);
    }
    if (pool == null) {
      throw ApiException.notFound("PoolNotFound", "The specified pool does not exist.");
    }
    if (s.size() == 2) {
      switch (m) {
        case "GET":
          return RestReply.json(200, select(poolJson(pool), c)).entity(pool);
        case "DELETE":
          engine.deletePool(pool);
          return new RestReply(202);
        case "PATCH":
          {
            engine.checkNotDeleting(pool);
            ObjectNode body = Json.parseObject(c.http.body);
            ResourceFileLimit.check(body.get("startTask"));
            for (String field :
                new String[] {"startTask", "metadata", "applicationPackageReferences"}) {
              if (body.has(field)) {
                pool.spec.set(field, body.get(field));
              }
            }
            engine.touch(pool);
            return new RestReply(200).entity(pool);
          }
        default:
          throw notImplemented(c);
      }
    }
    String op = s.get(2);
    if (s.size() == 3 && m.equals("POST")) {
      switch (op) {
        case "resize":
          {
            ObjectNode body = Json.parseObject(c.http.body);
            engine.resize(
                pool,
                Json.integer(body, "targetDedicatedNodes"),
                Json.integer(body, "targetLowPriorityNodes"),
                Json.text(body, "nodeDeallocationOption"));
            return new RestReply(202).entity(pool);
          }
        case "enableautoscale":
          {
            engine.checkNotDeleting(pool);
            ObjectNode body = Json.parseObject(c.http.body);
            String formula = Json.text(body, "autoScaleFormula");
            String interval = Json.text(body, "autoScaleEvaluationInterval");
            if (formula == null && (!pool.autoScale || interval == null)) {
              // A pool without autoscale needs a formula; one with it needs something to change.
              throw ApiException.missingProperty("autoScaleFormula");
            }
            AutoscaleFormula compiled =
                formula == null ? pool.compiledFormula : BatchEngine.compileFormula(formula);
            engine.applyAutoScale(
                pool,
                formula == null ? pool.formula : formula,
                compiled,
                BatchEngine.autoScaleInterval(interval));
            return new RestReply(200).entity(pool);
          }
        case "evaluateautoscale":
          {
            String formula = Json.required(Json.parseObject(c.http.body), "autoScaleFormula");
            AutoscaleFormula compiled = BatchEngine.compileFormula(formula);
            if (!pool.autoScale) {
              // The service evaluates formulas only on pools with autoscale enabled.
              throw ApiException.conflict(
                  "OperationNotValidOnPool", "The specified operation is not valid on the pool.");
            }
            Instant now = engine.autoScaleClock();
            ObjectNode run =
                autoScaleRunJson(compiled.evaluate(engine.autoScaleInputs(pool, now)), now);
            run.put(
                "odata.metadata",
                base() + "/$metadata#Microsoft.Azure.Batch.Protocol.Entities.AutoScaleRun");
            return RestReply.json(200, run);
          }
        case "disableautoscale":
          engine.checkNotDeleting(pool);
          pool.autoScale = false;
          pool.formula = null;
          pool.compiledFormula = null;
          pool.autoScaleTime = null;
          pool.autoScaleRun = null;
          engine.touch(pool);
          return new RestReply(200).entity(pool);
        case "stopresize":
          engine.stopResize(pool);
          return new RestReply(202).entity(pool);
        default:
          throw notImplemented(c);
      }
    }
    if (!op.equals("nodes")) {
      throw notImplemented(c);
    }
    if (s.size() == 3 && m.equals("GET")) {
      List<Listed> items = new ArrayList<>();
      for (Sim.Node n : pool.nodes.values()) {
        items.add(new Listed(n.ordinal + 1L, nodeJson(n)));
      }
      return list(c, items, "nodes");
    }
    Sim.Node node = pool.nodes.get(s.get(3));
    if (node == null) {
      throw ApiException.notFound("NodeNotFound", "The specified node does not exist.");
    }
    if (s.size() == 4 && m.equals("GET")) {
      return RestReply.json(200, select(nodeJson(node), c));
    }
    if (s.get(4).equals("files")) {
      String nodeBase = base() + "/pools/" + enc(pool.id) + "/nodes/" + enc(node.id) + "/files/";
      if (s.size() == 5 && m.equals("GET")) {
        return listFiles(c, node.root, nodeBase);
      }
      return file(c, node.root, String.join("/", s.subList(5, s.size())), nodeBase);
    }
    throw notImplemented(c);
  }

  private RestReply jobs(ParsedRequest c, List<String> s, String m) throws ApiException {
    if (s.size() == 1) {
      if (m.equals("GET")) {
        List<Listed> items = new ArrayList<>();
        for (Sim.Job j : engine.jobs.values()) {
          items.add(new Listed(j.seq, jobJson(j)));
        }
        return list(c, items, "jobs");
      }
      if (m.equals("POST")) {
        Sim.Job job = engine.createJob(Json.parseObject(c.http.body));
        return created(job, jobUrl(job));
      }
      throw notImplemented(c);
    }
    Sim.Job job = engine.jobs.get(BatchEngine.key(s.get(1)));
    if (job == null) {
      throw ApiException.notFound("JobNotFound", "The specified job does not exist.");
    }
    if (s.size() == 2) {
      switch (m) {
        case "GET":
          return RestReply.json(200, select(jobJson(job), c)).entity(job);
        case "PATCH":
          engine.updateJob(job, Json.parseObject(c.http.body), false);
          return new RestReply(200).entity(job);
        case "PUT":
          engine.updateJob(job, Json.parseObject(c.http.body), true);
          return new RestReply(200).entity(job);
        case "DELETE":
          engine.deleteJob(job);
          return new RestReply(202);
        default:
          throw notImplemented(c);
      }
    }
    String op = s.get(2);
    if (s.size() == 3) {
      switch (op + " " + m) {
        case "terminate POST":
          {
            JsonNode body = Json.parse(c.http.body);
            engine.terminateJob(job, body.isObject() ? Json.text(body, "terminateReason") : null);
            return new RestReply(202).entity(job);
          }
        case "taskcounts GET":
          return RestReply.json(200, taskCounts(job));
        case "tasks GET":
          {
            List<Listed> items = new ArrayList<>();
            for (Sim.Task t : job.tasks.values()) {
              items.add(new Listed(t.seq, taskJson(t)));
            }
            return list(c, items, "tasks");
          }
        case "tasks POST":
          {
            engine.checkJobAcceptsTasks(job);
            Sim.Task t = engine.addTask(job, Json.parseObject(c.http.body));
            engine.schedule();
            return created(t, taskUrl(t));
          }
        case "addtaskcollection POST":
          return addCollection(job, c);
        case "jobpreparationandreleasetaskstatus GET":
          return list(c, prepStatus(job), "jobpreparationandreleasetaskstatus");
        default:
          throw notImplemented(c);
      }
    }
    if (!op.equals("tasks")) {
      throw notImplemented(c);
    }
    Sim.Task task = job.tasks.get(BatchEngine.key(s.get(3)));
    if (task == null) {
      throw ApiException.notFound("TaskNotFound", "The specified task does not exist.");
    }
    if (s.size() == 4) {
      switch (m) {
        case "GET":
          ObjectNode shown = taskJson(task);
          if ("completed".equals(task.state)) {
            engine.reportedCompleted(Json.text(shown, "url"));
          }
          return RestReply.json(200, select(shown, c)).entity(task);
        case "PUT":
          engine.updateTaskConstraints(task, Json.parseObject(c.http.body).get("constraints"));
          return new RestReply(200).entity(task);
        case "DELETE":
          engine.deleteTask(task);
          return new RestReply(200);
        default:
          throw notImplemented(c);
      }
    }
    String taskOp = s.get(4);
    if (s.size() == 5 && m.equals("POST") && taskOp.equals("terminate")) {
      engine.terminateTask(task);
      return new RestReply(204).entity(task);
    }
    if (s.size() == 5 && m.equals("POST") && taskOp.equals("reactivate")) {
      engine.reactivateTask(task);
      return new RestReply(204).entity(task);
    }
    if (taskOp.equals("files")) {
      Path dir = task.dir();
      String filesBase = taskUrl(task) + "/files/";
      if (dir == null || !Files.isDirectory(dir)) {
        throw new ApiException(
            409, "TaskFilesUnavailable", "The task has not run on a node: it has no files.");
      }
      if (s.size() == 5 && m.equals("GET")) {
        return listFiles(c, dir, filesBase);
      }
      return file(c, dir, String.join("/", s.subList(5, s.size())), filesBase);
    }
    throw notImplemented(c);
  }

  private static ApiException notImplemented(ParsedRequest c) {
    return new ApiException(
        501,
        "NotImplemented",
        "The Batch REST double does not implement " + c.method + " " + c.rawPath + ".");
  }

  private RestReply created(Sim.Entity e, String url) {
    return new RestReply(201).entity(e).header("Location", url).header("DataServiceId", url);
  }

  // ------------------------------------------------------------------ task collections

  private RestReply addCollection(Sim.Job job, ParsedRequest c) throws ApiException {
    ObjectNode body = Json.parseObject(c.http.body);
    JsonNode value = body.get("value");
    if (value == null || !value.isArray()) {
      throw ApiException.missingProperty("value");
    }
    if (value.size() > MAX_TASKS_PER_COLLECTION) {
      throw ApiException.invalidProperty(
              "value",
              "A task collection holds at most "
                  + MAX_TASKS_PER_COLLECTION
                  + " tasks, not "
                  + value.size())
          .value("MaxLimit", Integer.toString(MAX_TASKS_PER_COLLECTION));
    }
    engine.checkJobAcceptsTasks(job);
    ArrayNode results = Json.array();
    for (JsonNode spec : value) {
      ObjectNode r = results.addObject();
      String id = Json.text(spec, "id");
      try {
        Sim.Task t = engine.addTask(job, spec);
        r.put("status", "Success");
        r.put("taskId", t.id);
        r.put("eTag", t.etag);
        r.put("lastModified", Json.iso(t.lastModified));
        r.put("location", taskUrl(t));
      } catch (ApiException e) {
        r.put("status", e.status >= 500 ? "ServerError" : "ClientError");
        r.put("taskId", id == null ? "" : id);
        r.set("error", errorBody(e, null));
      }
    }
    engine.schedule();
    ObjectNode out = Json.object();
    out.put("odata.metadata", base() + "/$metadata#taskaddresult");
    out.set("value", results);
    return RestReply.json(200, out);
  }

  // ------------------------------------------------------------------ lists

  /** One item of a list: its position (for paging) and its full JSON. */
  static final class Listed {
    final long seq;
    final ObjectNode json;

    Listed(long seq, ObjectNode json) {
      this.seq = seq;
      this.json = json;
    }
  }

  /**
   * {@code $filter}, {@code $select}, {@code maxresults} (default and cap 1000) and paging with an
   * absolute {@code odata.nextLink} that repeats the query and adds {@code $skiptoken}.
   */
  private RestReply list(ParsedRequest c, List<Listed> items, String entitySet)
      throws ApiException {
    Predicate<JsonNode> filter;
    String filterText = c.query.get("$filter");
    try {
      filter = ODataFilter.parse(filterText, listing(entitySet));
    } catch (IllegalArgumentException e) {
      throw ApiException.invalidQuery("$filter", e.getMessage())
          .value("QueryParameterValue", filterText);
    }
    int max = DEFAULT_PAGE;
    String mr = c.query.get("maxresults");
    if (mr != null) {
      try {
        max = Integer.parseInt(mr.trim());
      } catch (NumberFormatException e) {
        throw ApiException.invalidQuery("maxresults", "not a number: " + mr);
      }
      if (max < 1) {
        throw ApiException.invalidQuery("maxresults", "must be at least 1");
      }
      max = Math.min(max, DEFAULT_PAGE);
    }
    long after = 0;
    String token = c.query.get("$skiptoken");
    if (token != null) {
      try {
        after = Long.parseLong(token);
      } catch (NumberFormatException e) {
        throw ApiException.invalidQuery("$skiptoken", "not a token this double issued");
      }
    }
    items.sort(Comparator.comparingLong(l -> l.seq));
    ArrayNode page = Json.array();
    Long last = null;
    boolean more = false;
    for (Listed item : items) {
      if (item.seq <= after || !filter.test(item.json)) {
        continue;
      }
      if (page.size() == max) {
        more = true;
        break;
      }
      page.add(select(item.json, c));
      if (entitySet.equals("tasks") && "completed".equals(Json.text(item.json, "state"))) {
        engine.reportedCompleted(Json.text(item.json, "url"));
      }
      last = item.seq;
    }
    ObjectNode out = Json.object();
    out.put("odata.metadata", base() + "/$metadata#" + entitySet);
    out.set("value", page);
    if (more) {
      out.put("odata.nextLink", nextLink(c, last));
    }
    return RestReply.json(200, out);
  }

  /** The filter table of a list, by the entity set it answers with. */
  private static ODataFilter.Listing listing(String entitySet) {
    switch (entitySet) {
      case "pools":
        return ODataFilter.Listing.POOLS;
      case "nodes":
        return ODataFilter.Listing.NODES;
      case "jobs":
        return ODataFilter.Listing.JOBS;
      case "tasks":
        return ODataFilter.Listing.TASKS;
      case "files":
        return ODataFilter.Listing.FILES;
      case "jobpreparationandreleasetaskstatus":
        return ODataFilter.Listing.JOB_PREPARATION_STATUS;
      default:
        throw new IllegalStateException("no $filter table for " + entitySet);
    }
  }

  private String nextLink(ParsedRequest c, long last) {
    List<String> kept = new ArrayList<>();
    if (c.rawQuery != null) {
      for (String part : c.rawQuery.split("&")) {
        int eq = part.indexOf('=');
        String name = SharedKey.percentDecode(eq < 0 ? part : part.substring(0, eq));
        if (!part.isEmpty() && !name.equalsIgnoreCase("$skiptoken")) {
          kept.add(part);
        }
      }
    }
    kept.add("$skiptoken=" + last);
    return base() + c.rawPath + "?" + String.join("&", kept);
  }

  /** Keeps only the {@code $select}ed top-level properties. */
  private static ObjectNode select(ObjectNode json, ParsedRequest c) {
    String select = c.query.get("$select");
    if (select == null || select.isBlank()) {
      return json;
    }
    Set<String> keep = new LinkedHashSet<>();
    for (String name : select.split(",")) {
      keep.add(name.trim());
    }
    ObjectNode out = Json.object();
    json.fields()
        .forEachRemaining(
            f -> {
              if (keep.contains(f.getKey())) {
                out.set(f.getKey(), f.getValue());
              }
            });
    return out;
  }

  // ------------------------------------------------------------------ files

  private static final Pattern RANGE = Pattern.compile("bytes=(\\d*)-(\\d*)");

  private RestReply file(ParsedRequest c, Path base, String relative, String urlBase)
      throws ApiException {
    Path f = base.resolve(relative).normalize();
    if (!f.startsWith(base.normalize()) || relative.isEmpty()) {
      throw ApiException.badRequest("InvalidUri", "The file path is not valid: " + relative);
    }
    if (!Files.exists(f)) {
      throw ApiException.notFound("FileNotFound", "The specified file does not exist.");
    }
    BasicFileAttributes attrs;
    try {
      attrs = Files.readAttributes(f, BasicFileAttributes.class);
    } catch (IOException e) {
      throw ApiException.notFound("FileNotFound", "The specified file does not exist.");
    }
    if (c.method.equals("DELETE")) {
      try {
        if (attrs.isDirectory()) {
          if (!"true".equalsIgnoreCase(c.query.get("recursive"))) {
            throw ApiException.conflict(
                "DirectoryNotEmpty", "The directory is not empty; use recursive=true.");
          }
          try (Stream<Path> walk = Files.walk(f)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
              Files.deleteIfExists(p);
            }
          }
        } else {
          Files.delete(f);
        }
      } catch (IOException e) {
        throw new ApiException(500, "InternalError", "cannot delete: " + e);
      }
      return new RestReply(200);
    }
    if (!c.method.equals("GET") && !c.method.equals("HEAD")) {
      throw notImplemented(c);
    }
    String url = urlBase + encPath(base.relativize(f).toString());
    RestReply r = new RestReply(200);
    r.header("ocp-creation-time", Json.rfc1123(attrs.creationTime().toInstant()));
    r.header("ocp-batch-file-isdirectory", Boolean.toString(attrs.isDirectory()));
    r.header("ocp-batch-file-url", url);
    r.header("ocp-batch-file-mode", fileMode(f, attrs));
    r.header("Last-Modified", Json.rfc1123(attrs.lastModifiedTime().toInstant()));
    r.contentType = "application/octet-stream";
    if (attrs.isDirectory()) {
      if (c.method.equals("HEAD")) {
        r.headLength = 0L;
        return r;
      }
      throw ApiException.badRequest("InvalidUri", "The path is a directory: " + relative);
    }
    long size = attrs.size();
    long from = 0;
    long to = size - 1;
    String range = c.http.header("ocp-range");
    if (range != null) {
      Matcher mr = RANGE.matcher(range.trim());
      if (!mr.matches() || (mr.group(1).isEmpty() && mr.group(2).isEmpty())) {
        throw ApiException.badRequest(
            "InvalidRange", "The ocp-range header is not valid: " + range);
      }
      if (mr.group(1).isEmpty()) {
        from = Math.max(0, size - Long.parseLong(mr.group(2)));
      } else {
        from = Long.parseLong(mr.group(1));
        if (!mr.group(2).isEmpty()) {
          to = Math.min(to, Long.parseLong(mr.group(2)));
        }
      }
    }
    long length = Math.max(0, to - from + 1);
    if (c.method.equals("HEAD")) {
      r.headLength = size;
      return r;
    }
    byte[] bytes = new byte[(int) Math.min(length, Integer.MAX_VALUE - 16)];
    try (RandomAccessFile in = new RandomAccessFile(f.toFile(), "r")) {
      in.seek(from);
      in.readFully(bytes);
    } catch (IOException e) {
      throw new ApiException(500, "InternalError", "cannot read " + relative + ": " + e);
    }
    r.raw = bytes;
    return r;
  }

  private RestReply listFiles(ParsedRequest c, Path base, String urlBase) throws ApiException {
    boolean recursive = "true".equalsIgnoreCase(c.query.get("recursive"));
    List<Listed> items = new ArrayList<>();
    try (Stream<Path> walk = recursive ? Files.walk(base) : Files.list(base)) {
      List<Path> paths = walk.filter(p -> !p.equals(base)).sorted().collect(Collectors.toList());
      long i = 0;
      for (Path p : paths) {
        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
        String name = base.relativize(p).toString();
        ObjectNode n = Json.object();
        n.put("name", name);
        n.put("url", urlBase + encPath(name));
        n.put("isDirectory", a.isDirectory());
        ObjectNode props = n.putObject("properties");
        props.put("creationTime", Json.iso(a.creationTime().toInstant()));
        props.put("lastModified", Json.iso(a.lastModifiedTime().toInstant()));
        props.put("contentLength", a.isDirectory() ? 0 : a.size());
        props.put("contentType", "application/octet-stream");
        props.put("fileMode", fileMode(p, a));
        items.add(new Listed(++i, n));
      }
    } catch (IOException e) {
      throw new ApiException(500, "InternalError", "cannot list files: " + e);
    }
    return list(c, items, "files");
  }

  private static String fileMode(Path p, BasicFileAttributes a) {
    int mode = a.isDirectory() ? 040000 : 0100000;
    try {
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
      int bit = 0400;
      for (PosixFilePermission perm :
          new PosixFilePermission[] {
            PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE,
            PosixFilePermission.OTHERS_EXECUTE
          }) {
        if (perms.contains(perm)) {
          mode |= bit;
        }
        bit >>= 1;
      }
    } catch (IOException | UnsupportedOperationException e) {
      mode |= 0644;
    }
    return Integer.toOctalString(mode);
  }

  // ------------------------------------------------------------------ JSON of entities

  String poolUrl(Sim.Pool p) {
    return base() + "/pools/" + enc(p.id);
  }

  String jobUrl(Sim.Job j) {
    return base() + "/jobs/" + enc(j.id);
  }

  String taskUrl(Sim.Task t) {
    return jobUrl(t.job) + "/tasks/" + enc(t.id);
  }

  String nodeUrl(Sim.Node n) {
    return poolUrl(n.pool) + "/nodes/" + enc(n.id);
  }

  private ObjectNode poolJson(Sim.Pool p) {
    ObjectNode o = p.spec.deepCopy();
    o.put("url", poolUrl(p));
    o.put("eTag", p.etag);
    o.put("lastModified", Json.iso(p.lastModified));
    o.put("creationTime", Json.iso(p.created));
    o.put("state", p.state);
    o.put("stateTransitionTime", Json.iso(p.stateTransition));
    o.put("allocationState", p.allocationState);
    o.put("allocationStateTransitionTime", Json.iso(p.allocationStateTransition));
    if (!p.resizeErrors.isEmpty()) {
      o.putArray("resizeErrors").addAll(p.resizeErrors);
    }
    int dedicated = 0;
    int low = 0;
    for (Sim.Node n : p.nodes.values()) {
      if (n.dedicated) {
        dedicated++;
      } else {
        low++;
      }
    }
    o.put("currentDedicatedNodes", dedicated);
    o.put("currentLowPriorityNodes", low);
    o.put("targetDedicatedNodes", p.targetDedicated);
    o.put("targetLowPriorityNodes", p.targetLowPriority);
    o.put("enableAutoScale", p.autoScale);
    if (p.autoScale) {
      o.put("autoScaleFormula", p.formula);
      o.put("autoScaleEvaluationInterval", p.autoScaleInterval.toString());
      o.set("autoScaleRun", autoScaleRunJson(p.autoScaleRun, p.autoScaleTime));
    } else {
      o.remove("autoScaleFormula");
      o.remove("autoScaleEvaluationInterval");
      o.remove("autoScaleRun");
      if (!o.has("resizeTimeout")) {
        o.put("resizeTimeout", "PT15M");
      }
    }
    o.put("taskSlotsPerNode", p.slotsPerNode);
    o.putObject("taskSchedulingPolicy").put("nodeFillType", p.pack ? "pack" : "spread");
    if (!o.has("enableInterNodeCommunication")) {
      o.put("enableInterNodeCommunication", false);
    }
    return o;
  }

  /** An AutoScaleRun: timestamp, results and, when the evaluation failed, its error. */
  private static ObjectNode autoScaleRunJson(AutoscaleFormula.AutoscaleRun r, Instant at) {
    ObjectNode run = Json.object();
    run.put("timestamp", Json.iso(at));
    run.put("results", r.results());
    if (r.failed()) {
      ObjectNode error = run.putObject("error");
      error.put("code", r.errorCode());
      error.put("message", r.errorMessage());
      error.putArray("values").addObject().put("name", "Message").put("value", r.errorDetail());
    }
    return run;
  }

  private ObjectNode nodeJson(Sim.Node n) {
    ObjectNode o = Json.object();
    o.put("id", n.id);
    o.put("url", nodeUrl(n));
    o.put("state", n.state);
    o.put("schedulingState", "enabled");
    o.put("stateTransitionTime", Json.iso(n.stateTransition));
    o.put("lastBootTime", Json.iso(n.allocated));
    o.put("allocationTime", Json.iso(n.allocated));
    o.put("ipAddress", "127.0.0.1");
    o.put("affinityId", "TVM:" + n.id);
    o.put("vmSize", Json.text(n.pool.spec, "vmSize"));
    o.put("totalTasksRun", n.totalTasksRun);
    o.put("runningTasksCount", n.running.size());
    o.put("runningTaskSlotsCount", n.usedSlots);
    o.put("totalTasksSucceeded", n.totalTasksSucceeded);
    o.put("isDedicated", n.dedicated);
    JsonNode startTask = n.pool.spec.get("startTask");
    if (startTask != null && !startTask.isNull()) {
      o.set("startTask", startTask);
    }
    if (n.startTask != null) {
      o.set("startTaskInfo", runInfoJson(n.startTask));
    }
    if (n.error != null) {
      o.putArray("errors").add(n.error);
    }
    o.putObject("nodeAgentInfo")
        .put("version", "batch-rest-double")
        .put("lastUpdateTime", Json.iso(n.allocated));
    return o;
  }

  private static ObjectNode runInfoJson(Sim.RunInfo i) {
    ObjectNode o = Json.object();
    o.put("state", i.state);
    o.put("startTime", Json.iso(i.startTime));
    if (i.endTime != null) {
      o.put("endTime", Json.iso(i.endTime));
    }
    if (i.exitCode != null) {
      o.put("exitCode", i.exitCode);
    }
    o.put("retryCount", i.retryCount);
    if (i.lastRetryTime != null) {
      o.put("lastRetryTime", Json.iso(i.lastRetryTime));
    }
    if (i.result != null) {
      o.put("result", i.result);
    }
    if (i.failureInfo != null) {
      o.set("failureInfo", i.failureInfo);
    }
    return o;
  }

  private ObjectNode jobJson(Sim.Job j) {
    ObjectNode o = j.spec.deepCopy();
    o.put("url", jobUrl(j));
    o.put("eTag", j.etag);
    o.put("lastModified", Json.iso(j.lastModified));
    o.put("creationTime", Json.iso(j.created));
    o.put("state", j.state);
    o.put("stateTransitionTime", Json.iso(j.stateTransition));
    if (j.previousState != null) {
      o.put("previousState", j.previousState);
      o.put("previousStateTransitionTime", Json.iso(j.previousStateTransition));
    }
    o.put("priority", j.priority);
    o.put("maxParallelTasks", j.maxParallelTasks == null ? -1 : j.maxParallelTasks);
    if (!o.has("allowTaskPreemption")) {
      o.put("allowTaskPreemption", false);
    }
    o.put("onAllTasksComplete", j.onAllTasksComplete);
    if (!o.has("onTaskFailure")) {
      o.put("onTaskFailure", "noaction");
    }
    if (!o.has("usesTaskDependencies")) {
      o.put("usesTaskDependencies", false);
    }
    ObjectNode constraints = j.constraints == null ? Json.object() : j.constraints.deepCopy();
    if (!constraints.has("maxTaskRetryCount")) {
      constraints.put("maxTaskRetryCount", 0);
    }
    o.set("constraints", constraints);
    if (j.prep != null) {
      ObjectNode prep = ((ObjectNode) j.prep).deepCopy();
      prep.put("id", j.prepId);
      prep.put("waitForSuccess", j.prepWaitsForSuccess());
      if (!prep.has("rerunOnNodeRebootAfterSuccess")) {
        prep.put("rerunOnNodeRebootAfterSuccess", true);
      }
      o.set("jobPreparationTask", prep);
    }
    ObjectNode exec = o.putObject("executionInfo");
    exec.put("startTime", Json.iso(j.created));
    if (j.endTime != null) {
      exec.put("endTime", Json.iso(j.endTime));
    }
    exec.put("poolId", j.poolId);
    if (j.terminateReason != null) {
      exec.put("terminateReason", j.terminateReason);
    }
    return o;
  }

  private ObjectNode taskJson(Sim.Task t) {
    ObjectNode o = t.spec.deepCopy();
    o.put("url", taskUrl(t));
    o.put("eTag", t.etag);
    o.put("lastModified", Json.iso(t.lastModified));
    o.put("creationTime", Json.iso(t.created));
    o.put("state", t.state);
    o.put("stateTransitionTime", Json.iso(t.stateTransition));
    if (t.previousState != null) {
      o.put("previousState", t.previousState);
      o.put("previousStateTransitionTime", Json.iso(t.previousStateTransition));
    }
    ObjectNode constraints = t.constraints == null ? Json.object() : t.constraints.deepCopy();
    constraints.put("maxTaskRetryCount", engine.maxRetries(t));
    if (!constraints.has("retentionTime")) {
      constraints.put("retentionTime", "P7D");
    }
    o.set("constraints", constraints);
    o.put("requiredSlots", t.requiredSlots);
    ObjectNode exec = o.putObject("executionInfo");
    if (t.startTime != null) {
      exec.put("startTime", Json.iso(t.startTime));
    }
    if (t.endTime != null) {
      exec.put("endTime", Json.iso(t.endTime));
    }
    if (t.exitCode != null) {
      exec.put("exitCode", t.exitCode);
    }
    if (t.failureInfo != null) {
      exec.set("failureInfo", t.failureInfo);
    }
    exec.put("retryCount", t.retryCount);
    if (t.lastRetryTime != null) {
      exec.put("lastRetryTime", Json.iso(t.lastRetryTime));
    }
    exec.put("requeueCount", t.requeueCount);
    if (t.lastRequeueTime != null) {
      exec.put("lastRequeueTime", Json.iso(t.lastRequeueTime));
    }
    if (t.result != null) {
      exec.put("result", t.result);
    }
    if (t.node != null) {
      ObjectNode ni = o.putObject("nodeInfo");
      ni.put("affinityId", "TVM:" + t.node.id);
      ni.put("nodeUrl", nodeUrl(t.node));
      ni.put("poolId", t.node.pool.id);
      ni.put("nodeId", t.node.id);
      String root = "workitems/" + t.job.id + "/job-1/" + t.id;
      ni.put("taskRootDirectory", root);
      ni.put("taskRootDirectoryUrl", nodeUrl(t.node) + "/files/" + encPath(root));
    }
    return o;
  }

  private static ObjectNode taskCounts(Sim.Job j) {
    int[] n = new int[5];
    int[] s = new int[5];
    for (Sim.Task t : j.tasks.values()) {
      int i;
      switch (t.state) {
        case "active":
          i = 0;
          break;
        case "completed":
          i = 2;
          break;
        default:
          i = 1;
      }
      n[i]++;
      s[i] += t.requiredSlots;
      if (i == 2) {
        int k = "success".equals(t.result) ? 3 : 4;
        n[k]++;
        s[k] += t.requiredSlots;
      }
    }
    ObjectNode o = Json.object();
    o.set("taskCounts", counts(n));
    o.set("taskSlotCounts", counts(s));
    return o;
  }

  private static ObjectNode counts(int[] v) {
    ObjectNode o = Json.object();
    o.put("active", v[0]);
    o.put("running", v[1]);
    o.put("completed", v[2]);
    o.put("succeeded", v[3]);
    o.put("failed", v[4]);
    return o;
  }

  private List<Listed> prepStatus(Sim.Job job) {
    List<Listed> items = new ArrayList<>();
    for (Sim.Pool pool : engine.pools.values()) {
      for (Sim.Node n : pool.nodes.values()) {
        Sim.JobPrep prep = n.jobPreps.get(BatchEngine.key(job.id));
        if (prep == null) {
          continue;
        }
        ObjectNode o = Json.object();
        o.put("poolId", pool.id);
        o.put("nodeId", n.id);
        o.put("nodeUrl", nodeUrl(n));
        ObjectNode info = runInfoJson(prep.info);
        String root = "workitems/" + job.id + "/job-1/" + job.prepId;
        info.put("taskRootDirectory", root);
        info.put("taskRootDirectoryUrl", nodeUrl(n) + "/files/" + encPath(root));
        o.set("jobPreparationTaskExecutionInfo", info);
        items.add(new Listed(pool.seq * 1_000_000L + n.ordinal, o));
      }
    }
    return items;
  }

  // ------------------------------------------------------------------ errors

  /** The error body: top-level code, message {lang, value}, values [{key, value}]. */
  ObjectNode errorBody(ApiException e, String requestId) {
    ObjectNode o = Json.object();
    o.put(
        "odata.metadata",
        base() + "/$metadata#Microsoft.Azure.Batch.Protocol.Entities.Container.errors/@Element");
    o.put("code", e.code);
    String text = e.getMessage();
    if (requestId != null) {
      text += "\nRequestId:" + requestId + "\nTime:" + Json.iso(Instant.now());
    }
    o.putObject("message").put("lang", "en-US").put("value", text);
    if (!e.values.isEmpty()) {
      ArrayNode values = o.putArray("values");
      for (Map.Entry<String, String> v : e.values) {
        values.addObject().put("key", v.getKey()).put("value", v.getValue());
      }
    }
    return o;
  }

  static String enc(String segment) {
    return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
  }

  static String encPath(String path) {
    List<String> parts = new ArrayList<>();
    for (String p : path.split("/")) {
      parts.add(enc(p));
    }
    return String.join("/", parts);
  }
}

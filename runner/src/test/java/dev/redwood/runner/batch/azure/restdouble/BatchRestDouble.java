package dev.redwood.runner.batch.azure.restdouble;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A test double of one Azure Batch account: an HTTP server on 127.0.0.1 that speaks the subset of
 * the Batch REST API (api-version 2024-07-01.20.0) that the track-1 Java SDK {@code
 * com.microsoft.azure:azure-batch:11.2.0} uses, and runs tasks as local processes.
 *
 * <p><b>What it serves.</b> Pools (add, get, exists, list, delete, patch, resize, enable/disable/
 * evaluate autoscale; nodes list/get and node files), jobs (add, get, list, patch, update,
 * terminate, delete, task counts, job preparation status), tasks (add, add collection, list, get,
 * update, delete, terminate, reactivate) and task files (get with {@code ocp-range}, properties via
 * HEAD, list, delete). Lists honour {@code $filter} as far as the service accepts it per list (see
 * {@link ODataFilter}; other filters answer 400), {@code $select}, {@code maxresults} (default and
 * cap 1000) and page with an absolute {@code odata.nextLink}. Anything else answers 501 {@code
 * NotImplemented}.
 *
 * <p><b>Auth.</b> Every request needs {@code api-version} and either {@code Authorization:
 * SharedKey account:signature} (checked as {@link SharedKey} describes; the {@code ocp-date}/{@code
 * Date} may be at most 15 minutes off) or {@code Authorization: Bearer token} with a token
 * registered through {@link #acceptBearerToken}. Failures answer 401/403 {@code
 * AuthenticationFailed}.
 *
 * <p><b>Pools and nodes</b> behave as the service's do, on a scaled clock and within quotas set by
 * {@link #limits(AccountLimits)} (see {@link AccountLimits}): a pool add, resize or autoscale
 * change leaves the pool {@code allocationState: resizing} for the allocation delay; then the nodes
 * that fit the account's core quotas are allocated (the rest is reported in {@code resizeErrors})
 * and the pool is {@code steady}. The VM size must be one {@link VmSizes} knows, {@code
 * taskSlotsPerNode} at most min(4 x vCPUs, 256), and low-priority nodes need a {@code
 * UserSubscription} account (400 {@code InvalidPropertyValue} otherwise). A resize while resizing
 * answers 409 {@code PoolBeingResized}. A new node is {@code creating}, {@code starting}, then
 * {@code waitingforstarttask} while its start task runs (with {@code waitForSuccess}), then {@code
 * idle}/{@code running}, or {@code starttaskfailed}. Surplus nodes are {@code leavingpool} until
 * the resize comes due (with {@code taskcompletion}, until their tasks end). {@code Pool_Delete}
 * answers 202 and leaves the pool {@code deleting} for the deletion delay (its tasks requeued;
 * adding, resizing or patching it answers 409 {@code PoolBeingDeleted}); jobs bound to a deleting
 * or missing pool run nothing. Each pool aims at {@code targetDedicatedNodes +
 * targetLowPriorityNodes} simulated nodes. With autoscale the targets come from the formula ({@link
 * AutoscaleFormula}): it is compiled when set (syntax errors answer 400 {@code
 * AutoScalingFormulaSyntaxError}; evaluation intervals outside 5 minutes to 168 hours 400 {@code
 * InvalidPropertyValue}), evaluated at once and then every interval, over samples of the pool's
 * jobs' task counts taken every 30 s; a failed evaluation ({@code InsufficientSampleData}, ...) is
 * reported in {@code autoScaleRun.error} and leaves the targets as they were. {@code POST
 * /pools/{id}/evaluateautoscale} evaluates without applying; {@link #runAutoScale} samples and
 * evaluates at once for tests. A node has {@code taskSlotsPerNode} slots and a Batch-like directory
 * tree under {@link #nodeRoot()}: {@code <pool>/<node>/{startup/wd, shared, fsmounts,
 * workitems/<job>/job-1/<task>/wd}}. The pool's start task runs once per node before the node takes
 * tasks ({@code waitForSuccess}, the default); if it fails the node is {@code starttaskfailed} and
 * takes none. A job's preparation task runs once per node before that node's first task of the job;
 * if it fails (with {@code waitForSuccess}, the default), the service schedules none of the job's
 * tasks on that node: they stay active, and {@code GET
 * /jobs/{id}/jobpreparationandreleasetaskstatus} shows the failure per node.
 *
 * <p><b>Jobs.</b> Job metadata is a list of name/value pairs (both required, 400 otherwise) that
 * the service only stores; a job PATCH or PUT with {@code metadata} replaces the whole list (PATCH
 * of a completed job answers 409 {@code JobCompleted}). The job list filters on {@code state},
 * times, {@code id} and {@code executionInfo/poolId}, never on metadata.
 *
 * <p><b>Tasks.</b> Active tasks start on free slots of the job's pool (jobs by priority, then age;
 * tasks in submission order; spread over nodes, or packed with {@code nodeFillType=pack}). A task
 * runs as {@code /bin/bash -c <commandLine>} in its {@code wd}, with stdout/stderr to {@code
 * stdout.txt}/{@code stderr.txt} in its task directory, after its resource files were fetched with
 * plain GETs ({@code httpUrl}; {@code storageContainerUrl} is listed with the Blob List API). Its
 * environment is its image's PATH and HOME (see below), then the job's common environment settings,
 * then the task's, then the Batch variables ({@code AZ_BATCH_ACCOUNT_NAME, AZ_BATCH_ACCOUNT_URL,
 * AZ_BATCH_POOL_ID, AZ_BATCH_NODE_ID, AZ_BATCH_NODE_IS_DEDICATED, AZ_BATCH_NODE_ROOT_DIR,
 * AZ_BATCH_NODE_SHARED_DIR, AZ_BATCH_NODE_STARTUP_DIR, AZ_BATCH_NODE_STARTUP_WORKING_DIR,
 * AZ_BATCH_NODE_MOUNTS_DIR, AZ_BATCH_JOB_ID, AZ_BATCH_TASK_ID, AZ_BATCH_TASK_DIR,
 * AZ_BATCH_TASK_WORKING_DIR}, and {@code AZ_BATCH_JOB_PREP_DIR, AZ_BATCH_JOB_PREP_WORKING_DIR} when
 * the job has a preparation task). Batch has no retry-count variable, so neither does the double.
 * Output files are uploaded after the command per their uploadCondition with {@code PUT
 * {containerUrl}/{path}?{sas}} and {@code x-ms-blob-type: BlockBlob}, and the upload logs go to
 * {@code fileuploadout.txt}/{@code fileuploaderr.txt}; a task whose outputFiles lack a required
 * property or name an unknown uploadCondition is refused with 400. A non-zero exit is retried while
 * {@code retryCount < maxTaskRetryCount} (the task's, else the job's; -1 is unlimited). A failed
 * download or a failed upload completes the task with result failure and a failureInfo (category
 * userError; codes {@code BlobNotFound}, {@code BlobAccessDenied}, {@code BlobDownloadMiscError},
 * {@code FileUploadContainerNotFound}, {@code FileUploadMiscError}) without retries. Container
 * pools and tasks are checked and their images "pulled" as {@link ContainerRuntime} describes, but
 * their commands run on this host.
 *
 * <p><b>Images.</b> A node's PATH holds its image's basic tools only ({@link MarketplaceImage}): no
 * {@code java} until a start task installs one with the {@code apt-get} that Debian and Ubuntu
 * images have ({@link #holdAptLockAtBoot} makes it meet a first-boot dpkg lock); other images have
 * no {@code apt-get}. A resource-file list over the service's 32,768 characters is refused with
 * {@code RequestEntityTooLarge} ({@link ResourceFileLimit}).
 *
 * <p><b>Faults.</b> {@link #throttle}, {@link #failRequests}, {@link #dropConnections}, {@link
 * #loseResponses}, {@link #failTaskExecutions}, {@link #failStartTasks}, {@link
 * #failJobPreparations}, {@link #preemptTask}, {@link #preemptNode}, {@link #makeNodeUnusable};
 * {@link #requests()} logs every request.
 */
public final class BatchRestDouble implements AutoCloseable {
  /** Largest request body the service accepts (bytes). */
  public static final int MAX_REQUEST_BODY = 1_048_576;

  private static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(15);

  private final String accountName;
  private final String key;
  private final Path nodeRoot;
  private final boolean ownsRoot;
  private final BatchEngine engine;
  private final RestApi api;
  private final Set<String> bearerTokens = ConcurrentHashMap.newKeySet();
  private final List<RequestFault> faults = new CopyOnWriteArrayList<>();
  private final List<RecordedRequest> log = Collections.synchronizedList(new ArrayList<>());
  private MiniHttpServer server;
  private String url;

  /** An account whose nodes live in a new temporary directory, deleted by {@link #close()}. */
  public BatchRestDouble(String accountName, String base64Key) throws IOException {
    this(accountName, base64Key, Files.createTempDirectory("batch-double-"), true);
  }

  /** An account whose nodes live under {@code nodeRoot} (kept after {@link #close()}). */
  public BatchRestDouble(String accountName, String base64Key, Path nodeRoot) throws IOException {
    this(accountName, base64Key, Files.createDirectories(nodeRoot), false);
  }

  private BatchRestDouble(String accountName, String base64Key, Path nodeRoot, boolean ownsRoot) {
    Base64.getDecoder().decode(base64Key); // fail early on a bad key
    this.accountName = accountName;
    this.key = base64Key;
    this.nodeRoot = nodeRoot.toAbsolutePath();
    this.ownsRoot = ownsRoot;
    this.engine = new BatchEngine(accountName, this.nodeRoot);
    this.api = new RestApi(engine);
  }

  /** A random base64 account key (64 bytes, like Batch's). */
  public static String newKey() {
    byte[] k = new byte[64];
    new SecureRandom().nextBytes(k);
    return Base64.getEncoder().encodeToString(k);
  }

  /** Starts serving on 127.0.0.1 and an ephemeral port. */
  public synchronized BatchRestDouble start() throws IOException {
    if (server != null) {
      throw new IllegalStateException("already started");
    }
    server = new MiniHttpServer(this::handle);
    url = "http://127.0.0.1:" + server.port();
    engine.accountUrl = url;
    server.start();
    return this;
  }

  /** The account URL, e.g. {@code http://127.0.0.1:PORT} (the SDK's base URL). */
  public String url() {
    if (url == null) {
      throw new IllegalStateException("not started");
    }
    return url;
  }

  public String accountName() {
    return accountName;
  }

  /** Where the simulated nodes' directories are. */
  public Path nodeRoot() {
    return nodeRoot;
  }

  /** Sets the account's limits and service timings (they apply to what happens from now on). */
  public BatchRestDouble limits(AccountLimits limits) {
    engine.limits = java.util.Objects.requireNonNull(limits);
    return this;
  }

  /** The account's current limits and service timings. */
  public AccountLimits limits() {
    return engine.limits;
  }

  /**
   * Makes {@code server} (e.g. {@code myregistry.azurecr.io}) a private registry: its images pull
   * only with a login to it with this user name and password ({@link ContainerRuntime}).
   */
  public void addPrivateRegistry(String server, String userName, String password) {
    engine.containers.addPrivateRegistry(server, userName, password);
  }

  /**
   * Scale mode, for simulations of thousands of tasks: Java task mains run in threads of this JVM
   * ({@link InProcessJava}) and the nodes share one jar cache. Set before the first pool.
   */
  public BatchRestDouble runTaskMainsInThreads() {
    engine.agent.inProcessJava = new InProcessJava();
    return this;
  }

  /** Accepts {@code Authorization: Bearer token} for this token from now on. */
  public void acceptBearerToken(String token) {
    bearerTokens.add(token);
  }

  // ------------------------------------------------------------------ faults

  /** The next {@code count} requests answer 429 with {@code Retry-After: retryAfterSeconds}. */
  public RequestFault throttle(int count, int retryAfterSeconds) {
    return throttle(null, null, count, retryAfterSeconds);
  }

  /**
   * The next {@code count} requests with this method (null: any) whose decoded path contains a
   * match of {@code pathRegex} (null: any) answer 429 with {@code Retry-After}.
   */
  public RequestFault throttle(String method, String pathRegex, int count, int retryAfterSeconds) {
    return add(
        new RequestFault(
            RequestFault.FaultKind.THROTTLE, method, pathRegex, count, 429, retryAfterSeconds));
  }

  /** The next {@code count} matching requests answer {@code status} (e.g. 500, 503). */
  public RequestFault failRequests(String method, String pathRegex, int count, int status) {
    return add(
        new RequestFault(RequestFault.FaultKind.STATUS, method, pathRegex, count, status, 0));
  }

  /** The next {@code count} matching requests get no response: the connection is reset. */
  public RequestFault dropConnections(String method, String pathRegex, int count) {
    return add(new RequestFault(RequestFault.FaultKind.DROP, method, pathRegex, count, 0, 0));
  }

  /**
   * The next {@code count} matching requests are served (their effect happens) but their answer is
   * lost: the connection is reset before any response, so the client sees an I/O error and a
   * retrying client repeats a request that was already applied.
   */
  public RequestFault loseResponses(String method, String pathRegex, int count) {
    return add(
        new RequestFault(RequestFault.FaultKind.LOSE_RESPONSE, method, pathRegex, count, 0, 0));
  }

  private RequestFault add(RequestFault f) {
    faults.add(f);
    return f;
  }

  /**
   * Each task whose id fully matches {@code taskIdRegex} fails its next {@code times} executions:
   * exit code 1 without running its command (its stderr says so).
   */
  public void failTaskExecutions(String taskIdRegex, int times) {
    synchronized (engine.lock) {
      engine.failTaskExecutions(Pattern.compile(taskIdRegex), times);
    }
  }

  /** Forgets every {@link #failTaskExecutions} rule: tasks from now on run as they are. */
  public void stopInjectingTaskFailures() {
    synchronized (engine.lock) {
      engine.stopInjectingTaskFailures();
    }
  }

  /**
   * The start task of every node of pool {@code poolId} (including pools added later with that id)
   * fails from now on: exit code 1 without running its command, with a stderr that says so; with
   * {@code waitForSuccess} its nodes end {@code starttaskfailed}.
   */
  public void failStartTasks(String poolId) {
    synchronized (engine.lock) {
      engine.failStartTasks(poolId);
    }
  }

  /**
   * The job preparation task of each job whose id fully matches {@code jobIdRegex} fails on every
   * node from now on: exit code 1 without running its command, with a stderr that says so.
   */
  public void failJobPreparations(String jobIdRegex) {
    synchronized (engine.lock) {
      engine.failJobPreparations(Pattern.compile(jobIdRegex));
    }
  }

  /**
   * Makes a node {@code unusable}: its runs are killed, its tasks go back to active (as the service
   * requeues them) and it takes no more tasks. False when there is no such node.
   */
  public boolean makeNodeUnusable(String poolId, String nodeId) {
    synchronized (engine.lock) {
      return engine.makeNodeUnusable(poolId, nodeId);
    }
  }

  /**
   * Nodes that boot from now on find their image's dpkg lock held for {@code duration} by its own
   * first-boot apt run, as fresh Ubuntu nodes may: {@code apt-get update} fails meanwhile, {@code
   * apt-get install} fails unless its {@code DPkg::Lock::Timeout} outlasts the lock.
   */
  public void holdAptLockAtBoot(Duration duration) {
    engine.agent.aptLockAtBoot = duration;
  }

  /**
   * Preempts a running (or preparing) task: kills its processes; it goes back to active and runs
   * again (like the service, neither retryCount nor requeueCount grows). False when the task is not
   * running.
   */
  public boolean preemptTask(String jobId, String taskId) {
    synchronized (engine.lock) {
      return engine.preemptTask(jobId, taskId);
    }
  }

  /**
   * Preempts a node: kills everything on it and requeues its tasks (without counting a requeue);
   * the node stays {@code preempted} for the preemption recovery delay, then a fresh node (new id,
   * empty directories: start task and job preparation run again) replaces it. The service preempts
   * only low-priority/Spot nodes; the double lets tests preempt any node. False when there is no
   * such node or it is already preempted or leaving.
   */
  public boolean preemptNode(String poolId, String nodeId) {
    synchronized (engine.lock) {
      return engine.preemptNode(poolId, nodeId);
    }
  }

  /**
   * Runs a pool's autoscale now, as the service does when its next 30-second sample and its next
   * evaluation come round: records a sample of the task counts of the pool's active jobs, then
   * evaluates the formula and applies its targets. False when the pool has no autoscale. (Without
   * this, samples are taken every 30 s and formulas evaluated at their interval of the clock.)
   */
  public boolean runAutoScale(String poolId) {
    synchronized (engine.lock) {
      Sim.Pool pool = engine.pools.get(BatchEngine.key(poolId));
      if (pool == null || !pool.autoScale) {
        return false;
      }
      Instant now = engine.autoScaleClock();
      engine.sampleTasks(pool, now);
      engine.evaluateAutoScale(pool, now);
      return true;
    }
  }

  // ------------------------------------------------------------------ inspection

  /** Every request answered so far, in order. */
  public List<RecordedRequest> requests() {
    synchronized (log) {
      return new ArrayList<>(log);
    }
  }

  public void clearRequests() {
    log.clear();
  }

  /** The ids of a pool's current nodes (empty when there is no such pool). */
  public List<String> nodeIds(String poolId) {
    synchronized (engine.lock) {
      Sim.Pool pool = engine.pools.get(BatchEngine.key(poolId));
      return pool == null ? List.of() : new ArrayList<>(pool.nodes.keySet());
    }
  }

  /** The states of a pool's current nodes by node id, in allocation order. */
  public Map<String, String> nodeStates(String poolId) {
    synchronized (engine.lock) {
      Sim.Pool pool = engine.pools.get(BatchEngine.key(poolId));
      Map<String, String> states = new LinkedHashMap<>();
      if (pool != null) {
        pool.nodes.values().forEach(n -> states.put(n.id, n.state));
      }
      return states;
    }
  }

  /** The node a task runs or last ran on. */
  public Optional<String> nodeOf(String jobId, String taskId) {
    synchronized (engine.lock) {
      Sim.Task t = task(jobId, taskId);
      return t == null || t.node == null ? Optional.empty() : Optional.of(t.node.id);
    }
  }

  /** The task directory (holding stdout.txt, stderr.txt, wd) of its current or last run. */
  public Optional<Path> taskDirectory(String jobId, String taskId) {
    synchronized (engine.lock) {
      Sim.Task t = task(jobId, taskId);
      return t == null ? Optional.empty() : Optional.ofNullable(t.dir());
    }
  }

  /** The process ({@code /bin/bash}) of a task's current run, if it is running one. */
  public Optional<ProcessHandle> taskProcess(String jobId, String taskId) {
    synchronized (engine.lock) {
      Sim.Task t = task(jobId, taskId);
      Process p = t == null || t.current == null ? null : t.current.process();
      return p == null ? Optional.empty() : Optional.of(p.toHandle());
    }
  }

  /**
   * How many task executions the account has started so far, over all jobs: a task that is requeued
   * (preempted, unusable node) or retried by the service counts once per execution.
   */
  public long taskExecutionsStarted() {
    return engine.taskExecutions.get();
  }

  /**
   * The processes the double started (tasks, start tasks, job preparations, and containers its
   * nodes' Docker runs) still alive.
   */
  public List<ProcessHandle> liveProcesses() {
    List<ProcessHandle> live = new ArrayList<>(engine.agent.alive());
    live.addAll(DockerCli.liveContainers(nodeRoot));
    return live;
  }

  /**
   * Puts {@code image} into the registries the nodes' Docker pulls from, with the host command its
   * entrypoint runs ({@link DockerCli}).
   */
  public void addContainerImage(String image, List<String> entrypoint) {
    engine.agent.docker.addImage(image, entrypoint);
  }

  /**
   * How a task ran, as the account saw it.
   *
   * @param firstReported when an answer first showed it completed, or null
   * @param requeues how often it was requeued (preempted or lost node) before its last run
   */
  public record TaskTiming(
      String jobId,
      String taskId,
      String state,
      String poolId,
      Instant startTime,
      Instant endTime,
      Instant firstReported,
      int requeues) {}

  /** Every task of every job, deleted jobs' included, as it is now or was when deleted. */
  public List<TaskTiming> taskTimings() {
    List<TaskTiming> all;
    synchronized (engine.deletedJobsTasks) {
      all = new ArrayList<>(engine.deletedJobsTasks);
    }
    synchronized (engine.lock) {
      for (Sim.Job j : engine.jobs.values()) {
        for (Sim.Task t : j.tasks.values()) {
          all.add(engine.timing(t));
        }
      }
    }
    return all;
  }

  private Sim.Task task(String jobId, String taskId) {
    Sim.Job j = engine.jobs.get(BatchEngine.key(jobId));
    return j == null ? null : j.tasks.get(BatchEngine.key(taskId));
  }

  /** Stops serving, kills every process it started and deletes its own temporary directory. */
  @Override
  public synchronized void close() {
    if (server != null) {
      server.close();
    }
    engine.close();
    if (ownsRoot) {
      try (Stream<Path> walk = Files.walk(nodeRoot)) {
        for (Path p : walk.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
          Files.deleteIfExists(p);
        }
      } catch (IOException e) {
        // best effort: it is a temporary directory
      }
    }
  }

  // ------------------------------------------------------------------ HTTP

  private MiniHttpServer.Response handle(MiniHttpServer.Request req) {
    String requestId = UUID.randomUUID().toString();
    List<String> segments = new ArrayList<>();
    for (String s : req.rawPath.split("/")) {
      if (!s.isEmpty()) {
        segments.add(SharedKey.percentDecode(s, false));
      }
    }
    Map<String, String> query = new LinkedHashMap<>();
    if (req.rawQuery != null) {
      for (String part : req.rawQuery.split("&")) {
        if (part.isEmpty()) {
          continue;
        }
        int eq = part.indexOf('=');
        query.put(
            SharedKey.percentDecode(eq < 0 ? part : part.substring(0, eq)),
            eq < 0 ? "" : SharedKey.percentDecode(part.substring(eq + 1)));
      }
    }
    String path = "/" + String.join("/", segments);
    MiniHttpServer.Response response = serve(req, segments, query, path, requestId);
    log.add(
        new RecordedRequest(
            Instant.now(),
            req.method,
            path,
            req.rawQuery,
            Collections.unmodifiableMap(query),
            req.body,
            response.drop ? -1 : response.status));
    return response;
  }

  private MiniHttpServer.Response serve(
      MiniHttpServer.Request req,
      List<String> segments,
      Map<String, String> query,
      String path,
      String requestId) {
    for (RequestFault f : faults) {
      if (f.claim(req.method, path)) {
        switch (f.kind) {
          case LOSE_RESPONSE:
            serveNormally(req, segments, query, requestId);
            return MiniHttpServer.Response.dropConnection();
          case DROP:
            return MiniHttpServer.Response.dropConnection();
          case THROTTLE:
            return error(
                req,
                requestId,
                new ApiException(
                        429,
                        "TooManyRequests",
                        "The service is receiving too many requests; retry after some time.")
                    .header("Retry-After", Integer.toString(f.retryAfterSeconds)));
          default:
            return error(
                req,
                requestId,
                new ApiException(
                    f.status,
                    f.status == 503 ? "ServerBusy" : "InternalError",
                    "Injected server error " + f.status + "."));
        }
      }
    }
    return serveNormally(req, segments, query, requestId);
  }

  private MiniHttpServer.Response serveNormally(
      MiniHttpServer.Request req,
      List<String> segments,
      Map<String, String> query,
      String requestId) {
    try {
      authenticate(req);
      if (!query.containsKey("api-version")) {
        throw ApiException.badRequest(
                "MissingRequiredQueryParameter",
                "A query parameter that's mandatory for this request is not specified.")
            .value("QueryParameterName", "api-version");
      }
      if (req.body.length > MAX_REQUEST_BODY) {
        throw new ApiException(
                413,
                "RequestBodyTooLarge",
                "The request body is too large and exceeds the maximum permissible limit.")
            .value("MaxLimit", Integer.toString(MAX_REQUEST_BODY));
      }
      RestApi.RestReply reply = api.dispatch(new RestApi.ParsedRequest(req, segments, query));
      return success(req, requestId, reply);
    } catch (ApiException e) {
      return error(req, requestId, e);
    } catch (RuntimeException e) {
      return error(
          req, requestId, new ApiException(500, "InternalError", "The double failed: " + e));
    }
  }

  private void authenticate(MiniHttpServer.Request req) throws ApiException {
    String auth = req.header("Authorization");
    if (auth == null || auth.isBlank()) {
      throw authFailure(401, "The Authorization header is missing.");
    }
    if (auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
      if (!bearerTokens.contains(auth.substring(7).trim())) {
        throw authFailure(401, "The bearer token is not accepted by this account.");
      }
      return;
    }
    if (!auth.startsWith("SharedKey ")) {
      throw authFailure(401, "Unsupported authorization scheme.");
    }
    String credential = auth.substring("SharedKey ".length()).trim();
    int colon = credential.lastIndexOf(':');
    if (colon <= 0 || !credential.substring(0, colon).equalsIgnoreCase(accountName)) {
      throw authFailure(403, "The SharedKey credential does not name this account.");
    }
    String signature = credential.substring(colon + 1);
    String date = req.header("ocp-date");
    if (date == null) {
      date = req.header("Date");
    }
    Instant at = date == null ? null : Json.parseRfc1123(date);
    if (at == null) {
      throw authFailure(403, "The request has no valid ocp-date or Date header.");
    }
    if (Duration.between(at, Instant.now()).abs().compareTo(MAX_CLOCK_SKEW) > 0) {
      throw authFailure(403, "Request date header too old (or too far in the future): " + date);
    }
    Map<String, String> headers = new LinkedHashMap<>();
    for (Map.Entry<String, String> h : req.headers) {
      headers.put(h.getKey().toLowerCase(Locale.ROOT), h.getValue());
    }
    String expected;
    try {
      expected =
          SharedKey.sign(
              key,
              SharedKey.stringToSign(req.method, headers, req.rawPath, req.rawQuery, accountName));
    } catch (IllegalArgumentException e) {
      throw authFailure(403, "The request URI cannot be canonicalized: " + e.getMessage());
    }
    if (!MessageDigest.isEqual(
        expected.getBytes(StandardCharsets.US_ASCII),
        signature.getBytes(StandardCharsets.US_ASCII))) {
      throw authFailure(
          403,
          "The MAC signature found in the HTTP request '"
              + signature
              + "' is not the same as any computed signature.");
    }
  }

  private static ApiException authFailure(int status, String detail) {
    return new ApiException(
            status,
            "AuthenticationFailed",
            "Server failed to authenticate the request. Make sure the value of Authorization header"
                + " is formed correctly including the signature.")
        .value("AuthenticationErrorDetail", detail);
  }

  private MiniHttpServer.Response success(
      MiniHttpServer.Request req, String requestId, RestApi.RestReply reply) {
    MiniHttpServer.Response r = new MiniHttpServer.Response(reply.status);
    standardHeaders(r, req, requestId);
    if (reply.entity != null) {
      r.header("ETag", reply.entity.etag);
      r.header("Last-Modified", Json.rfc1123(reply.entity.lastModified));
    }
    reply.headers.forEach(r::header);
    if (reply.json != null) {
      r.header("Content-Type", "application/json;odata=minimalmetadata");
      r.body(Json.bytes(reply.json));
    } else if (reply.raw != null || reply.contentType != null) {
      r.header("Content-Type", reply.contentType);
      r.body(reply.raw == null ? new byte[0] : reply.raw);
    }
    if (req.method.equals("HEAD") && reply.headLength != null) {
      r.announcedLength = reply.headLength;
    }
    return r;
  }

  private MiniHttpServer.Response error(
      MiniHttpServer.Request req, String requestId, ApiException e) {
    MiniHttpServer.Response r = new MiniHttpServer.Response(e.status);
    standardHeaders(r, req, requestId);
    e.headers.forEach(r::header);
    r.header("Content-Type", "application/json;odata=minimalmetadata");
    r.body(Json.bytes(api.errorBody(e, requestId)));
    return r;
  }

  private static void standardHeaders(
      MiniHttpServer.Response r, MiniHttpServer.Request req, String requestId) {
    r.header("request-id", requestId);
    String clientRequestId = req.header("client-request-id");
    try {
      clientRequestId = UUID.fromString(clientRequestId).toString();
    } catch (RuntimeException e) {
      clientRequestId = UUID.randomUUID().toString();
    }
    r.header("client-request-id", clientRequestId);
    r.header("DataServiceVersion", "3.0");
    r.header("Date", Json.rfc1123(Instant.now()));
  }
}

package dev.redwood.runner.worker;

import dev.redwood.runner.portable.JavaSdkBoot;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.beam.model.fnexecution.v1.BeamFnApi;
import org.apache.beam.model.fnexecution.v1.BeamFnApi.StateKey.TypeCase;
import org.apache.beam.model.pipeline.v1.MetricsApi.MonitoringInfo;
import org.apache.beam.model.pipeline.v1.RunnerApi;
import org.apache.beam.runners.core.InMemoryTimerInternals;
import org.apache.beam.runners.core.metrics.MonitoringInfoConstants;
import org.apache.beam.runners.fnexecution.artifact.ArtifactRetrievalService;
import org.apache.beam.runners.fnexecution.control.BundleProgressHandler;
import org.apache.beam.runners.fnexecution.control.ExecutableStageContext;
import org.apache.beam.runners.fnexecution.control.OutputReceiverFactory;
import org.apache.beam.runners.fnexecution.control.ProcessBundleDescriptors;
import org.apache.beam.runners.fnexecution.control.RemoteBundle;
import org.apache.beam.runners.fnexecution.control.StageBundleFactory;
import org.apache.beam.runners.fnexecution.control.TimerReceiverFactory;
import org.apache.beam.runners.fnexecution.state.InMemoryBagUserStateFactory;
import org.apache.beam.runners.fnexecution.state.StateRequestHandler;
import org.apache.beam.runners.fnexecution.state.StateRequestHandlers;
import org.apache.beam.runners.fnexecution.translation.BatchSideInputHandlerFactory;
import org.apache.beam.runners.fnexecution.translation.PipelineTranslatorUtils;
import org.apache.beam.runners.fnexecution.wire.WireCoders;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.fn.data.FnDataReceiver;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.util.CoderUtils;
import org.apache.beam.sdk.util.construction.Timer;
import org.apache.beam.sdk.util.construction.graph.ExecutableStage;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.WindowedValue;
import org.apache.beam.sdk.values.WindowingStrategy;
import org.apache.beam.vendor.grpc.v1p69p0.com.google.protobuf.InvalidProtocolBufferException;
import org.joda.time.Instant;

/**
 * Runs a fused stage of a portable pipeline in an SDK harness over the Fn API: the task's elements
 * go to the harness, its outputs come back to this task's operators. A stateless stage runs as one
 * bundle per task; a stage with user state or timers gets its input grouped by key and runs one
 * bundle per key, with fresh state, then fires the key's timers as batch time ends. A task has one
 * harness bundle open at a time (see {@link TaskContext#claimHarnessBundle}): a stage fed by
 * another stage of the same task (through a Flatten) holds its input on disk until that one ends.
 *
 * <p>The harness reports user metrics per transform when a bundle completes; they go into the
 * task's metrics like a Java DoFn's, so the driver's attempted and committed values cover them.
 */
public final class ExecutableStageOperator implements Operator {
  /** Bounds the timer rounds of one key, so a timer that re-arms itself forever fails the task. */
  private static final int MAX_TIMER_ROUNDS_PER_KEY = 1_000_000;

  private final PortableStageSpec spec;
  private final TaskContext context;
  private final Map<String, Receiver> outputs;
  private final Object outputLock = new Object();
  private ExecutableStageContext stageContext;
  private StageBundleFactory bundleFactory;
  private ExecutableStage stage;
  private StateRequestHandler stateHandler;
  private InMemoryBagUserStateFactory<?, ?, ?> userState;
  private RemoteBundle bundle;
  private FnDataReceiver<WindowedValue<?>> input;
  private Map<String, String> transformNames;
  private Path heldFile;
  private DataOutputStream held;
  private Coder<WindowedValue<?>> heldCoder;

  public ExecutableStageOperator(
      PortableStageSpec spec, TaskContext context, Map<String, Receiver> outputs) {
    this.spec = spec;
    this.context = context;
    this.outputs = outputs;
  }

  @Override
  public void start() throws Exception {
    RunnerApi.ExecutableStagePayload payload = withLocalArtifacts(spec.parsedPayload());
    stage = ExecutableStage.fromPayload(payload);
    transformNames = new HashMap<>();
    payload
        .getComponents()
        .getTransformsMap()
        .forEach((id, transform) -> transformNames.put(id, transform.getUniqueName()));
    stageContext = SdkHarnessContexts.acquire(spec.job());
    bundleFactory = stageContext.getStageBundleFactory(stage);
    stateHandler = stateHandler();
  }

  @Override
  public void accept(WindowedValue<?> element) throws Exception {
    if (spec.keyed()) {
      runKey((KeyedElements) element.getValue());
    } else if (bundle != null) {
      input.accept(element);
    } else if (held == null && context.claimHarnessBundle(this)) {
      openBundle();
      input.accept(element);
    } else {
      hold(element);
    }
  }

  @Override
  public void finish() throws Exception {
    if (spec.keyed()) {
      return;
    }
    if (bundle == null) {
      // Input held while another operator's bundle was open (or none at all): that one has ended,
      // since operators upstream finish first.
      if (!context.claimHarnessBundle(this)) {
        throw new IllegalStateException(
            "Stage " + spec.stepName() + " cannot run: another harness bundle is still open");
      }
      openBundle();
      replayHeld();
    }
    RemoteBundle open = bundle;
    bundle = null;
    open.close(); // waits for the harness to finish the bundle and for all of its outputs
    context.releaseHarnessBundle(this);
  }

  private void openBundle() throws Exception {
    bundle = bundleFactory.getBundle(new Outputs(), stateHandler, new MetricsOnCompletion());
    input = onlyInput(bundle);
  }

  /** Keeps an element on the task's disk until this operator's bundle can open. */
  private void hold(WindowedValue<?> element) throws IOException {
    if (held == null) {
      heldFile = Files.createTempFile(context.workingDir(), "portable-held-", ".bin");
      held = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(heldFile)));
    }
    byte[] bytes = CoderUtils.encodeToByteArray(inputCoder(), element);
    held.writeInt(bytes.length);
    held.write(bytes);
  }

  private void replayHeld() throws Exception {
    if (held == null) {
      return;
    }
    held.close();
    held = null;
    try (DataInputStream in =
        new DataInputStream(new BufferedInputStream(Files.newInputStream(heldFile)))) {
      while (true) {
        int length;
        try {
          length = in.readInt();
        } catch (EOFException end) {
          break;
        }
        input.accept(CoderUtils.decodeFromByteArray(inputCoder(), in.readNBytes(length)));
      }
    } finally {
      Files.deleteIfExists(heldFile);
    }
  }

  @SuppressWarnings("unchecked")
  private Coder<WindowedValue<?>> inputCoder() throws IOException {
    if (heldCoder == null) {
      heldCoder =
          (Coder<WindowedValue<?>>)
              (Coder<?>)
                  WireCoders.instantiateRunnerWireCoder(
                      stage.getInputPCollection(), stage.getComponents());
    }
    return heldCoder;
  }

  @Override
  public void teardown() throws Exception {
    context.releaseHarnessBundle(this);
    try {
      // First, whatever else fails: the harness is shared with the job's other tasks, which may
      // be waiting for this bundle to end (SdkHarnessContexts).
      if (bundle != null) {
        try {
          bundle.close();
        } catch (Exception e) {
          // The task already failed; the bundle's own failure adds nothing.
        }
      }
      if (bundleFactory != null) {
        bundleFactory.close();
      }
    } finally {
      if (stageContext != null) {
        stageContext.close();
      }
      if (held != null) {
        held.close();
      }
      if (heldFile != null) {
        Files.deleteIfExists(heldFile);
      }
    }
  }

  /** One key's elements in a bundle of their own, then its timers until none is left. */
  private void runKey(KeyedElements keyed) throws Exception {
    if (!context.claimHarnessBundle(this)) {
      throw new IllegalStateException(
          "Stage " + spec.stepName() + " reads a key while another harness bundle is open");
    }
    try {
      runKeyBundles(keyed);
    } finally {
      context.releaseHarnessBundle(this);
    }
  }

  private void runKeyBundles(KeyedElements keyed) throws Exception {
    userState.resetForNewKey();
    InMemoryTimerInternals timers = new InMemoryTimerInternals();
    timers.advanceProcessingTime(Instant.now());
    timers.advanceSynchronizedProcessingTime(Instant.now());
    Object[] timerKey = {null};
    TimerReceiverFactory timerReceivers =
        new TimerReceiverFactory(
            bundleFactory,
            (timer, data) -> {
              timerKey[0] = timer.getUserKey();
              if (timer.getClearBit()) {
                timers.deleteTimer(data);
              } else {
                timers.setTimer(data);
              }
            },
            windowCoder());
    try (RemoteBundle keyBundle =
        bundleFactory.getBundle(
            new Outputs(), timerReceivers, stateHandler, new MetricsOnCompletion())) {
      FnDataReceiver<WindowedValue<?>> keyInput = onlyInput(keyBundle);
      var elements = keyed.elements();
      while (elements.hasNext()) {
        keyInput.accept(elements.next());
      }
    }
    timers.advanceInputWatermark(BoundedWindow.TIMESTAMP_MAX_VALUE);
    timers.advanceProcessingTime(BoundedWindow.TIMESTAMP_MAX_VALUE);
    timers.advanceSynchronizedProcessingTime(BoundedWindow.TIMESTAMP_MAX_VALUE);
    // Each round fires every timer due and gets back the timers those set; a timer the end of
    // time cannot reach (one set at the end of time itself) stays pending, so rounds end when one
    // fires nothing.
    long fired = 1;
    for (int round = 0; fired > 0 && timers.hasPendingTimers(); round++) {
      if (round > MAX_TIMER_ROUNDS_PER_KEY) {
        throw new IllegalStateException(
            "Stage "
                + spec.stepName()
                + " fired timers in more than "
                + MAX_TIMER_ROUNDS_PER_KEY
                + " rounds for one key: a timer keeps re-arming itself");
      }
      long[] count = {0};
      try (RemoteBundle timerBundle =
          bundleFactory.getBundle(
              new Outputs(), timerReceivers, stateHandler, new MetricsOnCompletion())) {
        Map<KV<String, String>, FnDataReceiver<Timer>> counting = new HashMap<>();
        timerBundle
            .getTimerReceivers()
            .forEach(
                (id, receiver) ->
                    counting.put(
                        id,
                        timer -> {
                          count[0]++;
                          receiver.accept(timer);
                        }));
        PipelineTranslatorUtils.fireEligibleTimers(timers, counting, timerKey[0]);
      }
      fired = count[0];
    }
  }

  @SuppressWarnings("unchecked")
  private Coder<BoundedWindow> windowCoder() {
    WindowingStrategy<?, ?> strategy =
        PipelineTranslatorUtils.getWindowingStrategy(
            stage.getInputPCollection().getId(), stage.getComponents());
    return (Coder<BoundedWindow>) strategy.getWindowFn().windowCoder();
  }

  @SuppressWarnings("unchecked")
  private static FnDataReceiver<WindowedValue<?>> onlyInput(RemoteBundle bundle) {
    if (bundle.getInputReceivers().size() != 1) {
      throw new IllegalStateException(
          "A fused stage reads one input, its bundle has " + bundle.getInputReceivers().keySet());
    }
    return (FnDataReceiver<WindowedValue<?>>) bundle.getInputReceivers().values().iterator().next();
  }

  /** Side inputs from the task's views; user state in memory, per key. */
  private StateRequestHandler stateHandler() throws IOException {
    EnumMap<TypeCase, StateRequestHandler> handlers = new EnumMap<>(TypeCase.class);
    if (!stage.getSideInputs().isEmpty()) {
      var reader = context.sideInputs().readerFor(spec.sideInputSpecs());
      Map<String, List<WindowedValue<?>>> loaded = new ConcurrentHashMap<>();
      BatchSideInputHandlerFactory.SideInputGetter getter =
          new BatchSideInputHandlerFactory.SideInputGetter() {
            @Override
            @SuppressWarnings("unchecked")
            public <T> List<T> getSideInput(String pCollectionId) {
              return (List<T>)
                  loaded.computeIfAbsent(
                      pCollectionId,
                      id -> decodeSideInput(id, reader.get(view(id), GlobalWindow.INSTANCE)));
            }
          };
      StateRequestHandler sideInputs =
          StateRequestHandlers.forSideInputHandlerFactory(
              ProcessBundleDescriptors.getSideInputs(stage),
              BatchSideInputHandlerFactory.forStage(stage, getter));
      handlers.put(TypeCase.ITERABLE_SIDE_INPUT, sideInputs);
      handlers.put(TypeCase.MULTIMAP_SIDE_INPUT, sideInputs);
      handlers.put(TypeCase.MULTIMAP_KEYS_SIDE_INPUT, sideInputs);
    }
    if (!stage.getUserStates().isEmpty()) {
      InMemoryBagUserStateFactory<Object, Object, BoundedWindow> state =
          new InMemoryBagUserStateFactory<>();
      userState = state;
      handlers.put(
          TypeCase.BAG_USER_STATE,
          StateRequestHandlers.forBagUserStateHandlerFactory(
              bundleFactory.getProcessBundleDescriptor(), state));
    } else {
      userState = new InMemoryBagUserStateFactory<>();
    }
    return StateRequestHandlers.delegateBasedUponType(handlers);
  }

  @SuppressWarnings("unchecked")
  private org.apache.beam.sdk.values.PCollectionView<Iterable<byte[]>> view(String pCollectionId) {
    SideInputSpec input = spec.sideInputs().get(pCollectionId);
    if (input == null) {
      throw new IllegalStateException(
          "Stage " + spec.stepName() + " has no view for side input PCollection " + pCollectionId);
    }
    return (org.apache.beam.sdk.values.PCollectionView<Iterable<byte[]>>) input.view();
  }

  private List<WindowedValue<?>> decodeSideInput(String pCollectionId, Iterable<byte[]> encoded) {
    Coder<WindowedValue<?>> coder = spec.sideInputCoders().get(pCollectionId);
    List<WindowedValue<?>> values = new ArrayList<>();
    try {
      for (byte[] bytes : encoded) {
        values.add(CoderUtils.decodeFromByteArray(coder, bytes));
      }
    } catch (IOException e) {
      throw new IllegalStateException(
          "Stage " + spec.stepName() + " could not decode side input " + pCollectionId, e);
    }
    return values;
  }

  /**
   * The stage's payload with each file artifact the job server received replaced by its copy on
   * this node (the harness's artifact service reads them from here), and PROCESS environments given
   * what this node's boot launcher needs ({@link JavaSdkBoot#forThisWorker}).
   */
  private RunnerApi.ExecutableStagePayload withLocalArtifacts(
      RunnerApi.ExecutableStagePayload payload) throws IOException {
    RunnerApi.ExecutableStagePayload.Builder builder = payload.toBuilder();
    builder.setEnvironment(localEnvironment(payload.getEnvironment()));
    RunnerApi.Components.Builder components = builder.getComponentsBuilder();
    for (Map.Entry<String, RunnerApi.Environment> env :
        payload.getComponents().getEnvironmentsMap().entrySet()) {
      components.putEnvironments(env.getKey(), localEnvironment(env.getValue()));
    }
    return builder.build();
  }

  private RunnerApi.Environment localEnvironment(RunnerApi.Environment environment)
      throws IOException {
    environment = JavaSdkBoot.forThisWorker(environment);
    if (spec.artifactKeys().isEmpty()) {
      return environment;
    }
    RunnerApi.Environment.Builder builder = environment.toBuilder().clearDependencies();
    for (RunnerApi.ArtifactInformation artifact : environment.getDependenciesList()) {
      if (!ArtifactRetrievalService.FILE_ARTIFACT_URN.equals(artifact.getTypeUrn())) {
        builder.addDependencies(artifact);
        continue;
      }
      RunnerApi.ArtifactFilePayload file;
      try {
        file = RunnerApi.ArtifactFilePayload.parseFrom(artifact.getTypePayload());
      } catch (InvalidProtocolBufferException e) {
        throw new IOException("Unreadable artifact of environment " + environment.getUrn(), e);
      }
      String key = spec.artifactKeys().get(file.getPath());
      if (key == null) {
        builder.addDependencies(artifact);
        continue;
      }
      Path local = localCopy(key, file.getPath());
      builder.addDependencies(
          artifact.toBuilder()
              .setTypePayload(file.toBuilder().setPath(local.toString()).build().toByteString()));
    }
    return builder.build();
  }

  /**
   * This node's copy of an artifact: the node put every staged file of the job on the task JVM's
   * classpath under its staged name; a node on the server's own machine (in-process nodes) may read
   * the server's file itself.
   */
  private static Path localCopy(String key, String serverPath) throws IOException {
    String name = key.substring(key.lastIndexOf('/') + 1);
    for (String entry : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
      Path path = Path.of(entry);
      if (path.getFileName() != null
          && path.getFileName().toString().equals(name)
          && Files.isRegularFile(path)) {
        return path;
      }
    }
    Path original = Path.of(serverPath);
    if (Files.isRegularFile(original)) {
      return original;
    }
    throw new IOException(
        "Artifact " + serverPath + " (staged as " + key + ") is not on this node's classpath");
  }

  /** Hands each harness output to the operators reading its PCollection, one at a time. */
  private final class Outputs implements OutputReceiverFactory {
    @Override
    public <T> FnDataReceiver<T> create(String pCollectionId) {
      Receiver receiver = outputs.get(pCollectionId);
      if (receiver == null) {
        return element -> {}; // no operator of this task reads it
      }
      return element -> {
        synchronized (outputLock) {
          receiver.accept((WindowedValue<?>) element);
        }
      };
    }
  }

  /** Puts the user metrics of a completed bundle into the task's metrics, by transform. */
  private final class MetricsOnCompletion implements BundleProgressHandler {
    @Override
    public void onProgress(BeamFnApi.ProcessBundleProgressResponse progress) {
      // Progress reports are cumulative per bundle; the completion report alone is counted.
    }

    @Override
    public void onCompleted(BeamFnApi.ProcessBundleResponse response) {
      Map<String, List<MonitoringInfo>> byStep = new HashMap<>();
      for (MonitoringInfo info : response.getMonitoringInfosList()) {
        if (!info.getUrn().startsWith("beam:metric:user:")) {
          continue;
        }
        String transform = info.getLabelsMap().get(MonitoringInfoConstants.Labels.PTRANSFORM);
        String step =
            transform == null ? spec.stepName() : transformNames.getOrDefault(transform, transform);
        byStep.computeIfAbsent(step, s -> new ArrayList<>()).add(info);
      }
      synchronized (context.metrics()) {
        byStep.forEach((step, infos) -> context.metrics().getContainer(step).update(infos));
      }
    }
  }
}

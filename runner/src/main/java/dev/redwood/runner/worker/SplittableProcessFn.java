package dev.redwood.runner.worker;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.reflect.DoFnInvoker;
import org.apache.beam.sdk.transforms.reflect.DoFnInvokers;
import org.apache.beam.sdk.transforms.splittabledofn.RestrictionTracker;
import org.apache.beam.sdk.transforms.splittabledofn.SplitResult;
import org.apache.beam.sdk.transforms.splittabledofn.WatermarkEstimator;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TupleTag;
import org.joda.time.Instant;

/**
 * Processes the restrictions of a bounded splittable DoFn: the work of Beam's {@code
 * ProcessKeyedElements}, as an ordinary DoFn. Its input is an element, a restriction and the
 * watermark estimator state (null until the first checkpoint).
 *
 * <p>When the splittable DoFn checkpoints ({@code resume()}), the residual restriction is processed
 * right away in the same bundle, as a bounded runner may; unless the DoFn asked for bundle
 * finalization in this bundle. Its callbacks run only after the bundle's outputs are committed, and
 * the DoFn may be waiting for them, so the residual then goes to the {@link #residualTag() residual
 * output}: the task ends, its outputs are committed, the callbacks run, and the runner hands the
 * residual to a continuation task of the same stage.
 */
public final class SplittableProcessFn<InputT, OutputT, RestrictionT, StateT>
    extends DoFn<KV<KV<InputT, RestrictionT>, StateT>, OutputT> {

  private final DoFn<InputT, OutputT> fn;
  private final Map<String, PCollectionView<?>> sideInputMapping;
  private final TupleTag<KV<KV<InputT, RestrictionT>, StateT>> residualTag;

  private transient DoFnInvoker<InputT, OutputT> invoker;
  private transient boolean finalizationRequested;

  public SplittableProcessFn(
      DoFn<InputT, OutputT> fn,
      Map<String, PCollectionView<?>> sideInputMapping,
      TupleTag<KV<KV<InputT, RestrictionT>, StateT>> residualTag) {
    this.fn = fn;
    this.sideInputMapping = sideInputMapping;
    this.residualTag = residualTag;
  }

  /** The output that carries restrictions left for a continuation task. */
  public TupleTag<KV<KV<InputT, RestrictionT>, StateT>> residualTag() {
    return residualTag;
  }

  @Setup
  public void setup(PipelineOptions options) {
    invoker = DoFnInvokers.invokerFor(fn);
    invoker.invokeSetup(
        new DoFnInvoker.BaseArgumentProvider<InputT, OutputT>() {
          @Override
          public PipelineOptions pipelineOptions() {
            return options;
          }

          @Override
          public String getErrorContext() {
            return "@Setup of " + fn.getClass().getName();
          }
        });
  }

  @StartBundle
  public void startBundle(StartBundleContext c) {
    finalizationRequested = false;
    invoker.invokeStartBundle(
        new DoFnInvoker.BaseArgumentProvider<InputT, OutputT>() {
          @Override
          public DoFn<InputT, OutputT>.StartBundleContext startBundleContext(
              DoFn<InputT, OutputT> doFn) {
            return doFn.new StartBundleContext() {
              @Override
              public PipelineOptions getPipelineOptions() {
                return c.getPipelineOptions();
              }
            };
          }

          @Override
          public PipelineOptions pipelineOptions() {
            return c.getPipelineOptions();
          }

          @Override
          public String getErrorContext() {
            return "@StartBundle of " + fn.getClass().getName();
          }
        });
  }

  @ProcessElement
  public void process(
      ProcessContext c,
      BoundedWindow window,
      OutputReceiver<OutputT> out,
      MultiOutputReceiver outs,
      BundleFinalizer finalizer) {
    InputT element = c.element().getKey().getKey();
    RestrictionT restriction = c.element().getKey().getValue();
    StateT state = c.element().getValue();
    Invocation first = new Invocation(c, window, out, outs, finalizer, element, restriction, null);
    if (state == null) {
      state = invoker.invokeGetInitialWatermarkEstimatorState(first);
    }
    while (true) {
      Invocation call =
          new Invocation(c, window, out, outs, finalizer, element, restriction, state);
      call.tracker = invoker.invokeNewTracker(call);
      call.estimator = invoker.invokeNewWatermarkEstimator(call);
      ProcessContinuation continuation = invoker.invokeProcessElement(call);
      if (!continuation.shouldResume()) {
        return;
      }
      // The estimator's state before the split describes both the primary and the residual.
      state = call.estimator.getState();
      SplitResult<RestrictionT> split = call.tracker.trySplit(0);
      if (split == null) {
        return;
      }
      restriction = split.getResidual();
      if (finalizationRequested) {
        outs.get(residualTag).output(KV.of(KV.of(element, restriction), state));
        return;
      }
      sleep(continuation.resumeDelay().getMillis());
    }
  }

  @FinishBundle
  public void finishBundle(FinishBundleContext c) {
    invoker.invokeFinishBundle(
        new DoFnInvoker.BaseArgumentProvider<InputT, OutputT>() {
          @Override
          public DoFn<InputT, OutputT>.FinishBundleContext finishBundleContext(
              DoFn<InputT, OutputT> doFn) {
            return doFn.new FinishBundleContext() {
              @Override
              public PipelineOptions getPipelineOptions() {
                return c.getPipelineOptions();
              }

              @Override
              public void output(OutputT output, Instant timestamp, BoundedWindow window) {
                c.output(output, timestamp, window);
              }

              @Override
              public <T> void output(
                  TupleTag<T> tag, T output, Instant timestamp, BoundedWindow window) {
                c.output(tag, output, timestamp, window);
              }
            };
          }

          @Override
          public PipelineOptions pipelineOptions() {
            return c.getPipelineOptions();
          }

          @Override
          public String getErrorContext() {
            return "@FinishBundle of " + fn.getClass().getName();
          }
        });
  }

  @Teardown
  public void teardown() {
    if (invoker != null) {
      invoker.invokeTeardown();
    }
  }

  private static void sleep(long millis) {
    if (millis <= 0) {
      return;
    }
    try {
      TimeUnit.MILLISECONDS.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting to resume a restriction", e);
    }
  }

  /**
   * The arguments of one call into the splittable DoFn for one element and restriction: the
   * enclosing call's context, window and outputs, the restriction's tracker and watermark
   * estimator, and a bundle finalizer that notes the request.
   */
  private final class Invocation extends DoFnInvoker.BaseArgumentProvider<InputT, OutputT> {
    private final DoFn<KV<KV<InputT, RestrictionT>, StateT>, OutputT>.ProcessContext outer;
    private final BoundedWindow window;
    private final OutputReceiver<OutputT> out;
    private final MultiOutputReceiver outs;
    private final BundleFinalizer finalizer;
    private final InputT element;
    private final RestrictionT restriction;
    private final StateT state;
    RestrictionTracker<RestrictionT, ?> tracker;
    WatermarkEstimator<StateT> estimator;

    Invocation(
        DoFn<KV<KV<InputT, RestrictionT>, StateT>, OutputT>.ProcessContext outer,
        BoundedWindow window,
        OutputReceiver<OutputT> out,
        MultiOutputReceiver outs,
        BundleFinalizer finalizer,
        InputT element,
        RestrictionT restriction,
        StateT state) {
      this.outer = outer;
      this.window = window;
      this.out = out;
      this.outs = outs;
      this.finalizer = finalizer;
      this.element = element;
      this.restriction = restriction;
      this.state = state;
    }

    @Override
    public InputT element(DoFn<InputT, OutputT> doFn) {
      return element;
    }

    @Override
    public Object restriction() {
      return tracker != null ? tracker.currentRestriction() : restriction;
    }

    @Override
    public RestrictionTracker<?, ?> restrictionTracker() {
      return tracker;
    }

    @Override
    public Object watermarkEstimatorState() {
      return state;
    }

    @Override
    public WatermarkEstimator<?> watermarkEstimator() {
      return estimator;
    }

    @Override
    public Instant timestamp(DoFn<InputT, OutputT> doFn) {
      return outer.timestamp();
    }

    @Override
    public BoundedWindow window() {
      return window;
    }

    @Override
    public PaneInfo paneInfo(DoFn<InputT, OutputT> doFn) {
      return outer.pane();
    }

    @Override
    public PipelineOptions pipelineOptions() {
      return outer.getPipelineOptions();
    }

    @Override
    public Object sideInput(String tagId) {
      PCollectionView<?> view = sideInputMapping.get(tagId);
      if (view == null) {
        throw new IllegalArgumentException(
            "Side input '" + tagId + "' is not one of " + fn.getClass().getName() + "'s");
      }
      return outer.sideInput(view);
    }

    @Override
    public OutputReceiver<OutputT> outputReceiver(DoFn<InputT, OutputT> doFn) {
      return out;
    }

    @Override
    public MultiOutputReceiver taggedOutputReceiver(DoFn<InputT, OutputT> doFn) {
      return outs;
    }

    @Override
    public BundleFinalizer bundleFinalizer() {
      return (expiry, callback) -> {
        finalizationRequested = true;
        finalizer.afterBundleCommit(expiry, callback);
      };
    }

    @Override
    public DoFn<InputT, OutputT>.ProcessContext processContext(DoFn<InputT, OutputT> doFn) {
      return doFn.new ProcessContext() {
        @Override
        public InputT element() {
          return element;
        }

        @Override
        public <T> T sideInput(PCollectionView<T> view) {
          return outer.sideInput(view);
        }

        @Override
        public Instant timestamp() {
          return outer.timestamp();
        }

        @Override
        public PaneInfo pane() {
          return outer.pane();
        }

        @Override
        public String currentRecordId() {
          return outer.currentRecordId();
        }

        @Override
        public Long currentRecordOffset() {
          return outer.currentRecordOffset();
        }

        @Override
        public PipelineOptions getPipelineOptions() {
          return outer.getPipelineOptions();
        }

        @Override
        public void output(OutputT output) {
          out.output(output);
        }

        @Override
        public void outputWithTimestamp(OutputT output, Instant timestamp) {
          out.outputWithTimestamp(output, timestamp);
        }

        @Override
        public void outputWindowedValue(
            OutputT output,
            Instant timestamp,
            Collection<? extends BoundedWindow> windows,
            PaneInfo pane) {
          out.outputWindowedValue(output, timestamp, windows, pane);
        }

        @Override
        public <T> void output(TupleTag<T> tag, T output) {
          outs.get(tag).output(output);
        }

        @Override
        public <T> void outputWithTimestamp(TupleTag<T> tag, T output, Instant timestamp) {
          outs.get(tag).outputWithTimestamp(output, timestamp);
        }

        @Override
        public <T> void outputWindowedValue(
            TupleTag<T> tag,
            T output,
            Instant timestamp,
            Collection<? extends BoundedWindow> windows,
            PaneInfo pane) {
          outs.get(tag).outputWindowedValue(output, timestamp, windows, pane);
        }
      };
    }

    @Override
    public String getErrorContext() {
      return "splittable " + fn.getClass().getName();
    }
  }
}

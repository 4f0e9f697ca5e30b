package dev.redwood.runner.worker;

import java.io.Closeable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.runners.core.DoFnRunner;
import org.apache.beam.runners.core.DoFnRunners;
import org.apache.beam.runners.core.NullSideInputReader;
import org.apache.beam.runners.core.SideInputReader;
import org.apache.beam.runners.core.StateInternals;
import org.apache.beam.runners.core.StepContext;
import org.apache.beam.runners.core.TimerInternals;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.reflect.DoFnInvoker;
import org.apache.beam.sdk.transforms.reflect.DoFnInvokers;
import org.apache.beam.sdk.util.SerializableUtils;
import org.apache.beam.sdk.util.WindowedValueMultiReceiver;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.WindowedValue;

/**
 * Runs one DoFn over its input with Beam's {@link DoFnRunners#simpleRunner}; a task is one bundle.
 * The DoFn is deserialized from the spec once per task and set up, and torn down at the end whether
 * the task succeeded or not.
 */
public class ParDoOperator implements Operator {
  protected final DoFnSpec spec;
  protected final TaskContext context;
  private final Map<String, Receiver> outputs;
  protected DoFn<Object, Object> fn;
  private DoFnInvoker<Object, Object> invoker;
  private SideInputReader sideInputs;
  private DoFnRunner<Object, Object> bundleRunner;

  public ParDoOperator(DoFnSpec spec, TaskContext context, Map<String, Receiver> outputs) {
    this.spec = spec;
    this.context = context;
    this.outputs = outputs;
  }

  @Override
  @SuppressWarnings("unchecked")
  public void start() throws Exception {
    fn =
        (DoFn<Object, Object>)
            SerializableUtils.deserializeFromByteArray(spec.doFn(), "DoFn of " + spec.stepName());
    try (Closeable scope = context.metricsScope(spec.stepName())) {
      invoker = DoFnInvokers.tryInvokeSetupFor(fn, context.options());
      sideInputs =
          spec.sideInputs().isEmpty()
              ? NullSideInputReader.empty()
              : context.sideInputs().readerFor(spec.sideInputs());
      bundleRunner = runner(new BundleStepContext(spec.stepName(), context));
      bundleRunner.startBundle();
    }
  }

  /** A runner of this operator's DoFn whose state and timers come from {@code stepContext}. */
  @SuppressWarnings("unchecked")
  protected DoFnRunner<Object, Object> runner(StepContext stepContext) {
    List<TupleTag<?>> additional = new ArrayList<>(spec.additionalOutputTags());
    return DoFnRunners.simpleRunner(
        context.options(),
        fn,
        sideInputs,
        new OutputManager(),
        (TupleTag<Object>) spec.mainOutputTag(),
        additional,
        stepContext,
        (Coder<Object>) spec.inputCoder(),
        new HashMap<>(spec.outputCoders()),
        spec.windowingStrategy(),
        spec.doFnSchemaInformation(),
        spec.sideInputMapping());
  }

  @Override
  @SuppressWarnings("unchecked")
  public void accept(WindowedValue<?> element) throws Exception {
    try (Closeable scope = context.metricsScope(spec.stepName())) {
      bundleRunner.processElement((WindowedValue<Object>) element);
    }
  }

  @Override
  public void finish() throws Exception {
    try (Closeable scope = context.metricsScope(spec.stepName())) {
      bundleRunner.finishBundle();
    }
  }

  @Override
  public void teardown() throws Exception {
    if (invoker != null) {
      try (Closeable scope = context.metricsScope(spec.stepName())) {
        invoker.invokeTeardown();
      }
    }
  }

  /** Routes each output tag to the operators that consume it; unconsumed outputs are dropped. */
  private final class OutputManager implements WindowedValueMultiReceiver {
    @Override
    public <T> void output(TupleTag<T> tag, WindowedValue<T> output) {
      Receiver receiver = outputs.get(tag.getId());
      if (receiver == null) {
        return;
      }
      try {
        receiver.accept(output);
      } catch (RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    }
  }

  /**
   * The step context of a bundle outside any key: no state or timers (a stateless DoFn never asks;
   * a stateful one gets them per key), and bundle finalization after the task commits.
   */
  private record BundleStepContext(String step, TaskContext context) implements StepContext {
    @Override
    public StateInternals stateInternals() {
      throw new UnsupportedOperationException(
          "Step " + step + " asked for state outside a key, which Beam does not allow");
    }

    @Override
    public TimerInternals timerInternals() {
      throw new UnsupportedOperationException(
          "Step " + step + " asked for timers outside a key, which Beam does not allow");
    }

    @Override
    public DoFn.BundleFinalizer bundleFinalizer() {
      return context.bundleFinalizer();
    }
  }
}

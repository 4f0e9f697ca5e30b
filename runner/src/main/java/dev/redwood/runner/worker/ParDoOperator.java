package dev.redwood.runner.worker;

import dev.redwood.runner.plan.OperationSpec;
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

/** Runs one DoFn over its input with Beam's {@link DoFnRunners#simpleRunner}; a task is a bundle. */
final class ParDoOperator implements Operator {
  private final OperationSpec.ParDo spec;
  private final TaskContext context;
  private final Map<String, Receiver> outputs;
  private DoFn<Object, Object> fn;
  private DoFnInvoker<Object, Object> invoker;
  private DoFnRunner<Object, Object> runner;

  ParDoOperator(OperationSpec.ParDo spec, TaskContext context, Map<String, Receiver> outputs) {
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
      SideInputReader sideInputs =
          spec.sideInputs().isEmpty()
              ? NullSideInputReader.empty()
              : context.sideInputs().readerFor(spec.sideInputs());
      WindowedValueMultiReceiver outputManager = new OutputManager();
      List<TupleTag<?>> additional = new ArrayList<>(spec.additionalOutputTags());
      runner =
          DoFnRunners.simpleRunner(
              context.options(),
              fn,
              sideInputs,
              outputManager,
              (TupleTag<Object>) spec.mainOutputTag(),
              additional,
              new StatelessStepContext(spec.stepName()),
              (Coder<Object>) spec.inputCoder(),
              new HashMap<>(spec.outputCoders()),
              spec.windowingStrategy(),
              spec.doFnSchemaInformation(),
              spec.sideInputMapping());
      runner.startBundle();
    }
  }

  @Override
  @SuppressWarnings("unchecked")
  public void accept(WindowedValue<?> element) throws Exception {
    try (Closeable scope = context.metricsScope(spec.stepName())) {
      runner.processElement((WindowedValue<Object>) element);
    }
  }

  @Override
  public void finish() throws Exception {
    try (Closeable scope = context.metricsScope(spec.stepName())) {
      runner.finishBundle();
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

  /** State and timers arrive with the stateful ParDo support; plain DoFns never ask for them. */
  private record StatelessStepContext(String step) implements StepContext {
    @Override
    public StateInternals stateInternals() {
      throw new UnsupportedOperationException(
          "Step " + step + " asked for state, which stateless ParDo execution does not provide");
    }

    @Override
    public TimerInternals timerInternals() {
      throw new UnsupportedOperationException(
          "Step " + step + " asked for timers, which stateless ParDo execution does not provide");
    }
  }
}

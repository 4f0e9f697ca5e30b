package dev.redwood.runner.worker;

import java.io.Closeable;
import java.util.Iterator;
import java.util.Map;
import org.apache.beam.runners.core.DoFnRunner;
import org.apache.beam.runners.core.DoFnRunners;
import org.apache.beam.runners.core.InMemoryStateInternals;
import org.apache.beam.runners.core.InMemoryTimerInternals;
import org.apache.beam.runners.core.StateInternals;
import org.apache.beam.runners.core.StateNamespaces;
import org.apache.beam.runners.core.StatefulDoFnRunner;
import org.apache.beam.runners.core.StepContext;
import org.apache.beam.runners.core.TimerInternals;
import org.apache.beam.runners.core.TimerInternals.TimerData;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.WindowedValue;
import org.joda.time.Instant;

/**
 * A stateful ParDo (state, timers, OnWindowExpiration, time-sorted input) with batch semantics. Its
 * input arrives grouped by key from a shuffle. Each key gets fresh in-memory state and timers;
 * after the key's elements, time advances timer by timer (processing-time timers, then event time
 * up to the end of time), so timers fire in order and may set further timers, and window expiration
 * runs last.
 */
public final class StatefulParDoOperator extends ParDoOperator {
  /** Bounds the timers of one key, so a timer that re-arms itself forever fails the task. */
  private static final int MAX_TIMER_FIRINGS_PER_KEY = 10_000_000;

  private final boolean requiresTimeSortedInput;

  /**
   * @param requiresTimeSortedInput feed each key's elements in timestamp order
   */
  public StatefulParDoOperator(
      DoFnSpec spec,
      boolean requiresTimeSortedInput,
      TaskContext context,
      Map<String, Receiver> outputs) {
    super(spec, context, outputs);
    this.requiresTimeSortedInput = requiresTimeSortedInput;
  }

  @Override
  public void accept(WindowedValue<?> element) throws Exception {
    KeyedElements keyed = (KeyedElements) element.getValue();
    Object key = keyed.key();
    InMemoryStateInternals<Object> state = InMemoryStateInternals.forKey(key);
    InMemoryTimerInternals timers = new InMemoryTimerInternals();
    timers.advanceProcessingTime(Instant.now());
    timers.advanceSynchronizedProcessingTime(Instant.now());
    StepContext stepContext = new KeyStepContext(state, timers, context);
    DoFnRunner<Object, Object> runner = statefulRunner(stepContext, state, timers);
    try (Closeable scope = context.metricsScope(spec.stepName())) {
      Iterator<WindowedValue<Object>> values = keyed.elements();
      while (values.hasNext()) {
        for (WindowedValue<Object> single : values.next().explodeWindows()) {
          runner.processElement(single);
        }
      }
      fireTimers(key, timers, runner);
    }
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private DoFnRunner<Object, Object> statefulRunner(
      StepContext stepContext, StateInternals state, TimerInternals timers) {
    Coder<BoundedWindow> windowCoder =
        (Coder<BoundedWindow>) spec.windowingStrategy().getWindowFn().windowCoder();
    return DoFnRunners.defaultStatefulDoFnRunner(
        fn,
        (Coder<Object>) spec.inputCoder(),
        runner(stepContext),
        stepContext,
        spec.windowingStrategy(),
        new StatefulDoFnRunner.TimeInternalsCleanupTimer(timers, spec.windowingStrategy()),
        new StatefulDoFnRunner.StateInternalsStateCleaner(fn, state, windowCoder),
        requiresTimeSortedInput);
  }

  private void fireTimers(
      Object key, InMemoryTimerInternals timers, DoFnRunner<Object, Object> runner)
      throws Exception {
    for (int fired = 0; ; fired++) {
      if (fired > MAX_TIMER_FIRINGS_PER_KEY) {
        throw new IllegalStateException(
            "Step "
                + spec.stepName()
                + " fired more than "
                + MAX_TIMER_FIRINGS_PER_KEY
                + " timers for key "
                + key
                + ": a timer keeps re-arming itself");
      }
      TimerData timer;
      Instant nextProcessing = timers.getNextTimer(TimeDomain.PROCESSING_TIME);
      Instant nextEvent = timers.getNextTimer(TimeDomain.EVENT_TIME);
      if (nextProcessing != null) {
        timers.advanceProcessingTime(later(timers.currentProcessingTime(), nextProcessing));
        timer = timers.removeNextProcessingTimer();
      } else if (nextEvent != null) {
        timers.advanceInputWatermark(later(timers.currentInputWatermarkTime(), nextEvent));
        timer = timers.removeNextEventTimer();
      } else {
        Instant nextSync = timers.getNextTimer(TimeDomain.SYNCHRONIZED_PROCESSING_TIME);
        if (nextSync == null) {
          break;
        }
        timers.advanceSynchronizedProcessingTime(
            later(timers.currentSynchronizedProcessingTime(), nextSync));
        timer = timers.removeNextSynchronizedProcessingTimer();
      }
      if (timer == null) {
        break; // only a timer at the very end of time is left; it can never become eligible
      }
      {
        BoundedWindow window =
            ((StateNamespaces.WindowNamespace<?>) timer.getNamespace()).getWindow();
        runner.onTimer(
            timer.getTimerId(),
            timer.getTimerFamilyId(),
            key,
            window,
            timer.getTimestamp(),
            timer.getOutputTimestamp(),
            timer.getDomain());
      }
    }
    timers.advanceInputWatermark(BoundedWindow.TIMESTAMP_MAX_VALUE);
  }

  /** Just past {@code next} (timers fire once time passes them), never moving time back. */
  private static Instant later(Instant current, Instant next) {
    Instant target = next.isBefore(BoundedWindow.TIMESTAMP_MAX_VALUE) ? next.plus(1) : next;
    return target.isAfter(current) ? target : current;
  }

  /** State and timers of the key being processed. */
  private record KeyStepContext(StateInternals state, TimerInternals timers, TaskContext context)
      implements StepContext {
    @Override
    public StateInternals stateInternals() {
      return state;
    }

    @Override
    public TimerInternals timerInternals() {
      return timers;
    }

    @Override
    public DoFn.BundleFinalizer bundleFinalizer() {
      return context.bundleFinalizer();
    }
  }
}

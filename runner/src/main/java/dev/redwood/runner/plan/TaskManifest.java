package dev.redwood.runner.plan;

import dev.redwood.runner.shuffle.ShuffleObject;
import java.io.Serializable;
import java.util.Map;
import org.apache.beam.runners.core.metrics.MetricsContainerStepMap;

/**
 * What one successful task attempt produced, written last under its attempt prefix. Outputs are
 * named by the shuffle or view they belong to.
 *
 * @param attemptId the attempt directory name
 * @param shuffleOutputs shuffle id to this attempt's sorted map output
 * @param viewOutputs view id to the key of this attempt's materialized elements
 * @param residuals splittable step to the key of the restrictions it left for a continuation task;
 *     empty when the attempt finished all its work
 * @param metrics the attempt's metrics, per step
 * @param recordsIn elements read by the stage's input
 * @param millis how long the attempt's work took
 * @param shuffleRecordsOut records the attempt wrote into shuffles
 * @param shuffleBytesOut bytes of the shuffle objects the attempt wrote
 */
public record TaskManifest(
    int stage,
    int task,
    String attemptId,
    Map<String, ShuffleObject> shuffleOutputs,
    Map<String, String> viewOutputs,
    Map<String, String> residuals,
    MetricsContainerStepMap metrics,
    long recordsIn,
    long millis,
    long shuffleRecordsOut,
    long shuffleBytesOut)
    implements Serializable {}

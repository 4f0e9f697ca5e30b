package dev.redwood.runner.plan;

import java.io.Serializable;
import java.util.List;
import org.apache.beam.runners.core.metrics.MetricsContainerStepMap;

/**
 * The driver's decision for a finished stage: exactly one accepted attempt per task. Readers of the
 * stage's outputs read only what these attempts wrote, so retried, duplicate or zombie attempts
 * cannot duplicate or lose data.
 *
 * @param accepted per task, the objects of its accepted attempt
 * @param metrics the sum of the accepted attempts' metrics: what a resumed run counts for the stage
 *     without reading each task's manifest again
 */
public record CommitRecord(int stage, List<CommittedTask> accepted, MetricsContainerStepMap metrics)
    implements Serializable {}

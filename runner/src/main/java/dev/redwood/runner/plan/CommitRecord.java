package dev.redwood.runner.plan;

import java.io.Serializable;
import java.util.List;

/**
 * The driver's decision for a finished stage: exactly one accepted attempt per task. Readers of the
 * stage's outputs read only what these manifests name, so retried, duplicate or zombie attempts
 * cannot duplicate or lose data.
 */
public record CommitRecord(int stage, List<TaskManifest> accepted) implements Serializable {}

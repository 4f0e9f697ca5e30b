package dev.redwood.runner.translation;

import dev.redwood.runner.worker.StageSpec;
import java.util.List;
import java.util.Set;

/** The stage DAG of one pipeline: what the driver schedules. Stages are in dependency order. */
public record StagePlan(List<Stage> stages) {

  /**
   * One stage and the stages whose committed outputs it reads (shuffle map outputs, side-input
   * materializations).
   */
  public record Stage(StageSpec spec, Set<Integer> dependsOn) {
    public int id() {
      return spec.stageId();
    }

    public String name() {
      return spec.name();
    }

    public int taskCount() {
      return spec.input().taskCount();
    }
  }

  public int taskCount() {
    return stages.stream().mapToInt(Stage::taskCount).sum();
  }
}

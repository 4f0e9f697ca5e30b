package dev.redwood.runner.plan;

import java.io.Serializable;
import java.util.Map;

/**
 * The input of a continuation task: the restrictions that the accepted attempt of an earlier task
 * of the same stage left unfinished (a splittable DoFn checkpointed after asking for bundle
 * finalization). The task feeds them to the splittable steps that left them and runs only what is
 * downstream of those.
 *
 * @param fromTask the task whose accepted attempt left the residuals
 * @param residuals splittable step name to the key of its residual restrictions
 */
public record Continuation(int fromTask, Map<String, String> residuals) implements Serializable {}

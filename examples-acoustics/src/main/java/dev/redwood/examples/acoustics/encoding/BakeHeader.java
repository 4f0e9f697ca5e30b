package dev.redwood.examples.acoustics.encoding;

import dev.redwood.examples.acoustics.scene.ReceiverGrid;
import java.io.Serializable;

/**
 * What a bake file says about itself: the scene (its plan in the text format, so a bake can be
 * drawn without its source files), the simulation's frequency and duration, and the cell grid the
 * parameters are stored on.
 */
public record BakeHeader(
    String sceneName,
    String planText,
    double frequency,
    double duration,
    double gridSpacing,
    ReceiverGrid cells)
    implements Serializable {}

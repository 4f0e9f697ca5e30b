package dev.redwood.examples.acoustics.scene;

import java.util.List;

/**
 * The built-in wall materials, usable in any floor plan without declaring them. Absorption values
 * are typical of the 250-500 Hz octaves a 500 Hz bake resolves.
 */
public final class MaterialLibrary {
  public static final Material CONCRETE = new Material('#', "concrete", 0.03, 0x111111);
  public static final Material BRICK = new Material('b', "brick", 0.05, 0x8c3b2a);
  public static final Material PLASTER = new Material('p', "plaster", 0.08, 0x9aa0a6);
  public static final Material WOOD = new Material('w', "wood", 0.15, 0x8b5a2b);
  public static final Material GLASS = new Material('g', "glass", 0.06, 0x4aa3c8);
  public static final Material CURTAIN = new Material('c', "curtain", 0.55, 0xa0306e);
  public static final Material ACOUSTIC_PANEL = new Material('a', "acoustic panel", 0.85, 0x3e8e41);

  private MaterialLibrary() {}

  /** Every built-in material, in a fixed order. */
  public static List<Material> all() {
    return List.of(CONCRETE, BRICK, PLASTER, WOOD, GLASS, CURTAIN, ACOUSTIC_PANEL);
  }
}

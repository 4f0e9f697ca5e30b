package dev.redwood.examples.acoustics.scene;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FloorPlanTextTest {
  @TempDir Path temp;

  static final List<String> PLAN =
      List.of(
          "# a comment",
          "name test flat",
          "tile 0.5",
          "storey 2.5 0.3",
          "material k 0.4 kitchen tiles",
          "map",
          "#####",
          "#..k#",
          "#.~.g",
          "#####",
          "end",
          "");

  @Test
  void readsTilesMaterialsAndStorey() {
    FloorPlan plan = FloorPlanText.parse(PLAN, "flat.txt");
    assertThat(plan.name(), is("test flat"));
    assertThat(plan.width(), is(5));
    assertThat(plan.height(), is(4));
    assertThat(plan.widthMetres(), closeTo(2.5, 1e-12));
    assertThat(plan.isWalkable(1, 1), is(true));
    assertThat(plan.code(2, 2), is(FloorPlan.OPEN));
    assertThat(plan.material(plan.code(0, 0)), is(MaterialLibrary.CONCRETE));
    assertThat(plan.material(plan.code(3, 1)).name(), is("kitchen tiles"));
    assertThat(plan.material(plan.code(3, 1)).absorption(), closeTo(0.4, 1e-12));
    assertThat(plan.material(plan.code(4, 2)), is(MaterialLibrary.GLASS));
    assertThat(plan.storeyHeight(), closeTo(2.5, 1e-12));
    assertThat(plan.storeyLossRate(), closeTo(343 * 0.3 / 5, 1e-9));
    // Outside the plan is open air.
    assertThat(plan.code(-1, 0), is(FloorPlan.OPEN));
  }

  @Test
  void formatRoundTrips() throws Exception {
    FloorPlan plan = FloorPlanText.parse(PLAN, "flat.txt");
    Path file = temp.resolve("again.txt");
    Files.writeString(file, FloorPlanText.format(plan));
    assertThat(FloorPlanText.read(file), equalTo(plan));
    FloorPlan generated = PlanGenerator.generate(14, 10, 3);
    assertThat(
        FloorPlanText.parse(FloorPlanText.format(generated).lines().toList(), "generated"),
        equalTo(generated));
  }

  @Test
  void errorsNameTheFileAndLine() {
    assertThat(
        error("tile 0.5", "map", "###", "#x#", "###", "end"),
        containsString("plan.txt:4: unknown map symbol 'x' in column 2"));
    assertThat(
        error("tile 0.5", "map", "###", "#.", "###", "end"),
        containsString("plan.txt:4: map row is 2 characters long"));
    assertThat(error("map", "###", "end"), containsString("no 'tile <metres>' line"));
    assertThat(
        error("tile 0.5", "material q 1.5 foam", "map", "q", "end"),
        containsString("plan.txt:2: absorption must be between 0 and 1"));
    assertThat(error("tile abc"), containsString("plan.txt:1: tile size must be a number"));
    assertThat(error("tile 0.5", "map", "...", ""), containsString("has no 'end' line"));
    assertThat(error("tile 0.5", "colour red"), containsString("plan.txt:2: unknown header line"));
    assertThat(error("tile 0.5", "storey 0.5 0.2"), containsString("plan.txt:2: storey height"));
  }

  @Test
  void missingFileIsNamed() {
    Path missing = temp.resolve("nope.txt");
    SceneFormatException e =
        assertThrows(SceneFormatException.class, () -> FloorPlanText.read(missing));
    assertThat(e.getMessage(), containsString(missing.toString()));
  }

  private static String error(String... lines) {
    return assertThrows(
            SceneFormatException.class, () -> FloorPlanText.parse(List.of(lines), "plan.txt"))
        .getMessage();
  }
}

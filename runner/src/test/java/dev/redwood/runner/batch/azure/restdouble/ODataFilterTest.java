package dev.redwood.runner.batch.azure.restdouble;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class ODataFilterTest {
  private static final JsonNode TASK =
      json(
          "{\"id\":\"t-07\",\"state\":\"completed\",\"requiredSlots\":2,"
              + "\"executionInfo\":{\"exitCode\":0,\"result\":\"success\","
              + "\"endTime\":\"2024-05-01T10:00:00.123Z\",\"retryCount\":1},"
              + "\"nodeInfo\":{\"poolId\":\"pool1\"}}");

  private static JsonNode json(String s) {
    try {
      return Json.MAPPER.readTree(s);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static boolean matches(String filter) {
    return ODataFilter.parse(filter).test(TASK);
  }

  @Test
  void comparisonsAndLogic() {
    assertThat(matches("state eq 'completed'"), is(true));
    assertThat(matches("state eq 'Completed'"), is(true));
    assertThat(matches("state eq 'running'"), is(false));
    assertThat(matches("state ne 'running'"), is(true));
    assertThat(matches("state eq 'running' or state eq 'completed'"), is(true));
    assertThat(matches("(state eq 'running' or state eq 'completed') and id eq 't-07'"), is(true));
    assertThat(matches("state eq 'completed' and not (executionInfo/exitCode eq 0)"), is(false));
    assertThat(matches("executionInfo/exitCode ne 0"), is(false));
    assertThat(matches("executionInfo/retryCount ge 1 and requiredSlots lt 3"), is(true));
    assertThat(matches("executionInfo/result eq 'failure'"), is(false));
    assertThat(matches("nodeInfo/poolId eq 'pool1'"), is(true));
    assertThat(matches("startswith(id, 't-')"), is(true));
    assertThat(matches("executionInfo/failureInfo/code eq null"), is(true));
    assertThat(matches("executionInfo/failureInfo/code eq 'FailureExitCode'"), is(false));
    assertThat(matches(""), is(true));
  }

  @Test
  void datetimes() {
    assertThat(matches("executionInfo/endTime ge datetime'2024-05-01T10:00:00Z'"), is(true));
    assertThat(matches("executionInfo/endTime ge datetime'2024-05-01T10:00:00.124Z'"), is(false));
    assertThat(matches("executionInfo/endTime lt datetime'2024-05-01T12:00:00+01:00'"), is(true));
    assertThat(matches("executionInfo/startTime ge datetime'2000-01-01T00:00:00Z'"), is(false));
  }

  @Test
  void syntaxErrors() {
    assertThrows(IllegalArgumentException.class, () -> ODataFilter.parse("state eq"));
    assertThrows(IllegalArgumentException.class, () -> ODataFilter.parse("state eq 'x"));
    assertThrows(IllegalArgumentException.class, () -> ODataFilter.parse("(state eq 'x'"));
    assertThrows(IllegalArgumentException.class, () -> ODataFilter.parse("state eq 'x' junk"));
  }
}

package dev.redwood.runner.batch.azure.restdouble;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
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
              + "\"stateTransitionTime\":\"2024-05-01T10:00:01Z\","
              + "\"lastModified\":\"2024-05-01T08:00:00Z\","
              + "\"nodeInfo\":{\"poolId\":\"pool1\"}}");

  private static JsonNode json(String s) {
    try {
      return Json.MAPPER.readTree(s);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static boolean matches(String filter) {
    return ODataFilter.parse(filter, ODataFilter.Listing.TASKS).test(TASK);
  }

  /** The reason the double gives for refusing a filter on a list. */
  private static String refusal(String filter, ODataFilter.Listing listing) {
    return assertThrows(IllegalArgumentException.class, () -> ODataFilter.parse(filter, listing))
        .getMessage();
  }

  @Test
  void comparisonsAndLogic() {
    assertThat(matches("state eq 'completed'"), is(true));
    assertThat(matches("state eq 'Completed'"), is(true));
    assertThat(matches("state eq 'running'"), is(false));
    assertThat(matches("state ne 'running'"), is(true));
    assertThat(matches("state eq 'running' or state eq 'completed'"), is(true));
    assertThat(matches("(state eq 'running' or state eq 'completed') and id eq 't-07'"), is(true));
    assertThat(matches("executionInfo/exitCode ne 0"), is(false));
    assertThat(matches("executionInfo/exitCode ge 0 and executionInfo/exitCode lt 3"), is(true));
    assertThat(matches("executionInfo/result eq 'failure'"), is(false));
    assertThat(matches("startswith(id, 't-')"), is(true));
    assertThat(matches("startswith(id, 'x')"), is(false));
    assertThat(matches("id gt 't-06'"), is(true));
    assertThat(matches(""), is(true));
  }

  @Test
  void datetimes() {
    assertThat(matches("executionInfo/endTime ge datetime'2024-05-01T10:00:00Z'"), is(true));
    assertThat(matches("executionInfo/endTime ge datetime'2024-05-01T10:00:00.124Z'"), is(false));
    assertThat(matches("executionInfo/endTime lt datetime'2024-05-01T12:00:00+01:00'"), is(true));
    assertThat(matches("executionInfo/startTime ge datetime'2000-01-01T00:00:00Z'"), is(false));
    assertThat(matches("lastModifiedTime lt datetime'2024-05-01T09:00:00Z'"), is(true));
  }

  @Test
  void redwoodsOwnTaskFilterIsAccepted() {
    // What BatchPool.changedTasks sends (joda DateTime.toString() for the time).
    assertThat(
        matches(
            "(state eq 'running' or state eq 'completed') and stateTransitionTime ge"
                + " datetime'2024-05-01T09:58:00.000Z'"),
        is(true));
    assertThat(
        matches(
            "(state eq 'running' or state eq 'completed') and stateTransitionTime ge"
                + " datetime'2024-05-01T10:00:02.000Z'"),
        is(false));
  }

  @Test
  void whatTheServiceRefusesIsRefused() {
    ODataFilter.Listing tasks = ODataFilter.Listing.TASKS;
    assertThat(
        refusal("state eq 'completed' and not (executionInfo/exitCode eq 0)", tasks),
        containsString("does not support 'not'"));
    assertThat(
        refusal("executionInfo/retryCount ge 1", tasks),
        allOf(
            containsString("does not filter tasks on 'executionInfo/retryCount'"),
            containsString("executionInfo/exitCode")));
    assertThat(refusal("nodeInfo/poolId eq 'pool1'", tasks), containsString("'nodeInfo/poolId'"));
    assertThat(refusal("requiredSlots lt 3", tasks), containsString("'requiredSlots'"));
    assertThat(
        refusal("state gt 'active'", tasks),
        containsString("does not allow 'gt' on 'state' when listing tasks"));
    assertThat(
        refusal("endswith(id, '07')", tasks), containsString("does not support the function"));
    assertThat(refusal("substringof('t', id)", tasks), containsString("'substringof'"));
    assertThat(
        refusal("executionInfo/endTime ge '2024-05-01T10:00:00Z'", tasks),
        containsString("datetime'...' literal"));
    assertThat(refusal("executionInfo/exitCode eq '0'", tasks), containsString("whole number"));
    assertThat(refusal("'completed' eq state", tasks), containsString("property name"));
    assertThat(refusal("state and id eq 'x'", tasks), containsString("comparison operator"));
    // Each list has its own table: what tasks accept, pools or files may not.
    assertThat(
        refusal("startswith(state, 'act')", ODataFilter.Listing.POOLS),
        containsString("does not allow 'startswith' on 'state'"));
    assertThat(
        refusal("allocationState ne 'steady'", ODataFilter.Listing.POOLS),
        containsString("'ne' on 'allocationState'"));
    assertThat(
        refusal("name eq 'stdout.txt'", ODataFilter.Listing.FILES),
        containsString("'eq' on 'name'"));
    assertThat(
        refusal("id eq 'tvm-1'", ODataFilter.Listing.NODES), containsString("nodes on 'id'"));
    assertThat(
        refusal("state eq 'completed'", ODataFilter.Listing.JOB_PREPARATION_STATUS),
        containsString("'state'"));
  }

  @Test
  void eachListAcceptsItsOwnTable() {
    JsonNode pool = json("{\"id\":\"p1\",\"allocationState\":\"steady\",\"enableAutoScale\":true}");
    assertThat(
        ODataFilter.parse(
                "allocationState eq 'steady' and enableAutoScale eq true",
                ODataFilter.Listing.POOLS)
            .test(pool),
        is(true));
    JsonNode file = json("{\"name\":\"wd/out.txt\"}");
    assertThat(
        ODataFilter.parse("startswith(name, 'wd/')", ODataFilter.Listing.FILES).test(file),
        is(true));
    JsonNode node = json("{\"state\":\"idle\",\"startTaskInfo\":{\"exitCode\":1}}");
    assertThat(
        ODataFilter.parse("startTaskInfo/exitCode ne 0", ODataFilter.Listing.NODES).test(node),
        is(true));
  }

  @Test
  void syntaxErrors() {
    for (String bad :
        new String[] {"state eq", "state eq 'x", "(state eq 'x'", "state eq 'x' junk"}) {
      assertThrows(
          IllegalArgumentException.class,
          () -> ODataFilter.parse(bad, ODataFilter.Listing.TASKS),
          bad);
    }
  }
}

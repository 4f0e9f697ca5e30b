package dev.redwood.runner.batch.azure.restdouble;

import static dev.redwood.runner.batch.azure.restdouble.DoubleTestSupport.awaitSteady;
import static dev.redwood.runner.batch.azure.restdouble.DoubleTestSupport.ubuntu;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.microsoft.azure.batch.BatchClient;
import com.microsoft.azure.batch.DetailLevel;
import com.microsoft.azure.batch.protocol.models.AllocationState;
import com.microsoft.azure.batch.protocol.models.AutoScaleRun;
import com.microsoft.azure.batch.protocol.models.AutoScaleRunError;
import com.microsoft.azure.batch.protocol.models.BatchErrorDetail;
import com.microsoft.azure.batch.protocol.models.BatchErrorException;
import com.microsoft.azure.batch.protocol.models.CloudPool;
import com.microsoft.azure.batch.protocol.models.PoolAddParameter;
import com.microsoft.azure.batch.protocol.models.PoolInformation;
import com.microsoft.azure.batch.protocol.models.TaskAddParameter;
import java.util.ArrayList;
import java.util.List;
import org.joda.time.Period;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What the double refuses or reports as the service does, driven through the track-1 SDK: autoscale
 * formulas and evaluation intervals, and {@code $filter} limited to each list's table.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class BatchRestDoubleServiceRulesTest {
  private final String key = BatchRestDouble.newKey();
  private BatchRestDouble batch;
  private BatchClient client;

  @BeforeEach
  void start() throws Exception {
    batch = new BatchRestDouble("redwoodrules", key).start();
    client = DoubleTestSupport.sharedKeyClient(batch, key);
  }

  @AfterEach
  void stop() {
    batch.close();
    assertThat(batch.liveProcesses(), is(empty()));
  }

  private static PoolAddParameter autoscalePool(String id, String formula, Period interval) {
    return new PoolAddParameter()
        .withId(id)
        .withVmSize("standard_d2s_v3")
        .withVirtualMachineConfiguration(ubuntu())
        .withEnableAutoScale(true)
        .withAutoScaleFormula(formula)
        .withAutoScaleEvaluationInterval(interval);
  }

  /** Adds a pool the double must refuse; returns the refusal. */
  private BatchErrorException refusedPool(PoolAddParameter pool) {
    return assertThrows(BatchErrorException.class, () -> client.poolOperations().createPool(pool));
  }

  private static String detail(BatchErrorException e, String key) {
    for (BatchErrorDetail d : e.body().values()) {
      if (d.key().equals(key)) {
        return d.value();
      }
    }
    return null;
  }

  @Test
  void aFailedEvaluationIsReportedInAutoScaleRunAndLeavesTheTargets() throws Exception {
    client.poolOperations().createPool("fixed", "standard_d2s_v3", ubuntu(), 1);
    awaitSteady(client, "fixed");
    assertThat(batch.nodeIds("fixed"), hasSize(1));
    // 95% of ten minutes of samples: a pool that was just given a formula has none. (An hour's
    // interval: the next evaluation, 3 s of real time away, must not replace this one.)
    String formula =
        "$TargetDedicatedNodes = avg($PendingTasks.GetSample(TimeInterval_Minute * 10, 95));";
    client.poolOperations().enableAutoScale("fixed", formula, Period.hours(1));

    CloudPool p = client.poolOperations().getPool("fixed");
    assertThat(p.enableAutoScale(), is(true));
    assertThat(p.autoScaleEvaluationInterval(), is(Period.hours(1)));
    AutoScaleRunError error = p.autoScaleRun().error();
    assertThat(error.code(), is("InsufficientSampleData"));
    assertThat(error.message(), is("Autoscale evaluation failed due to insufficient sample data"));
    assertThat(error.values().get(0).name(), is("Message"));
    assertThat(
        error.values().get(0).value(),
        is(
            "Line 1, Col 43: Insufficient data from data set: $PendingTasks wanted 95%, received 0%"));
    // The targets are left, so no resize starts and the node stays.
    assertThat(p.targetDedicatedNodes(), is(1));
    assertThat(p.allocationState(), is(AllocationState.STEADY));
    assertThat(batch.nodeIds("fixed"), hasSize(1));
  }

  @Test
  void aSyntaxErrorIsRefusedWithNothingLeftBehind() throws Exception {
    BatchErrorException add =
        refusedPool(autoscalePool("bad", "$TargetDedicatedNodes = min(3,;", null));
    assertThat(add.response().code(), is(400));
    assertThat(add.body().code(), is("AutoScalingFormulaSyntaxError"));
    assertThat(detail(add, "Message"), startsWith("Line 1, Col 31: "));
    assertThat(client.poolOperations().existsPool("bad"), is(false));

    client.poolOperations().createPool("fixed", "standard_d2s_v3", ubuntu(), 2);
    awaitSteady(client, "fixed");
    BatchErrorException enable =
        assertThrows(
            BatchErrorException.class,
            () ->
                client.poolOperations().enableAutoScale("fixed", "$TargetDedicatedNodes = nodes;"));
    assertThat(enable.body().code(), is("AutoScalingFormulaSyntaxError"));
    assertThat(detail(enable, "Message"), containsString("unknown variable 'nodes'"));
    BatchErrorException evaluate =
        assertThrows(
            BatchErrorException.class,
            () -> client.poolOperations().evaluateAutoScale("fixed", "$TargetDedicatedNodes = 1;"));
    assertThat(evaluate.response().code(), is(409));
    assertThat(evaluate.body().code(), is("OperationNotValidOnPool"));
    CloudPool p = client.poolOperations().getPool("fixed");
    assertThat(p.enableAutoScale(), is(false));
    assertThat(p.autoScaleRun(), is(nullValue()));
    assertThat(p.allocationState(), is(AllocationState.STEADY));
    assertThat(batch.nodeIds("fixed"), hasSize(2));
  }

  @Test
  void anEvaluationIntervalUnderFiveMinutesIsRefused() throws Exception {
    BatchErrorException add =
        refusedPool(autoscalePool("quick", "$TargetDedicatedNodes = 1;", Period.minutes(4)));
    assertThat(add.response().code(), is(400));
    assertThat(add.body().code(), is("InvalidPropertyValue"));
    assertThat(detail(add, "PropertyName"), is("autoScaleEvaluationInterval"));
    assertThat(detail(add, "Reason"), containsString("between 5 minutes and 168 hours"));
    assertThat(client.poolOperations().existsPool("quick"), is(false));

    // A formula sets the targets: giving both is refused, and a formula without autoscale too.
    BatchErrorException both =
        refusedPool(
            autoscalePool("both", "$TargetDedicatedNodes = 1;", Period.minutes(5))
                .withTargetDedicatedNodes(2));
    assertThat(detail(both, "PropertyName"), is("targetDedicatedNodes"));
    BatchErrorException off =
        refusedPool(
            autoscalePool("off", "$TargetDedicatedNodes = 1;", null)
                .withEnableAutoScale(false)
                .withTargetDedicatedNodes(1));
    assertThat(detail(off, "PropertyName"), is("autoScaleFormula"));
    assertThat(client.poolOperations().listPools().size(), is(0));

    client
        .poolOperations()
        .createPool(autoscalePool("steady", "$TargetDedicatedNodes = 1;", Period.minutes(5)));
    BatchErrorException enable =
        assertThrows(
            BatchErrorException.class,
            () ->
                client
                    .poolOperations()
                    .enableAutoScale("steady", "$TargetDedicatedNodes = 2;", Period.seconds(90)));
    assertThat(detail(enable, "PropertyName"), is("autoScaleEvaluationInterval"));
    assertThat(client.poolOperations().getPool("steady").targetDedicatedNodes(), is(1));
  }

  @Test
  void aPendingTasksFormulaScalesAPoolUpFromZero() throws Exception {
    String formula = "$TargetDedicatedNodes = min(3, max($PendingTasks.GetSample(1)));";
    // An hour's interval: no scheduled evaluation (3 s of real time away) may come between the
    // steps below; samples are still taken every 30 s of service time.
    client.poolOperations().createPool(autoscalePool("auto", formula, Period.hours(1)));
    // No sample yet: the first evaluation fails and the pool stays at zero nodes.
    CloudPool p = client.poolOperations().getPool("auto");
    assertThat(p.autoScaleRun().error().code(), is("InsufficientSampleData"));
    assertThat(batch.nodeIds("auto"), is(empty()));

    client.jobOperations().createJob("work", new PoolInformation().withPoolId("auto"));
    List<TaskAddParameter> tasks = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      tasks.add(new TaskAddParameter().withId("t" + i).withCommandLine("true"));
    }
    client.taskOperations().createTasks("work", tasks);
    // What the 30-second sample and the evaluation interval do, at once.
    assertThat(batch.runAutoScale("auto"), is(true));

    p = client.poolOperations().getPool("auto");
    assertThat(p.autoScaleRun().error(), is(nullValue()));
    assertThat(
        p.autoScaleRun().results(), is("$TargetDedicatedNodes=3;$NodeDeallocationOption=requeue"));
    assertThat(p.targetDedicatedNodes(), is(3));
    // The nodes come after the allocation delay of service time.
    assertThat(awaitSteady(client, "auto").currentDedicatedNodes(), is(3));
    assertThat(batch.nodeIds("auto"), hasSize(3));

    // evaluateautoscale answers without applying.
    AutoScaleRun trial =
        client.poolOperations().evaluateAutoScale("auto", "$TargetDedicatedNodes = 7;");
    assertThat(trial.results(), is("$TargetDedicatedNodes=7;$NodeDeallocationOption=requeue"));
    assertThat(client.poolOperations().getPool("auto").targetDedicatedNodes(), is(3));
    client.jobOperations().terminateJob("work", "done");
  }

  @Test
  void filtersTheServiceRefusesAnswer400() throws Exception {
    client.poolOperations().createPool("fixed", "standard_d2s_v3", ubuntu(), 1);
    client.jobOperations().createJob("work", new PoolInformation().withPoolId("fixed"));
    client.jobOperations().terminateJob("work", "done");

    BatchErrorException tasks =
        assertThrows(
            BatchErrorException.class,
            () ->
                client
                    .taskOperations()
                    .listTasks(
                        "work",
                        new DetailLevel.Builder()
                            .withFilterClause("executionInfo/retryCount ge 1")
                            .build()));
    assertThat(tasks.response().code(), is(400));
    assertThat(tasks.body().code(), is("InvalidQueryParameterValue"));
    assertThat(detail(tasks, "QueryParameterName"), is("$filter"));
    assertThat(detail(tasks, "QueryParameterValue"), is("executionInfo/retryCount ge 1"));
    assertThat(detail(tasks, "Reason"), containsString("'executionInfo/retryCount'"));

    BatchErrorException pools =
        assertThrows(
            BatchErrorException.class,
            () ->
                client
                    .poolOperations()
                    .listPools(
                        new DetailLevel.Builder().withFilterClause("not (id eq 'fixed')").build()));
    assertThat(detail(pools, "Reason"), containsString("'not'"));

    // Redwood's own task filter (BatchPool.changedTasks) and plain table filters are accepted.
    assertThat(
        client
            .taskOperations()
            .listTasks(
                "work",
                new DetailLevel.Builder()
                    .withFilterClause(
                        "(state eq 'running' or state eq 'completed') and stateTransitionTime"
                            + " ge datetime'2026-12-07T10:00:00.000Z'")
                    .build()),
        is(empty()));
    assertThat(
        client
            .poolOperations()
            .listPools(new DetailLevel.Builder().withFilterClause("startswith(id, 'fix')").build())
            .size(),
        is(1));
  }
}

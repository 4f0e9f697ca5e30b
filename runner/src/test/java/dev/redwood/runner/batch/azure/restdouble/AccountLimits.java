package dev.redwood.runner.batch.azure.restdouble;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The simulated Batch account's limits and service timings, set on a double with {@link
 * BatchRestDouble#limits(AccountLimits)} (any time; new values apply to what happens next). An
 * immutable value: each {@code with...} method returns a changed copy of {@link #defaults()}.
 *
 * <p><b>Knobs</b> (defaults in brackets):
 *
 * <ul>
 *   <li>{@link #withTimeScale timeScale} [1/1200]: real time per unit of service time; every delay
 *       below is service time, so at 1/1200 a 20-minute resize takes 1 s. 0 makes all delays zero
 *       (they still happen asynchronously).
 *   <li>{@link #withPoolAllocationDelay poolAllocationDelay} [3 min]: from a pool add, resize or
 *       autoscale change until the nodes are allocated (the pool is {@code allocationState:
 *       resizing} meanwhile) or, when shrinking, until the removed nodes are gone.
 *   <li>{@link #withNodeBootDelay nodeBootDelay} [4 min]: a new node is {@code creating} for the
 *       first half and {@code starting} for the second, then runs its start task ({@code
 *       waitingforstarttask} with {@code waitForSuccess}) or becomes {@code idle}.
 *   <li>{@link #withPoolDeletionDelay poolDeletionDelay} [5 min]: a deleted pool stays {@code
 *       state: deleting} this long (adding a pool with its id answers 409 {@code
 *       PoolBeingDeleted}).
 *   <li>{@link #withPreemptionRecoveryDelay preemptionRecoveryDelay} [10 min]: a preempted node
 *       stays {@code preempted} this long before a new node replaces it.
 *   <li>{@link #withPoolAllocationMode poolAllocationMode} [{@code BATCH_SERVICE}]: low-priority
 *       (Spot) nodes are refused unless {@code USER_SUBSCRIPTION} (retired on Batch-managed
 *       accounts on 30 Sep 2025).
 *   <li>{@link #withDedicatedCoreQuota dedicatedCoreQuota} [2000 vCPUs over all pools], {@link
 *       #withFamilyCoreQuota familyCoreQuota} per VM family as {@link VmSizes} names it [{@link
 *       #withDefaultFamilyCoreQuota defaultFamilyCoreQuota} 1000], {@link #withLowPriorityCoreQuota
 *       lowPriorityCoreQuota} [1000]. A resize beyond a quota allocates what fits and ends steady
 *       with a {@code resizeErrors} entry ({@code AccountVMSeriesCoreQuotaReached}, {@code
 *       AccountCoreQuotaReached} or {@code AccountLowPriorityCoreQuotaReached}).
 * </ul>
 */
public final class AccountLimits {
  /** Where the account's pools' VMs are created: the Batch service's or the user's subscription. */
  public enum PoolAllocationMode {
    BATCH_SERVICE,
    USER_SUBSCRIPTION
  }

  private double timeScale = 1.0 / 1200;
  private Duration poolAllocationDelay = Duration.ofMinutes(3);
  private Duration nodeBootDelay = Duration.ofMinutes(4);
  private Duration poolDeletionDelay = Duration.ofMinutes(5);
  private Duration preemptionRecoveryDelay = Duration.ofMinutes(10);
  private PoolAllocationMode poolAllocationMode = PoolAllocationMode.BATCH_SERVICE;
  private int dedicatedCoreQuota = 2000;
  private int defaultFamilyCoreQuota = 1000;
  private Map<String, Integer> familyCoreQuotas = Map.of();
  private int lowPriorityCoreQuota = 1000;

  private AccountLimits() {}

  /** Generous quotas, service-like delays at 1/1200 time scale, {@code BatchService} mode. */
  public static AccountLimits defaults() {
    return new AccountLimits();
  }

  private AccountLimits copy() {
    AccountLimits c = new AccountLimits();
    c.timeScale = timeScale;
    c.poolAllocationDelay = poolAllocationDelay;
    c.nodeBootDelay = nodeBootDelay;
    c.poolDeletionDelay = poolDeletionDelay;
    c.preemptionRecoveryDelay = preemptionRecoveryDelay;
    c.poolAllocationMode = poolAllocationMode;
    c.dedicatedCoreQuota = dedicatedCoreQuota;
    c.defaultFamilyCoreQuota = defaultFamilyCoreQuota;
    c.familyCoreQuotas = familyCoreQuotas;
    c.lowPriorityCoreQuota = lowPriorityCoreQuota;
    return c;
  }

  public AccountLimits withTimeScale(double realSecondsPerServiceSecond) {
    if (!(realSecondsPerServiceSecond >= 0)) {
      throw new IllegalArgumentException("timeScale must be >= 0");
    }
    AccountLimits c = copy();
    c.timeScale = realSecondsPerServiceSecond;
    return c;
  }

  public AccountLimits withPoolAllocationDelay(Duration serviceTime) {
    AccountLimits c = copy();
    c.poolAllocationDelay = nonNegative("poolAllocationDelay", serviceTime);
    return c;
  }

  public AccountLimits withNodeBootDelay(Duration serviceTime) {
    AccountLimits c = copy();
    c.nodeBootDelay = nonNegative("nodeBootDelay", serviceTime);
    return c;
  }

  public AccountLimits withPoolDeletionDelay(Duration serviceTime) {
    AccountLimits c = copy();
    c.poolDeletionDelay = nonNegative("poolDeletionDelay", serviceTime);
    return c;
  }

  public AccountLimits withPreemptionRecoveryDelay(Duration serviceTime) {
    AccountLimits c = copy();
    c.preemptionRecoveryDelay = nonNegative("preemptionRecoveryDelay", serviceTime);
    return c;
  }

  public AccountLimits withPoolAllocationMode(PoolAllocationMode mode) {
    AccountLimits c = copy();
    c.poolAllocationMode = java.util.Objects.requireNonNull(mode);
    return c;
  }

  /** Total dedicated vCPUs over all pools of the account. */
  public AccountLimits withDedicatedCoreQuota(int vCpus) {
    AccountLimits c = copy();
    c.dedicatedCoreQuota = quota("dedicatedCoreQuota", vCpus);
    return c;
  }

  /** Dedicated vCPUs of one VM family (e.g. {@code standardDSv3Family}). */
  public AccountLimits withFamilyCoreQuota(String family, int vCpus) {
    AccountLimits c = copy();
    Map<String, Integer> m = new LinkedHashMap<>(familyCoreQuotas);
    m.put(family.toLowerCase(Locale.ROOT), quota("familyCoreQuota", vCpus));
    c.familyCoreQuotas = Collections.unmodifiableMap(m);
    return c;
  }

  /** Dedicated vCPUs of each VM family not given its own quota. */
  public AccountLimits withDefaultFamilyCoreQuota(int vCpus) {
    AccountLimits c = copy();
    c.defaultFamilyCoreQuota = quota("defaultFamilyCoreQuota", vCpus);
    return c;
  }

  /** Low-priority/Spot vCPUs over all pools (one value for all VM families, like Batch's). */
  public AccountLimits withLowPriorityCoreQuota(int vCpus) {
    AccountLimits c = copy();
    c.lowPriorityCoreQuota = quota("lowPriorityCoreQuota", vCpus);
    return c;
  }

  public double timeScale() {
    return timeScale;
  }

  public Duration poolAllocationDelay() {
    return poolAllocationDelay;
  }

  public Duration nodeBootDelay() {
    return nodeBootDelay;
  }

  public Duration poolDeletionDelay() {
    return poolDeletionDelay;
  }

  public Duration preemptionRecoveryDelay() {
    return preemptionRecoveryDelay;
  }

  public PoolAllocationMode poolAllocationMode() {
    return poolAllocationMode;
  }

  public int dedicatedCoreQuota() {
    return dedicatedCoreQuota;
  }

  public int familyCoreQuota(String family) {
    return familyCoreQuotas.getOrDefault(family.toLowerCase(Locale.ROOT), defaultFamilyCoreQuota);
  }

  public int lowPriorityCoreQuota() {
    return lowPriorityCoreQuota;
  }

  /** The real time that {@code serviceTime} takes at this time scale. */
  public Duration real(Duration serviceTime) {
    return Duration.ofNanos(Math.round(serviceTime.toNanos() * timeScale));
  }

  private static Duration nonNegative(String name, Duration d) {
    if (d == null || d.isNegative()) {
      throw new IllegalArgumentException(name + " must be a non-negative duration");
    }
    return d;
  }

  private static int quota(String name, int v) {
    if (v < 0) {
      throw new IllegalArgumentException(name + " must be >= 0");
    }
    return v;
  }
}

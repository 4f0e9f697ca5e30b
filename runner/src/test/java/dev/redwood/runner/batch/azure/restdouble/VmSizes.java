package dev.redwood.runner.batch.azure.restdouble;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The VM sizes the double's accounts offer: vCPUs and the quota family Batch counts them in. Covers
 * the sizes Redwood's examples, docs and tests name (D/E-series v3 and v5 with premium storage) and
 * a few common neighbours; any other size is refused on pool add, as the service refuses a size it
 * does not offer. Names match case-insensitively, as in Batch.
 */
public final class VmSizes {
  /** One VM size: its canonical name, vCPUs and quota family (e.g. {@code standardDSv3Family}). */
  public record VmSize(String name, int vCpus, String family) {
    /** Batch's cap on {@code taskSlotsPerNode}: the smaller of 4 x vCPUs and 256. */
    public int maxTaskSlots() {
      return Math.min(4 * vCpus, 256);
    }
  }

  private static final Map<String, VmSize> SIZES;

  static {
    Map<String, VmSize> m = new LinkedHashMap<>();
    series(m, "Standard_A%d_v2", "standardAv2Family", 1, 2, 4, 8);
    series(m, "Standard_D%d_v3", "standardDv3Family", 2, 4, 8, 16, 32, 48, 64);
    series(m, "Standard_D%ds_v3", "standardDSv3Family", 2, 4, 8, 16, 32, 48, 64);
    series(m, "Standard_D%ds_v5", "standardDSv5Family", 2, 4, 8, 16, 32, 48, 64, 96);
    series(m, "Standard_D%dds_v5", "standardDDSv5Family", 2, 4, 8, 16, 32, 48, 64, 96);
    series(m, "Standard_D%das_v5", "standardDASv5Family", 2, 4, 8, 16, 32, 48, 64, 96);
    series(m, "Standard_E%ds_v3", "standardESv3Family", 2, 4, 8, 16, 32, 48, 64);
    series(m, "Standard_E%ds_v5", "standardESv5Family", 2, 4, 8, 16, 32, 48, 64, 96);
    series(m, "Standard_F%ds_v2", "standardFSv2Family", 2, 4, 8, 16, 32, 48, 64, 72);
    series(m, "Standard_NC%ds_v3", "standardNCSv3Family", 6, 12, 24);
    SIZES = Collections.unmodifiableMap(m);
  }

  private VmSizes() {}

  private static void series(Map<String, VmSize> m, String pattern, String family, int... cpus) {
    for (int c : cpus) {
      String name = String.format(pattern, c);
      m.put(name.toLowerCase(Locale.ROOT), new VmSize(name, c, family));
    }
  }

  /** The size named {@code name} (any case), if the double offers it. */
  public static Optional<VmSize> find(String name) {
    return name == null
        ? Optional.empty()
        : Optional.ofNullable(SIZES.get(name.trim().toLowerCase(Locale.ROOT)));
  }
}

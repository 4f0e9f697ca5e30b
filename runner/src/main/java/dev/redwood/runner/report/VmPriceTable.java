package dev.redwood.runner.report;

import dev.redwood.runner.options.VmPrices;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * Per-hour prices of VM sizes for the run report's cost estimate: the bundled table of list prices
 * (with the date and region they were taken for, which the report states) and the user's {@code
 * --vmPrices}, which win.
 */
public final class VmPriceTable {
  static final String RESOURCE = "vm-prices.properties";

  private final Map<String, Double> bundled;
  private final Map<String, Double> overrides;
  private final String date;
  private final String region;

  VmPriceTable(
      Map<String, Double> bundled, Map<String, Double> overrides, String date, String region) {
    this.bundled = Map.copyOf(bundled);
    this.overrides = Map.copyOf(overrides);
    this.date = date;
    this.region = region;
  }

  /** The bundled table with {@code --vmPrices} over it. */
  public static VmPriceTable load(String vmPricesOption) {
    Properties properties = new Properties();
    try (InputStream in = VmPriceTable.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(
            "The VM price table " + RESOURCE + " is not on the classpath");
      }
      properties.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the VM price table " + RESOURCE, e);
    }
    Map<String, Double> prices = new HashMap<>();
    for (String size : properties.stringPropertyNames()) {
      if (!size.startsWith("_")) {
        prices.put(size.toLowerCase(Locale.ROOT), Double.parseDouble(properties.getProperty(size)));
      }
    }
    return new VmPriceTable(
        prices,
        VmPrices.parse(vmPricesOption),
        properties.getProperty("_date", "unknown"),
        properties.getProperty("_region", "unknown"));
  }

  /** The price of a node-hour of {@code vmSize}, or null when neither table knows the size. */
  public Double perHour(String vmSize) {
    if (vmSize == null) {
      return null;
    }
    String key = vmSize.toLowerCase(Locale.ROOT);
    Double price = overrides.get(key);
    return price != null ? price : bundled.get(key);
  }

  /** Where the price of {@code vmSize} comes from, for the report. */
  public String source(String vmSize) {
    if (vmSize != null && overrides.containsKey(vmSize.toLowerCase(Locale.ROOT))) {
      return "--vmPrices";
    }
    return "list price, " + region + ", " + date;
  }

  public String date() {
    return date;
  }

  public String region() {
    return region;
  }
}

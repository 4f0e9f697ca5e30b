package dev.redwood.runner.options;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Parses {@code --vmPrices}: the user's own per-hour prices of VM sizes, which replace the bundled
 * estimates of the run report (a negotiated rate, another region, spot prices).
 */
public final class VmPrices {
  private static final Pattern SIZE = Pattern.compile("[A-Za-z0-9_]+");

  private VmPrices() {}

  /**
   * @param option the option's value: {@code vmSize=price} pairs separated by commas, or null
   * @return price per node-hour by VM size, lower-cased (Azure compares VM sizes without case)
   */
  public static Map<String, Double> parse(String option) {
    Map<String, Double> prices = new LinkedHashMap<>();
    if (option == null || option.isBlank()) {
      return prices;
    }
    for (String pair : option.split(",")) {
      String entry = pair.trim();
      int eq = entry.indexOf('=');
      String size = eq < 0 ? "" : entry.substring(0, eq).trim();
      if (eq < 0 || !SIZE.matcher(size).matches()) {
        throw new IllegalArgumentException(
            "Invalid --vmPrices entry '"
                + entry
                + "': give vmSize=price pairs separated by commas, e.g."
                + " Standard_D2s_v3=0.096");
      }
      double price;
      try {
        price = Double.parseDouble(entry.substring(eq + 1).trim());
      } catch (NumberFormatException e) {
        price = -1;
      }
      if (!(price >= 0) || Double.isInfinite(price)) {
        throw new IllegalArgumentException(
            "Invalid --vmPrices entry '"
                + entry
                + "': the price must be a number of US dollars per node-hour, 0 or more");
      }
      prices.put(size.toLowerCase(Locale.ROOT), price);
    }
    return prices;
  }
}

package dev.redwood.runner.config;

import java.util.Locale;
import java.util.function.Consumer;

/**
 * Where a Batch account is: its URL, its name (given, or the URL host's first label) and its region
 * (given, or the URL host's second label), read from an object of a configuration file under that
 * file's key names ({@code _BATCH_ACCOUNT_URL} or {@code url}, ...).
 *
 * @param region null when neither given nor in the URL (a test double on 127.0.0.1)
 */
record AccountLocation(String name, String url, String region) {

  static AccountLocation read(
      ConfigObject o, String urlKey, String nameKey, String regionKey, Consumer<String> warnings) {
    String text =
        o.requiredString(
            urlKey,
            " (the Batch account's URL, such as \"https://mybatch.westeurope.batch.azure.com\")");
    ServiceUrl url;
    try {
      url = ServiceUrl.parse(text, false);
    } catch (IllegalArgumentException e) {
      throw o.fail(urlKey, e.getMessage() + o.gotUrl(urlKey, text));
    }
    String name = o.string(nameKey).orElse(null);
    if (name == null) {
      if (url.namesNoAccount()) {
        throw o.fail(
            nameKey,
            "is missing: "
                + urlKey
                + " "
                + ConfigObject.quote(url.url())
                + " does not contain the account's name, so give it here");
      }
      name = url.firstLabel();
      String problem = AzureNames.accountName(name);
      if (problem != null) {
        throw o.fail(
            urlKey, "names the account " + ConfigObject.quote(name) + ", which " + problem);
      }
    } else {
      String problem = AzureNames.accountName(name);
      if (problem != null) {
        throw o.fail(nameKey, problem + o.got(nameKey, name));
      }
      if (!url.namesNoAccount() && !url.firstLabel().equals(name)) {
        throw o.fail(
            nameKey,
            "is "
                + ConfigObject.quote(name)
                + " but "
                + urlKey
                + " is the account "
                + ConfigObject.quote(url.firstLabel()));
      }
    }
    String region = o.string(regionKey).orElse(null);
    String urlRegion = url.batchRegion();
    if (region == null) {
      region = urlRegion;
    } else {
      if (region.isBlank()) {
        throw o.fail(regionKey, "is empty");
      }
      if (urlRegion != null && !urlRegion.equals(region.toLowerCase(Locale.ROOT))) {
        warnings.accept(
            o.file().name()
                + ": "
                + o.at(regionKey)
                + " differs from the region of "
                + urlKey
                + " ("
                + urlRegion
                + "); Redwood takes the region from "
                + regionKey
                + ", but pools run where the account is");
      }
    }
    return new AccountLocation(name, url.url(), region);
  }
}

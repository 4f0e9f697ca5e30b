package dev.redwood.runner.config;

/**
 * A storage account's name and blob endpoint as a configuration file gives them; the endpoint
 * defaults to {@code https://NAME.blob.core.windows.net}.
 *
 * @param accountName null when not given
 * @param blobEndpoint the endpoint, or null when neither it nor the name is given
 */
record StorageLocation(String accountName, String blobEndpoint) {

  static StorageLocation read(ConfigObject o, String nameKey, String endpointKey) {
    String name = o.string(nameKey).orElse(null);
    if (name != null) {
      String problem = AzureNames.accountName(name);
      if (problem != null) {
        throw o.fail(nameKey, problem + o.got(nameKey, name));
      }
    }
    String endpoint = null;
    if (o.has(endpointKey)) {
      try {
        endpoint = ServiceUrl.parse(o.string(endpointKey).orElseThrow(), true).url();
      } catch (IllegalArgumentException e) {
        throw o.fail(
            endpointKey,
            e.getMessage() + o.gotUrl(endpointKey, o.string(endpointKey).orElseThrow()));
      }
      if (name == null) {
        name = StorageConnectionString.accountFromEndpoint(ServiceUrl.parse(endpoint, true));
      }
    } else if (name != null) {
      endpoint = defaultEndpoint(name);
    }
    return new StorageLocation(name, endpoint);
  }

  static String defaultEndpoint(String accountName) {
    return "https://" + accountName + ".blob.core.windows.net";
  }
}

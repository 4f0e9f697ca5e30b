package dev.redwood.runner.config;

/**
 * A marketplace image for a pool's nodes and the node agent that matches it. Publisher, offer and
 * SKU come together or not at all; the agent, when not given, is derived from them ({@link
 * NodeAgentSkus}), or null where it cannot be.
 *
 * @param nodeAgentSku e.g. {@code batch.node.ubuntu 22.04}
 */
public record NodeImage(String publisher, String offer, String sku, String nodeAgentSku) {
  public NodeImage {
    if (nodeAgentSku != null && !nodeAgentSku.startsWith("batch.node.")) {
      throw Problem.got(
          "nodeAgentSku",
          "must be a Batch node agent SKU such as \"batch.node.ubuntu 22.04\"",
          nodeAgentSku);
    }
    if (publisher != null || offer != null || sku != null) {
      String[][] os = {{"publisher", publisher}, {"offer", offer}, {"sku", sku}};
      for (String[] key : os) {
        Problem.given(key[0], key[1], ": give {publisher}, {offer} and {sku} together");
      }
      if (nodeAgentSku == null) {
        nodeAgentSku = NodeAgentSkus.derive(publisher, offer, sku).orElse(null);
      }
    }
  }

  /** The image as messages name it: {@code publisher / offer / sku}. */
  String label() {
    return publisher + " / " + offer + " / " + sku;
  }
}

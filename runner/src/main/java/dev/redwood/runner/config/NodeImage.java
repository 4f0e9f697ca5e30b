package dev.redwood.runner.config;

/**
 * A marketplace image for a pool's nodes and the node agent that matches it.
 *
 * @param nodeAgentSku e.g. {@code batch.node.ubuntu 22.04}
 */
public record NodeImage(String publisher, String offer, String sku, String nodeAgentSku) {}

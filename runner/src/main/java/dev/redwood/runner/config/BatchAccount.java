package dev.redwood.runner.config;

/**
 * One Azure Batch account that pools are created in.
 *
 * @param name the account name (first label of the account URL's host); pools refer to it
 * @param accountUrl e.g. {@code https://mybatch.westeurope.batch.azure.com}, or a test double's
 *     {@code http://127.0.0.1:PORT}
 * @param region the account's Azure region (informational: a pool runs where its account is), or
 *     null when neither given nor part of the URL (a test double on 127.0.0.1)
 * @param auth how requests to this account are signed
 */
public record BatchAccount(String name, String accountUrl, String region, BatchAuth auth) {}

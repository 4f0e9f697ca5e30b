package dev.redwood.runner.storage;

/**
 * A blob container that the Batch node agent uploads files into (task logs through a task's {@code
 * outputFiles}), beside the store's own containers, and the grant it uploads with.
 *
 * @param accountName the storage account, for the commands that fetch what was uploaded
 * @param container the container's name
 * @param containerUrl the container's URL, without a query
 * @param sas a container SAS that may create and write blobs and nothing else: a credential, which
 *     goes into a task's definition only, never into a log or a message
 */
public record UploadTarget(String accountName, String container, String containerUrl, String sas) {

  /** The URL with its SAS, as Batch's {@code OutputFileBlobContainerDestination} takes it. */
  public String signedUrl() {
    return containerUrl + "?" + sas;
  }

  @Override
  public String toString() {
    return "UploadTarget[" + accountName + "/" + container + "]";
  }
}

package io.github.amlspark.transfer;

import java.io.Serializable;

/**
 * One file to upload, as the driver listed it.
 *
 * @param source the local file (absolute path)
 * @param blobName the blob to write, relative to the container
 * @param length the file's length when listed
 */
public record UploadItem(String source, String blobName, long length) implements Serializable {
}

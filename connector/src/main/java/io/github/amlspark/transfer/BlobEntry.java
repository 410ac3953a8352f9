package io.github.amlspark.transfer;

import java.io.Serializable;

/**
 * One blob as listed on the driver: what executors need to fetch it and to report on it.
 *
 * @param name the full blob name in its container
 * @param path the name relative to the datastore or run root: what users see and where it lands
 * @param length the blob's length in bytes
 * @param lastModifiedMillis last modification time, epoch milliseconds
 * @param contentMd5 the blob's stored Content-MD5 as lowercase hex, or null when it has none
 * @param etag the ETag at listing time: every range is fetched with If-Match on it
 */
public record BlobEntry(String name, String path, long length, long lastModifiedMillis, String contentMd5,
    String etag) implements Serializable {
}

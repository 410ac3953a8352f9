package io.github.amlspark;

import java.io.Serializable;

/**
 * The result of one file's transfer: one row of the transfer schema.
 *
 * @param path the datastore- or run-relative blob path
 * @param file the file-system side: where a download was written, or what an upload read
 * @param length the file's length in bytes
 * @param contentMd5 lowercase hex MD5 of the content, or null when neither side had one
 * @param status what happened
 * @param checksumVerified whether the bytes were checked against an MD5 end to end
 * @param error why the file FAILED, else null
 */
public record FileTransfer(String path, String file, long length, String contentMd5,
    TransferStatus status, boolean checksumVerified, String error) implements Serializable {
}

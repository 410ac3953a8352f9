package io.github.amlspark.storage;

import com.azure.core.util.Context;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.BlobDownloadResponse;
import com.azure.storage.blob.models.BlobRange;
import com.azure.storage.blob.models.BlobRequestConditions;
import com.azure.storage.blob.models.BlobStorageException;
import com.azure.storage.blob.models.DownloadRetryOptions;
import io.github.amlspark.auth.ContainerAccess;
import io.github.amlspark.transfer.ArrayOutput;
import io.github.amlspark.transfer.RangeSource;
import java.io.IOException;

/** Ranged GETs through the Azure SDK, each pinned to the listed ETag so that versions never mix. */
public final class AzureRangeSource implements RangeSource {
  private static final DownloadRetryOptions STREAM_RETRIES = new DownloadRetryOptions().setMaxRetryRequests(3);

  private final BlobContainerClient container;

  /** @param access the container */
  public AzureRangeSource(ContainerAccess access) {
    this.container = StorageClients.container(access);
  }

  @Override
  public byte[] read(BlobEntry blob, long offset, int length, boolean wantRangeMd5, byte[] buffer)
      throws IOException {
    ArrayOutput out = new ArrayOutput(buffer, length);
    try {
      BlobDownloadResponse response = container.getBlobClient(blob.name()).downloadStreamWithResponse(out,
          new BlobRange(offset, (long) length), STREAM_RETRIES,
          blob.etag() == null ? null : new BlobRequestConditions().setIfMatch(blob.etag()),
          wantRangeMd5, null, Context.NONE);
      if (out.count() != length) {
        throw new IOException("received " + out.count() + " of " + length + " bytes at offset " + offset);
      }
      return wantRangeMd5 ? response.getDeserializedHeaders().getContentMd5() : null;
    } catch (BlobStorageException e) {
      throw new IOException(StorageErrors.describe(e));
    } catch (IllegalStateException e) {
      // Raised by ArrayOutput when the service sends more than was asked for.
      throw new IOException(e.getMessage());
    }
  }

}

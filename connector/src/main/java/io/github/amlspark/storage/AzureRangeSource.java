package io.github.amlspark.storage;

import com.azure.core.util.Context;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.BlobDownloadResponse;
import com.azure.storage.blob.models.BlobRange;
import com.azure.storage.blob.models.BlobRequestConditions;
import com.azure.storage.blob.models.BlobStorageException;
import io.github.amlspark.auth.ContainerAccess;
import io.github.amlspark.transfer.ArrayOutput;
import io.github.amlspark.transfer.RangeSource;
import io.github.amlspark.transfer.RequestRefusedException;
import java.io.IOException;

/** Ranged GETs through the Azure SDK, each pinned to the listed ETag so that versions never mix. */
public final class AzureRangeSource implements RangeSource {
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
          new BlobRange(offset, (long) length), null,
          blob.etag() == null ? null : new BlobRequestConditions().setIfMatch(blob.etag()),
          wantRangeMd5, null, Context.NONE);
      if (out.count() != length) {
        throw new IOException("received " + out.count() + " of " + length + " bytes at offset " + offset
            + " of " + blob.path());
      }
      return wantRangeMd5 ? response.getDeserializedHeaders().getContentMd5() : null;
    } catch (BlobStorageException e) {
      throw new RequestRefusedException(StorageErrors.describe(e));
    } catch (RuntimeException e) {
      // A connection that broke mid-body, or more bytes than asked for (ArrayOutput).
      throw new IOException(e.getClass().getSimpleName() + " while reading " + blob.path() + ": "
          + e.getMessage(), e);
    }
  }
}

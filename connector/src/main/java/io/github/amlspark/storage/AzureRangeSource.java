package io.github.amlspark.storage;

import io.github.amlspark.transfer.BlobEntry;
import io.github.amlspark.auth.ContainerAccess;
import io.github.amlspark.transfer.RangeSource;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Base64;
import java.util.Set;

/**
 * Ranged GETs of the Blob service's Get Blob operation, sent through {@link BlobHttp} and streamed straight
 * into the caller's buffer or file. Every range is pinned to the listed ETag with If-Match, so versions
 * never mix.
 */
public final class AzureRangeSource implements RangeSource {
  private static final Set<Integer> OK = Set.of(200, 206);
  private static final int STREAM_PIECE = 1024 * 1024;

  private final ContainerAccess access;

  /** @param access the container and its SAS */
  public AzureRangeSource(ContainerAccess access) {
    this.access = access;
  }

  @Override
  public byte[] read(BlobEntry blob, long offset, int length, boolean wantRangeMd5, byte[] buffer)
      throws IOException {
    HttpResponse<InputStream> response = get(blob, offset, length, wantRangeMd5);
    try (InputStream body = response.body()) {
      readFully(body, buffer, length, blob, offset);
    }
    return wantRangeMd5
        ? response.headers().firstValue("Content-MD5").map(Base64.getDecoder()::decode).orElse(null)
        : null;
  }

  @Override
  public void stream(BlobEntry blob, long offset, long length, Sink sink) throws IOException {
    byte[] piece = new byte[STREAM_PIECE];
    long done = 0;
    try (InputStream body = get(blob, offset, length, false).body()) {
      for (int n; done < length && (n = body.read(piece, 0, (int) Math.min(piece.length, length - done))) > 0; ) {
        sink.write(piece, n, offset + done);
        done += n;
      }
      if (done < length) {
        throw new IOException("received " + done + " of " + length + " bytes at offset " + offset + " of "
            + blob.path());
      }
    }
  }

  /** Sends the GET (retrying throttling and server errors); returns a 206/200 response. */
  private HttpResponse<InputStream> get(BlobEntry blob, long offset, long length, boolean wantRangeMd5)
      throws IOException {
    HttpRequest.Builder request = BlobHttp.request(access, blob.name())
        .header("x-ms-range", "bytes=" + offset + "-" + (offset + length - 1));
    if (wantRangeMd5) {
      request.header("x-ms-range-get-content-md5", "true");
    }
    if (blob.etag() != null) {
      request.header("If-Match", blob.etag());
    }
    return BlobHttp.send(request.build(), HttpResponse.BodyHandlers.ofInputStream(), OK, blob.path());
  }

  private static void readFully(InputStream body, byte[] buffer, int length, BlobEntry blob, long offset)
      throws IOException {
    int count = 0;
    for (int n; count < length && (n = body.read(buffer, count, length - count)) > 0; ) {
      count += n;
    }
    if (count < length) {
      throw new IOException("received " + count + " of " + length + " bytes at offset " + offset + " of "
          + blob.path());
    }
    if (body.read() >= 0) {
      throw new IOException("the service sent more than the " + length + " bytes asked for at offset "
          + offset + " of " + blob.path());
    }
  }
}

package io.github.amlspark.storage;

import io.github.amlspark.auth.ContainerAccess;
import io.github.amlspark.transfer.BlobEntry;
import io.github.amlspark.transfer.RangeSource;
import io.github.amlspark.transfer.TransientFailure;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Ranged GETs of the Blob service's Get Blob operation, one try per call, sent through {@link BlobHttp}
 * and streamed straight into the caller's buffer or file. Every range is pinned to the listed ETag with
 * If-Match, so versions never mix, and a response is used only when it holds exactly the bytes asked for:
 * a 206 whose Content-Range is the range asked, or a 200 when the range asked was the whole blob (a proxy
 * or cache that ignores the range would otherwise hand every part of a large blob the bytes from offset 0).
 * A body is given up when it stays silent for the idle timeout. Long streamed ranges go over the JDK's
 * blocking connections ({@link BlobHttp#openBlocking}). Ranges read into a buffer (small blobs and the parts
 * of validated downloads) do too when the JVM keeps enough of those connections idle for reuse (the JDK's
 * {@code http.maxConnections} per host, 5 unless set, at least the requests the caller keeps in flight, as
 * {@code bin/amlspark} sets it): the blocking client spends a third to a half less CPU per small body
 * (docs/benchmark.md). Otherwise they share the asynchronous client's pool, whose size has no such bound,
 * so that a pool too small for the GETs in flight never makes a connection (a TLS handshake, on a real
 * account) per GET.
 */
public final class AzureRangeSource implements RangeSource {
  private static final Set<Integer> OK = Set.of(200, 206);
  private static final int STREAM_PIECE = 1024 * 1024;

  private final ContainerAccess access;
  private final Duration idleTimeout;
  private final boolean blockingReads;

  /**
   * @param access the container and its SAS
   * @param idleTimeout how long a response or a body may stay silent
   * @param requestsInFlight the most GETs the caller keeps in flight at once
   */
  public AzureRangeSource(ContainerAccess access, Duration idleTimeout, int requestsInFlight) {
    this.access = access;
    this.idleTimeout = idleTimeout;
    this.blockingReads = BlobHttp.blockingPoolHolds(requestsInFlight);
  }

  @Override
  public byte[] read(BlobEntry blob, long offset, int length, boolean wantRangeMd5, byte[] buffer)
      throws IOException {
    if (blockingReads) {
      try (BlobHttp.BlockingResponse response = getBlocking(blob, offset, length, wantRangeMd5)) {
        readFully(new IdleTimeoutStream(response.body(), idleTimeout, blob.path(), false), buffer, length, blob,
            offset);
        response.ended();
        return wantRangeMd5 ? rangeMd5(response.header("Content-MD5")) : null;
      }
    }
    HttpResponse<InputStream> response = get(blob, offset, length, wantRangeMd5);
    try (InputStream body = new IdleTimeoutStream(response.body(), idleTimeout, blob.path())) {
      readFully(body, buffer, length, blob, offset);
    }
    return wantRangeMd5 ? rangeMd5(response.headers().firstValue("Content-MD5").orElse(null)) : null;
  }

  private static byte[] rangeMd5(String header) {
    return header == null ? null : Base64.getDecoder().decode(header);
  }

  /** Streams over a blocking connection: for a long range its set-up is nothing and its reads are cheaper. */
  @Override
  public void stream(BlobEntry blob, long offset, long length, Sink sink) throws IOException {
    byte[] piece = new byte[STREAM_PIECE];
    long done = 0;
    try (BlobHttp.BlockingResponse response = getBlocking(blob, offset, length, false)) {
      InputStream body = new IdleTimeoutStream(response.body(), idleTimeout, blob.path(), false);
      for (int n; done < length && (n = body.read(piece, 0, (int) Math.min(piece.length, length - done))) > 0; ) {
        sink.write(piece, n, offset + done);
        done += n;
      }
      if (done < length) {
        throw cutShort(done, length, offset, blob);
      }
      response.ended();
    }
  }

  /** Sends the GET; returns a response that holds exactly the range asked for. */
  private HttpResponse<InputStream> get(BlobEntry blob, long offset, long length, boolean wantRangeMd5)
      throws IOException {
    HttpRequest.Builder request = BlobHttp.request(access, blob.name(), idleTimeout);
    headers(blob, offset, length, wantRangeMd5).forEach(request::header);
    HttpResponse<InputStream> response = BlobHttp.send(request.build(), HttpResponse.BodyHandlers.ofInputStream(),
        OK, blob.path());
    try {
      checkRange(response.statusCode(), response.headers().firstValue("Content-Range").orElse(null), blob, offset,
          length);
    } catch (IOException e) {
      response.body().close();
      throw e;
    }
    return response;
  }

  /** Sends the GET over a blocking connection; returns a response that holds exactly the range asked for. */
  private BlobHttp.BlockingResponse getBlocking(BlobEntry blob, long offset, long length, boolean wantRangeMd5)
      throws IOException {
    BlobHttp.BlockingResponse response = BlobHttp.openBlocking(BlobHttp.uri(access, blob.name(), ""),
        headers(blob, offset, length, wantRangeMd5), idleTimeout, OK, blob.path());
    try {
      checkRange(response.status(), response.header("Content-Range"), blob, offset, length);
    } catch (IOException e) {
      response.close();
      throw e;
    }
    return response;
  }

  /** @return the range, pinned to the listed ETag, with the range's MD5 asked for if wanted */
  private static Map<String, String> headers(BlobEntry blob, long offset, long length, boolean wantRangeMd5) {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("x-ms-range", "bytes=" + offset + "-" + (offset + length - 1));
    if (wantRangeMd5) {
      headers.put("x-ms-range-get-content-md5", "true");
    }
    if (blob.etag() != null) {
      headers.put("If-Match", blob.etag());
    }
    return headers;
  }

  private static void checkRange(int status, String contentRange, BlobEntry blob, long offset, long length)
      throws IOException {
    String problem = rangeProblem(status, contentRange, blob, offset, length);
    if (problem != null) {
      throw new IOException("The GET of " + offset + "-" + (offset + length - 1) + " of " + blob.path()
          + " was answered with " + problem + ": a proxy or cache between here and the storage service does not "
          + "honour ranges; the bytes were not used. Fix or bypass that proxy and run the transfer again.");
    }
  }

  /** @return what is wrong with the response for the range asked, or null when it is that range */
  static String rangeProblem(int status, String contentRange, BlobEntry blob, long offset, long length) {
    if (status == 200) {
      return offset == 0 && length == blob.length() ? null : "the whole blob (HTTP 200) instead of the range";
    }
    String expected = "bytes " + offset + "-" + (offset + length - 1) + "/" + blob.length();
    return expected.equals(contentRange) ? null
        : "Content-Range \"" + contentRange + "\" instead of \"" + expected + "\"";
  }

  private static void readFully(InputStream body, byte[] buffer, int length, BlobEntry blob, long offset)
      throws IOException {
    int count = 0;
    for (int n; count < length && (n = body.read(buffer, count, length - count)) > 0; ) {
      count += n;
    }
    if (count < length) {
      throw cutShort(count, length, offset, blob);
    }
    if (body.read() >= 0) {
      throw new IOException("the service sent more than the " + length + " bytes asked for at offset "
          + offset + " of " + blob.path());
    }
  }

  private static TransientFailure cutShort(long received, long length, long offset, BlobEntry blob) {
    return new TransientFailure("the body was cut short: received " + received + " of " + length
        + " bytes at offset " + offset + " of " + blob.path(), null, null);
  }
}

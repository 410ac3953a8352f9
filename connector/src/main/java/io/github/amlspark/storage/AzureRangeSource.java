package io.github.amlspark.storage;

import com.azure.storage.blob.BlobServiceVersion;
import com.azure.storage.common.Utility;
import io.github.amlspark.auth.ContainerAccess;
import io.github.amlspark.transfer.RangeSource;
import io.github.amlspark.transfer.RequestRefusedException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;

/**
 * Ranged GETs of the Blob service's Get Blob operation, sent with the JDK's HTTP client and streamed
 * straight into the caller's buffer. This one request is the whole data path of a download; everything
 * else (listing, SAS, uploads) goes through the Azure SDK. The SDK's download API costs about a third more
 * CPU per request (its reactive pipeline and two copies of every byte), which on small files is the
 * difference between the client and the service being the limit (docs/benchmark.md).
 *
 * <p>Every range is pinned to the listed ETag with If-Match, so versions never mix. Throttling and server
 * errors (408, 429, 5xx) are retried here with backoff; other error statuses are
 * {@link RequestRefusedException}s. URLs carry the SAS, so no URL is ever put in a message.
 */
public final class AzureRangeSource implements RangeSource {
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(30))
      .build();
  private static final String SERVICE_VERSION = BlobServiceVersion.getLatest().getVersion();
  private static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(5);
  private static final int STATUS_ATTEMPTS = 4;
  private static final int STREAM_PIECE = 1024 * 1024;

  private final String containerUrl;
  private final String sas;

  /** @param access the container and its SAS */
  public AzureRangeSource(ContainerAccess access) {
    this.containerUrl = access.containerUrl();
    this.sas = access.sas() == null ? "" : "?" + access.sas().reveal();
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

  /** Sends the GET, retrying throttling and server errors; returns a response with a 2xx status. */
  private HttpResponse<InputStream> get(BlobEntry blob, long offset, long length, boolean wantRangeMd5)
      throws IOException {
    HttpRequest.Builder request = HttpRequest.newBuilder(
            URI.create(containerUrl + "/" + Utility.urlEncode(blob.name()) + sas))
        .timeout(REQUEST_TIMEOUT)
        .header("x-ms-version", SERVICE_VERSION)
        .header("x-ms-range", "bytes=" + offset + "-" + (offset + length - 1));
    if (wantRangeMd5) {
      request.header("x-ms-range-get-content-md5", "true");
    }
    if (blob.etag() != null) {
      request.header("If-Match", blob.etag());
    }
    for (int attempt = 1; ; attempt++) {
      HttpResponse<InputStream> response = send(request.build(), blob);
      int status = response.statusCode();
      if (status == 206 || status == 200) {
        return response;
      }
      // The error body is not needed (x-ms-error-code says it); closing it frees the connection.
      response.body().close();
      String code = response.headers().firstValue("x-ms-error-code").orElse(null);
      boolean retryable = status == 408 || status == 429 || status >= 500;
      if (!retryable) {
        throw new RequestRefusedException(StorageErrors.describe(status, code));
      }
      if (attempt >= STATUS_ATTEMPTS) {
        throw new IOException(StorageErrors.describe(status, code) + " after " + attempt + " attempts");
      }
      backOff(attempt, response);
    }
  }

  private static HttpResponse<InputStream> send(HttpRequest request, BlobEntry blob) throws IOException {
    try {
      return HTTP.send(request, HttpResponse.BodyHandlers.ofInputStream());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while reading " + blob.path(), e);
    }
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

  /** Waits as the service asks (Retry-After), else exponentially: 0.2, 0.4, 0.8 s. */
  private static void backOff(int attempt, HttpResponse<?> response) throws IOException {
    long millis = response.headers().firstValue("Retry-After").map(v -> {
      try {
        return Long.parseLong(v.trim()) * 1000;
      } catch (NumberFormatException e) {
        return -1L;
      }
    }).filter(v -> v >= 0).orElse(200L << (attempt - 1));
    try {
      Thread.sleep(Math.min(millis, 30_000));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }
}

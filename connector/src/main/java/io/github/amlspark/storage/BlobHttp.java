package io.github.amlspark.storage;

import com.azure.storage.blob.BlobServiceVersion;
import com.azure.storage.common.Utility;
import io.github.amlspark.auth.ContainerAccess;
import io.github.amlspark.transfer.RequestRefusedException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Set;

/**
 * The two Blob service calls of the data path (ranged Get Blob, single Put Blob), sent with the JDK's HTTP
 * client. The SDK's own calls cost about a fifth more client time per small blob, which is the client's
 * share of the small-file rate (docs/benchmark.md); everything else goes through the SDK. Throttling and
 * server errors (408, 429, 5xx) are retried with backoff; other unexpected statuses are
 * {@link RequestRefusedException}s. URLs carry the SAS, so no URL is ever put in a message.
 */
final class BlobHttp {
  static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(5);
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(30))
      .build();
  private static final String SERVICE_VERSION = BlobServiceVersion.getLatest().getVersion();
  private static final int STATUS_ATTEMPTS = 4;

  private BlobHttp() {
  }

  /** @return a request to the blob, SAS included, with the service version set */
  static HttpRequest.Builder request(ContainerAccess access, String blobName) {
    String sas = access.sas() == null ? "" : "?" + access.sas().reveal();
    return HttpRequest.newBuilder(URI.create(access.containerUrl() + "/" + Utility.urlEncode(blobName) + sas))
        .timeout(REQUEST_TIMEOUT)
        .header("x-ms-version", SERVICE_VERSION);
  }

  /**
   * @param request the request (sent again as is on a retryable status)
   * @param body how to read an accepted response's body
   * @param accepted the statuses the caller handles
   * @param what the blob's path, for messages
   * @return a response with an accepted status
   * @throws RequestRefusedException for any other status the service keeps answering
   * @throws IOException when the connection fails
   */
  static <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> body, Set<Integer> accepted,
      String what) throws IOException {
    for (int attempt = 1; ; attempt++) {
      HttpResponse<T> response;
      try {
        response = HTTP.send(request, info -> accepted.contains(info.statusCode()) ? body.apply(info)
            : discard(info));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while transferring " + what, e);
      }
      int status = response.statusCode();
      if (accepted.contains(status)) {
        return response;
      }
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

  @SuppressWarnings("unchecked")
  private static <T> HttpResponse.BodySubscriber<T> discard(HttpResponse.ResponseInfo info) {
    // The error body is not needed (x-ms-error-code says it); discarding frees the connection.
    return (HttpResponse.BodySubscriber<T>) HttpResponse.BodySubscribers.discarding();
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

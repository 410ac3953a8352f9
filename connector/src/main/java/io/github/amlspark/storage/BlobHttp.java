package io.github.amlspark.storage;

import com.azure.storage.blob.BlobServiceVersion;
import com.azure.storage.common.Utility;
import io.github.amlspark.auth.ContainerAccess;
import io.github.amlspark.transfer.RequestRefusedException;
import io.github.amlspark.transfer.TransientFailure;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.Set;

/**
 * Single tries of the Blob service calls of the data path, sent with the JDK's HTTP client. The SDK's own
 * calls cost about a fifth more client time per small blob, which is the client's share of the small-file
 * rate (docs/benchmark.md). Retrying is not done here but by the transfer engine's
 * {@link io.github.amlspark.transfer.RetryPolicy}: a try ends in an accepted response, a
 * {@link TransientFailure} (408, 429, 5xx, a connection or timeout failure) or a
 * {@link RequestRefusedException} (any other status). URLs carry the SAS, so no URL is ever put in a
 * message.
 */
final class BlobHttp {
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(30))
      .build();
  private static final String SERVICE_VERSION = BlobServiceVersion.getLatest().getVersion();

  private BlobHttp() {
  }

  /**
   * @param access the container and its SAS
   * @param blobName the blob's full name
   * @param timeout how long to wait for the response's headers (the idle timeout)
   * @return a request to the blob, SAS included, with the service version set
   */
  static HttpRequest.Builder request(ContainerAccess access, String blobName, Duration timeout) {
    return request(access, blobName, "", timeout);
  }

  /**
   * @param access the container and its SAS
   * @param blobName the blob's full name
   * @param query the operation's query parameters, encoded ({@code comp=block&blockid=...}), or ""
   * @param timeout how long to wait for the response's headers (the idle timeout)
   * @return a request to the blob with those parameters, SAS included, with the service version set
   */
  static HttpRequest.Builder request(ContainerAccess access, String blobName, String query, Duration timeout) {
    String sas = access.sas() == null ? "" : access.sas().reveal();
    String all = query.isEmpty() ? sas : sas.isEmpty() ? query : query + "&" + sas;
    return HttpRequest.newBuilder(URI.create(access.containerUrl() + "/" + Utility.urlEncode(blobName)
            + (all.isEmpty() ? "" : "?" + all)))
        .timeout(timeout)
        .header("x-ms-version", SERVICE_VERSION);
  }

  /**
   * Sends one try.
   *
   * @param request the request
   * @param body how to read an accepted response's body
   * @param accepted the statuses the caller handles
   * @param what the blob's path, for messages
   * @return a response with an accepted status
   * @throws TransientFailure when another try may succeed
   * @throws RequestRefusedException for any other status
   * @throws IOException when interrupted
   */
  static <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> body, Set<Integer> accepted,
      String what) throws IOException {
    HttpResponse<T> response;
    try {
      response = HTTP.send(request, info -> accepted.contains(info.statusCode()) ? body.apply(info)
          : discard(info));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while transferring " + what);
    } catch (IOException e) {
      // Connection refused or reset, no response within the timeout, a response cut off: all worth
      // another try (the JDK's messages name no URL).
      throw new TransientFailure(request.method() + " of " + what + " failed: " + e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : ": " + e.getMessage()), null, e);
    }
    int status = response.statusCode();
    if (accepted.contains(status)) {
      return response;
    }
    String code = response.headers().firstValue("x-ms-error-code").orElse(null);
    String message = request.method() + " of " + what + ": " + StorageErrors.describe(status, code);
    if (status == 408 || status == 429 || (status >= 500 && status != 501 && status != 505)) {
      throw new TransientFailure(message, retryAfter(response).orElse(null), null);
    }
    throw new RequestRefusedException(message, status, code);
  }

  @SuppressWarnings("unchecked")
  private static <T> HttpResponse.BodySubscriber<T> discard(HttpResponse.ResponseInfo info) {
    // The error body is not needed (x-ms-error-code says it); discarding frees the connection.
    return (HttpResponse.BodySubscriber<T>) HttpResponse.BodySubscribers.discarding();
  }

  /** @return the wait the service asked for: Retry-After in seconds or as an HTTP date */
  static Optional<Duration> retryAfter(HttpResponse<?> response) {
    return response.headers().firstValue("Retry-After").map(String::trim).flatMap(v -> {
      try {
        return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(v))));
      } catch (NumberFormatException notSeconds) {
        try {
          Duration d = Duration.between(ZonedDateTime.now(),
              ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME));
          return Optional.of(d.isNegative() ? Duration.ZERO : d);
        } catch (DateTimeParseException neither) {
          return Optional.empty();
        }
      }
    });
  }
}

package io.github.amlspark.storage;

import com.azure.storage.blob.BlobServiceVersion;
import com.azure.storage.common.Utility;
import io.github.amlspark.auth.ContainerAccess;
import io.github.amlspark.transfer.RequestRefusedException;
import io.github.amlspark.transfer.TransientFailure;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Single tries of the Blob service calls of the data path, sent with the JDK's HTTP client. The SDK's own
 * calls cost about a fifth more client time per small blob, which is the client's share of the small-file
 * rate (docs/benchmark.md). GETs can go through {@link #openBlocking} instead, the JDK's blocking
 * {@link HttpURLConnection}, which reads a long body at about twice the asynchronous client's rate per core
 * and spends less CPU per small one (docs/benchmark.md, "Long ranges over a blocking connection" and
 * "Small GETs over a blocking connection"). Retrying is not done here but by the transfer engine's
 * {@link io.github.amlspark.transfer.RetryPolicy}: a try ends in an accepted response, a
 * {@link TransientFailure} (408, 429, 5xx, a connection or timeout failure) or a
 * {@link RequestRefusedException} (any other status). URLs carry the SAS, so no URL is ever put in a
 * message.
 */
final class BlobHttp {
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(CONNECT_TIMEOUT)
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
    return HttpRequest.newBuilder(uri(access, blobName, query)).timeout(timeout)
        .header("x-ms-version", SERVICE_VERSION);
  }

  /** @return the blob's address with the operation's parameters and the SAS */
  static URI uri(ContainerAccess access, String blobName, String query) {
    String sas = access.sas() == null ? "" : access.sas().reveal();
    String all = query.isEmpty() ? sas : sas.isEmpty() ? query : query + "&" + sas;
    return URI.create(access.containerUrl() + "/" + Utility.urlEncode(blobName) + (all.isEmpty() ? "" : "?" + all));
  }

  /**
   * @param requestsInFlight the most requests a caller keeps in flight at once
   * @return whether the blocking client keeps that many idle connections per host for reuse: the JDK's
   *     {@code http.maxConnections}, 5 unless set (a property the JDK reads once per JVM)
   */
  static boolean blockingPoolHolds(int requestsInFlight) {
    return Integer.getInteger("http.maxConnections", 5) >= requestsInFlight;
  }

  /**
   * Sends one try of a GET over a blocking connection, for a long body (its connection's set-up does not
   * matter) or when the JVM keeps enough of them for reuse ({@link #blockingPoolHolds}): the socket's read
   * timeout is the idle timeout, both for the response's headers and for every read of the body. The caller
   * reads the body and closes the response; a response not read to its end must be
   * {@linkplain BlockingResponse#close() closed} all the same, which drops its connection.
   *
   * @param uri the blob's address, SAS included
   * @param headers the request's headers
   * @param timeout how long the response or its body may stay silent
   * @param accepted the statuses the caller handles
   * @param what the blob's path, for messages
   * @return a response with an accepted status
   * @throws TransientFailure when another try may succeed
   * @throws RequestRefusedException for any other status
   */
  static BlockingResponse openBlocking(URI uri, Map<String, String> headers, Duration timeout, Set<Integer> accepted,
      String what) throws IOException {
    HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection();
    int status;
    try {
      connection.setInstanceFollowRedirects(false);
      connection.setConnectTimeout((int) CONNECT_TIMEOUT.toMillis());
      connection.setReadTimeout((int) Math.max(1, timeout.toMillis()));
      connection.setRequestProperty("x-ms-version", SERVICE_VERSION);
      headers.forEach(connection::setRequestProperty);
      status = connection.getResponseCode();
    } catch (IOException e) {
      connection.disconnect();
      throw transportFailure("GET", what, e);
    }
    if (accepted.contains(status)) {
      return new BlockingResponse(connection, status);
    }
    connection.disconnect();
    throw refusal("GET", what, status, connection.getHeaderField("x-ms-error-code"),
        connection.getHeaderField("Retry-After"));
  }

  /** An accepted response of {@link #openBlocking}, its body read straight from the socket. */
  static final class BlockingResponse implements AutoCloseable {
    private final HttpURLConnection connection;
    private final int status;
    private boolean ended;

    private BlockingResponse(HttpURLConnection connection, int status) {
      this.connection = connection;
      this.status = status;
    }

    int status() {
      return status;
    }

    /** @return the header's value, or null */
    String header(String name) {
      return connection.getHeaderField(name);
    }

    /** @return the body; after its end was read, {@link #close()} keeps the connection for the next GET */
    InputStream body() throws IOException {
      return connection.getInputStream();
    }

    /** Marks the body as read to its end, so that closing keeps the connection. */
    void ended() {
      ended = true;
    }

    @Override
    public void close() {
      if (ended) {
        try {
          connection.getInputStream().close();
        } catch (IOException e) {
          connection.disconnect();
        }
      } else {
        // Closing a body not read to its end would first read what is left of it, to keep the connection.
        connection.disconnect();
      }
    }
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
      throw transportFailure(request.method(), what, e);
    }
    int status = response.statusCode();
    if (accepted.contains(status)) {
      return response;
    }
    throw refusal(request.method(), what, status, response.headers().firstValue("x-ms-error-code").orElse(null),
        response.headers().firstValue("Retry-After").orElse(null));
  }

  /**
   * Connection refused or reset, no response within the timeout, a response cut off: all worth another try
   * (the JDK's messages name no URL).
   */
  private static TransientFailure transportFailure(String method, String what, IOException e) {
    return new TransientFailure(method + " of " + what + " failed: " + e.getClass().getSimpleName()
        + (e.getMessage() == null ? "" : ": " + e.getMessage()), null, e);
  }

  /** @return what a status the caller does not handle means: a transient failure or a refusal */
  private static IOException refusal(String method, String what, int status, String code, String retryAfter) {
    String message = method + " of " + what + ": " + StorageErrors.describe(status, code);
    if (status == 408 || status == 429 || (status >= 500 && status != 501 && status != 505)) {
      return new TransientFailure(message, retryAfter(retryAfter).orElse(null), null);
    }
    return new RequestRefusedException(message, status, code);
  }

  @SuppressWarnings("unchecked")
  private static <T> HttpResponse.BodySubscriber<T> discard(HttpResponse.ResponseInfo info) {
    // The error body is not needed (x-ms-error-code says it); discarding frees the connection.
    return (HttpResponse.BodySubscriber<T>) HttpResponse.BodySubscribers.discarding();
  }

  /** @return the wait the service asked for: Retry-After in seconds or as an HTTP date, or none */
  static Optional<Duration> retryAfter(String header) {
    return Optional.ofNullable(header).map(String::trim).flatMap(v -> {
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

package io.github.amlspark.storage;

import com.azure.core.http.HttpClient;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobContainerClientBuilder;
import com.azure.storage.common.policy.RequestRetryOptions;
import com.azure.storage.common.policy.RetryPolicyType;
import io.github.amlspark.auth.ContainerAccess;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Per-JVM cache of container clients, keyed by {@link ContainerAccess}, so that every task of an executor
 * shares one client and one connection pool instead of building its own.
 */
public final class StorageClients {
  private static final ConcurrentMap<ContainerAccess, BlobContainerClient> CLIENTS =
      new ConcurrentHashMap<>();
  private static final HttpClient HTTP = newHttpClient();

  private StorageClients() {
  }

  /**
   * @param access container URL and SAS
   * @return the JVM's client for that container
   */
  public static BlobContainerClient container(ContainerAccess access) {
    return CLIENTS.computeIfAbsent(access, a -> new BlobContainerClientBuilder()
        .endpoint(a.containerUrl())
        .sasToken(a.sas().reveal())
        .httpClient(HTTP)
        .retryOptions(new RequestRetryOptions(RetryPolicyType.EXPONENTIAL, 4, Duration.ofMinutes(5),
            Duration.ofMillis(200), Duration.ofSeconds(10), null))
        .buildClient());
  }

  /**
   * @return the JVM's HTTP client for the SDK's calls, which every client built here shares (a client of
   *     its own would start a selector thread and a pool per call)
   */
  static HttpClient http() {
    return HTTP;
  }

  private static HttpClient newHttpClient() {
    // The JDK client (no Netty: it clashes with Spark's). Without this property it logs a warning on
    // every request that sets Content-Length.
    if (System.getProperty("jdk.httpclient.allowRestrictedHeaders") == null) {
      System.setProperty("jdk.httpclient.allowRestrictedHeaders", "content-length");
    }
    // HTTP/1.1: Blob Storage speaks nothing newer, and an h2c upgrade attempt costs a round trip.
    return new JdkHttpClientBuilder(java.net.http.HttpClient.newBuilder()
        .version(java.net.http.HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(30)))
        .build();
  }
}

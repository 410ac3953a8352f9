package io.github.amlspark.storage;

import io.github.amlspark.auth.ContainerAccess;
import io.github.amlspark.transfer.BlobWriter;
import io.github.amlspark.transfer.RequestRefusedException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The Blob service calls of uploads (Put Blob, Put Block, Put Block List, Get Blob Properties), one try
 * per call through {@link BlobHttp}, so that each runs under the upload engine's retry policy.
 */
public final class AzureBlobWriter implements BlobWriter {
  private static final Set<Integer> CREATED = Set.of(201);
  private static final Set<Integer> FOUND = Set.of(200);

  private final ContainerAccess access;
  private final Duration idleTimeout;

  /**
   * @param access the container, with a SAS that may create and write (and read, for properties)
   * @param idleTimeout how long a request may wait for its response
   */
  public AzureBlobWriter(ContainerAccess access, Duration idleTimeout) {
    this.access = access;
    this.idleTimeout = idleTimeout;
  }

  @Override
  public void putBlob(String blobName, byte[] content, byte[] md5, boolean checkInTransit, boolean ifAbsent)
      throws IOException {
    String md5Base64 = base64(md5);
    HttpRequest.Builder request = BlobHttp.request(access, blobName, idleTimeout)
        .PUT(body(content))
        .header("x-ms-blob-type", "BlockBlob")
        .header("x-ms-blob-content-md5", md5Base64);
    if (checkInTransit) {
      request.header("Content-MD5", md5Base64);
    }
    send(conditional(request, ifAbsent), blobName);
  }

  @Override
  public void putBlob(String blobName, Supplier<InputStream> body, long length, byte[] md5, boolean ifAbsent)
      throws IOException {
    String md5Base64 = base64(md5);
    // fromPublisher with a length sets Content-Length, so the body streams without chunked encoding.
    HttpRequest.Builder request = BlobHttp.request(access, blobName, idleTimeout)
        .PUT(HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(body), length))
        .header("x-ms-blob-type", "BlockBlob")
        .header("x-ms-blob-content-md5", md5Base64)
        .header("Content-MD5", md5Base64);
    send(conditional(request, ifAbsent), blobName);
  }

  @Override
  public void stageBlock(String blobName, String blockId, byte[] data, byte[] md5) throws IOException {
    HttpRequest.Builder request = BlobHttp.request(access, blobName,
        "comp=block&blockid=" + URLEncoder.encode(blockId, StandardCharsets.UTF_8), idleTimeout)
        .PUT(body(data));
    if (md5 != null) {
      request.header("Content-MD5", base64(md5));
    }
    send(request, blobName);
  }

  @Override
  public void commitBlocks(String blobName, List<String> blockIds, byte[] md5, boolean ifAbsent)
      throws IOException {
    StringBuilder xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"utf-8\"?><BlockList>");
    // Base64 ids hold no character that XML would need escaped.
    blockIds.forEach(id -> xml.append("<Latest>").append(id).append("</Latest>"));
    xml.append("</BlockList>");
    HttpRequest.Builder request = BlobHttp.request(access, blobName, "comp=blocklist", idleTimeout)
        .PUT(HttpRequest.BodyPublishers.ofString(xml.toString(), StandardCharsets.UTF_8))
        .header("Content-Type", "application/xml; charset=utf-8")
        .header("x-ms-blob-content-md5", base64(md5));
    send(conditional(request, ifAbsent), blobName);
  }

  @Override
  public BlobState properties(String blobName) throws IOException {
    HttpRequest head = BlobHttp.request(access, blobName, idleTimeout)
        .method("HEAD", HttpRequest.BodyPublishers.noBody()).build();
    HttpResponse<Void> response;
    try {
      response = BlobHttp.send(head, HttpResponse.BodyHandlers.discarding(), FOUND, blobName);
    } catch (RequestRefusedException e) {
      if (e.status() == 404) {
        return null;
      }
      throw e;
    }
    return new BlobState(response.headers().firstValueAsLong("Content-Length").orElse(0),
        response.headers().firstValue("Content-MD5").map(Base64.getDecoder()::decode).orElse(null));
  }

  /**
   * A body of bytes in memory, read from them as it is sent: {@code ofByteArray} would first copy them all
   * into the client's 16 KiB buffers, doubling the memory of every block and small file in flight.
   */
  private static HttpRequest.BodyPublisher body(byte[] data) {
    return data.length == 0 ? HttpRequest.BodyPublishers.ofByteArray(data)
        : HttpRequest.BodyPublishers.fromPublisher(
            HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(data)), data.length);
  }

  private static HttpRequest.Builder conditional(HttpRequest.Builder request, boolean ifAbsent) {
    return ifAbsent ? request.header("If-None-Match", "*") : request;
  }

  private static void send(HttpRequest.Builder request, String blobName) throws IOException {
    BlobHttp.send(request.build(), HttpResponse.BodyHandlers.discarding(), CREATED, blobName);
  }

  private static String base64(byte[] md5) {
    return Base64.getEncoder().encodeToString(md5);
  }
}

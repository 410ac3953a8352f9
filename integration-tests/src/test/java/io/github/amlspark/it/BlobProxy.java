package io.github.amlspark.it;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/**
 * A small HTTP proxy in front of Azurite that sees every request the connector makes: it records them,
 * and makes a blob's GETs go wrong as a faulty network, proxy or service would: a flipped byte, a body cut
 * short or reset mid-way, a body that stalls, the whole blob for a ranged GET, throttling and server
 * errors.
 */
final class BlobProxy implements AutoCloseable {
  private static final Set<String> HOP_HEADERS = Set.of("host", "connection", "content-length",
      "transfer-encoding", "upgrade", "expect", "keep-alive", "date");

  private final HttpServer server;
  private final String target;
  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final ConcurrentLinkedQueue<Recorded> requests = new ConcurrentLinkedQueue<>();
  private volatile String faultyBlob;
  private volatile Fault fault;
  private final AtomicInteger faultsLeft = new AtomicInteger();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger maxInFlight = new AtomicInteger();
  private volatile UnaryOperator<String> listingRewrite;
  private volatile long getDelayMillis;
  private volatile long stallMillis = 10_000;
  private final AtomicInteger faultsInjected = new AtomicInteger();

  /** How a GET goes wrong. */
  enum Fault {
    /** One byte of the body flipped, headers intact (Content-MD5 headers then disagree with the body). */
    FLIP_BYTE,
    /** A complete response whose body is half the bytes (Content-Length says so). */
    CUT_SHORT,
    /** Content-Length promises the whole body, half is sent, then the connection closes. */
    RESET_MID_BODY,
    /** Half the body, then nothing for {@link #stallFor} before the connection closes. */
    STALL,
    /** The Range header ignored: 200 with the whole blob, as a range-blind cache would answer. */
    WHOLE_BODY_200,
    /** 503 ServerBusy with Retry-After: 1, without reaching Azurite. */
    BUSY_503,
    /** 500 InternalError, without reaching Azurite. */
    ERROR_500
  }

  /**
   * A request as the proxy saw it.
   *
   * @param method HTTP method
   * @param pathAndQuery path and query, as sent
   * @param headers request headers
   */
  record Recorded(String method, String pathAndQuery, Map<String, List<String>> headers) {
    /** @return the path, without the query (which holds the SAS) */
    String path() {
      return pathAndQuery.replaceFirst("\\?.*$", "");
    }

    boolean isBlobGet() {
      return method.equals("GET") && !pathAndQuery.contains("comp=") && !pathAndQuery.contains("restype=");
    }
  }

  BlobProxy(String targetAccountUrl) throws IOException {
    URI t = URI.create(targetAccountUrl);
    this.target = t.getScheme() + "://" + t.getAuthority();
    this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
    server.setExecutor(Executors.newFixedThreadPool(16, r -> {
      Thread th = new Thread(r, "blob-proxy");
      th.setDaemon(true);
      return th;
    }));
    server.createContext("/", this::handle);
    server.start();
  }

  /** @return the proxied account URL */
  String accountUrl(String account) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/" + account;
  }

  /** Makes the next {@code times} GETs of a blob whose path ends with {@code blobSuffix} go wrong. */
  void fail(String blobSuffix, Fault kind, int times) {
    this.faultyBlob = blobSuffix;
    this.fault = kind;
    faultsLeft.set(times);
  }

  /** How long a {@link Fault#STALL}ed body stays silent before its connection closes. */
  void stallFor(long millis) {
    this.stallMillis = millis;
  }

  /** @return how many faults were injected since the last reset */
  int faultsInjected() {
    return faultsInjected.get();
  }

  List<Recorded> requests() {
    return List.copyOf(requests);
  }

  long blobGets() {
    return requests.stream().filter(Recorded::isBlobGet).count();
  }

  /** @return the most blob GETs that were in flight at once since the last reset */
  int maxBlobGetsInFlight() {
    return maxInFlight.get();
  }

  /** Holds every blob GET this long before answering it, as a slow network would. */
  void delayBlobGets(long millis) {
    this.getDelayMillis = millis;
  }

  /** @return how many GETs each blob path received, by path */
  Map<String, Long> blobGetsByPath() {
    return requests.stream().filter(Recorded::isBlobGet).collect(java.util.stream.Collectors.groupingBy(
        Recorded::path, java.util.stream.Collectors.counting()));
  }

  /** Rewrites the XML body of blob listings, e.g. to make a blob look larger than it is. */
  void rewriteListings(UnaryOperator<String> rewrite) {
    this.listingRewrite = rewrite;
  }

  void reset() {
    requests.clear();
    faultsLeft.set(0);
    maxInFlight.set(0);
    listingRewrite = null;
    getDelayMillis = 0;
    faultsInjected.set(0);
    putFaults.clear();
    heldCommit = null;
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String pathAndQuery = ex.getRequestURI().getRawPath()
          + (ex.getRequestURI().getRawQuery() == null ? "" : "?" + ex.getRequestURI().getRawQuery());
      Recorded recorded = new Recorded(ex.getRequestMethod(), pathAndQuery, Map.copyOf(ex.getRequestHeaders()));
      requests.add(recorded);
      if (recorded.isBlobGet()) {
        maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
        if (getDelayMillis > 0) {
          sleep(getDelayMillis);
        }
      }
      try {
        if (uploadFault(ex, recorded)) {
          return;
        }
        forward(ex, pathAndQuery);
        uploadAnswered(recorded);
      } finally {
        if (recorded.isBlobGet()) {
          inFlight.decrementAndGet();
        }
      }
    }
  }

  private void forward(HttpExchange ex, String pathAndQuery) throws IOException {
    byte[] body;
    try (InputStream in = ex.getRequestBody()) {
      body = in.readAllBytes();
    }
    Fault faulty = ex.getRequestMethod().equals("GET") && faultyBlob != null
        && ex.getRequestURI().getPath().endsWith(faultyBlob) && !pathAndQuery.contains("comp=")
        && faultsLeft.getAndDecrement() > 0 ? fault : null;
    if (faulty != null) {
      faultsInjected.incrementAndGet();
    }
    if (faulty == Fault.BUSY_503 || faulty == Fault.ERROR_500) {
      boolean busy = faulty == Fault.BUSY_503;
      ex.getResponseHeaders().set("x-ms-error-code", busy ? "ServerBusy" : "InternalError");
      if (busy) {
        ex.getResponseHeaders().set("Retry-After", "1");
      }
      ex.sendResponseHeaders(busy ? 503 : 500, -1);
      return;
    }
    HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(target + pathAndQuery))
        .method(ex.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofByteArray(body));
    ex.getRequestHeaders().forEach((k, vs) -> {
      boolean dropRange = faulty == Fault.WHOLE_BODY_200
          && (k.equalsIgnoreCase("x-ms-range") || k.equalsIgnoreCase("range"));
      if (!HOP_HEADERS.contains(k.toLowerCase()) && !dropRange) {
        vs.forEach(v -> req.header(k, v));
      }
    });
    HttpResponse<byte[]> resp;
    try {
      resp = client.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
    resp.headers().map().forEach((k, vs) -> {
      if (!HOP_HEADERS.contains(k.toLowerCase()) && !k.startsWith(":")) {
        ex.getResponseHeaders().put(k, vs);
      }
    });
    // A HEAD's Content-Length is the blob's length (Get Blob Properties), not a body's: pass it on.
    if (ex.getRequestMethod().equals("HEAD")) {
      resp.headers().firstValue("Content-Length").ifPresent(v -> ex.getResponseHeaders().set("Content-Length", v));
    }
    byte[] out = resp.body();
    UnaryOperator<String> rewrite = listingRewrite;
    if (rewrite != null && pathAndQuery.contains("comp=list")) {
      out = rewrite.apply(new String(out, StandardCharsets.UTF_8))
          .getBytes(StandardCharsets.UTF_8);
    }
    if (faulty == Fault.FLIP_BYTE && out.length > 0) {
      out = out.clone();
      out[out.length / 2] ^= 0x5A;
    }
    if (ex.getRequestMethod().equals("HEAD") || out.length == 0) {
      ex.sendResponseHeaders(resp.statusCode(), -1);
      return;
    }
    if (faulty == Fault.CUT_SHORT) {
      // A body that ends early: what the client sees when a connection drops mid-transfer.
      out = Arrays.copyOf(out, out.length / 2);
    }
    ex.sendResponseHeaders(resp.statusCode(), out.length);
    OutputStream os = ex.getResponseBody();
    if (faulty == Fault.RESET_MID_BODY || faulty == Fault.STALL) {
      os.write(out, 0, out.length / 2);
      os.flush();
      if (faulty == Fault.STALL) {
        sleep(stallMillis);
      }
      // The exchange closes (in handle) short of the promised length: the server drops the connection.
      return;
    }
    try (os) {
      os.write(out);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ---- Upload faults: PUTs that break, lose their answer or are throttled, and commits held back ----

  /** Which PUT of a blob a fault hits. */
  enum PutKind {
    PUT_BLOB, PUT_BLOCK, PUT_BLOCK_LIST;

    /** @return whether a request of this kind creates the blob (a Put Blob or a commit) */
    boolean creates() {
      return this != PUT_BLOCK;
    }

    static PutKind of(Recorded r) {
      String query = r.pathAndQuery();
      return query.contains("comp=blocklist") ? PUT_BLOCK_LIST : query.contains("comp=block") ? PUT_BLOCK
          : PUT_BLOB;
    }
  }

  /** How a PUT goes wrong. */
  enum PutFault {
    /** Half of the request body is read, then the connection is closed without an answer. */
    RESET_MID_BODY,
    /** The request reaches Azurite and is carried out; then the connection is closed without an answer. */
    LOST_RESPONSE,
    /** 503 ServerBusy with {@code Retry-After: 1}, without forwarding. */
    STATUS_503,
    /**
     * Half of the request body is read, then nothing more for {@link #stallFor}; then the connection is
     * closed without forwarding or answering: the sender is caught mid-send.
     */
    STALL_MID_BODY
  }

  private record PutFaultSpec(PutKind kind, PutFault fault, AtomicInteger left) {
  }

  /** A first create (Put Blob or commit) held until another create of the same blob was answered. */
  private record HeldCommit(String blobSuffix, java.util.concurrent.CountDownLatch held,
      java.util.concurrent.CountDownLatch released, java.util.concurrent.atomic.AtomicBoolean taken) {
  }

  private final Map<String, PutFaultSpec> putFaults = new java.util.concurrent.ConcurrentHashMap<>();
  private final AtomicInteger putFaultsDone = new AtomicInteger();
  private volatile HeldCommit heldCommit;
  private volatile int stalledSenderPort;

  /** Makes the next {@code times} PUTs of that kind to a blob whose path ends with {@code blobSuffix} go wrong. */
  void failPuts(String blobSuffix, PutKind kind, PutFault fault, int times) {
    putFaults.put(blobSuffix, new PutFaultSpec(kind, fault, new AtomicInteger(times)));
  }

  /**
   * @return the client port of the connection whose PUT body is stalled ({@link PutFault#STALL_MID_BODY}),
   *     0 before: it names the sending process (the kernel may hold the rest of the body in its buffers, so
   *     the sender need not be reading its source any more)
   */
  int stalledSenderPort() {
    return stalledSenderPort;
  }

  /** @return this proxy's port */
  int port() {
    return server.getAddress().getPort();
  }

  /** @return how many PUT faults were injected since the last reset */
  int putFaultsInjected() {
    return putFaultsDone.get();
  }

  /**
   * Holds the next create (Put Blob or Put Block List) of a blob whose path ends with {@code blobSuffix}
   * until another create of it has been answered or {@link #releaseHeldCreate} is called (at most 30 s): the
   * first writer creates after the second.
   */
  void holdFirstCreate(String blobSuffix) {
    heldCommit = new HeldCommit(blobSuffix, new java.util.concurrent.CountDownLatch(1),
        new java.util.concurrent.CountDownLatch(1), new java.util.concurrent.atomic.AtomicBoolean());
  }

  /** Lets a create held by {@link #holdFirstCreate} go on now. */
  void releaseHeldCreate() {
    heldCommit.released().countDown();
  }

  /** @return whether a create is held, waiting at most 30 s for one */
  boolean awaitHeldCreate() throws InterruptedException {
    return awaitHeldCreate(30);
  }

  /** @return whether a create is held, waiting at most that many seconds for one */
  boolean awaitHeldCreate(long seconds) throws InterruptedException {
    return heldCommit.held().await(seconds, java.util.concurrent.TimeUnit.SECONDS);
  }

  /** @return whether the request was answered (or dropped) by a fault instead of being forwarded */
  private boolean uploadFault(HttpExchange ex, Recorded r) throws IOException {
    if (!r.method().equals("PUT")) {
      return false;
    }
    String path = ex.getRequestURI().getPath();
    HeldCommit hold = heldCommit;
    if (hold != null && PutKind.of(r).creates() && path.endsWith(hold.blobSuffix())
        && hold.taken().compareAndSet(false, true)) {
      hold.held().countDown();
      try {
        hold.released().await(30, java.util.concurrent.TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return false;
    }
    PutFaultSpec spec = putFaults.entrySet().stream().filter(e -> path.endsWith(e.getKey()))
        .map(Map.Entry::getValue).findFirst().orElse(null);
    if (spec == null || spec.kind() != PutKind.of(r) || spec.left().getAndDecrement() <= 0) {
      return false;
    }
    boolean half = spec.fault() == PutFault.RESET_MID_BODY || spec.fault() == PutFault.STALL_MID_BODY;
    byte[] body;
    try (InputStream in = ex.getRequestBody()) {
      body = half ? in.readNBytes(Integer.parseInt(ex.getRequestHeaders().getFirst("Content-Length")) / 2)
          : in.readAllBytes();
      // Counted once the body is read as far as the fault reads it: for a stall, the sender is mid-send.
      putFaultsDone.incrementAndGet();
      if (spec.fault() == PutFault.STALL_MID_BODY) {
        stalledSenderPort = ex.getRemoteAddress().getPort();
        // The rest is left unread (closing the body would drain some of it).
        sleep(stallMillis);
      }
    }
    switch (spec.fault()) {
      case STATUS_503 -> {
        ex.getResponseHeaders().add("Retry-After", "1");
        ex.getResponseHeaders().add("x-ms-error-code", "ServerBusy");
        ex.sendResponseHeaders(503, -1);
      }
      case LOST_RESPONSE -> {
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(target + r.pathAndQuery()))
            .PUT(HttpRequest.BodyPublishers.ofByteArray(body));
        r.headers().forEach((k, vs) -> {
          if (!HOP_HEADERS.contains(k.toLowerCase())) {
            vs.forEach(v -> req.header(k, v));
          }
        });
        try {
          client.send(req.build(), HttpResponse.BodyHandlers.discarding());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      default -> {
        // RESET_MID_BODY (and STALL_MID_BODY once stalled): nothing more is read or sent.
      }
    }
    // Closing an exchange whose response was never started closes its connection: no answer reaches the client.
    return true;
  }

  /** Releases a held create once another create of its blob was answered. */
  private void uploadAnswered(Recorded r) {
    HeldCommit hold = heldCommit;
    if (hold != null && hold.taken().get() && r.method().equals("PUT") && PutKind.of(r).creates()
        && URI.create(r.pathAndQuery()).getPath().endsWith(hold.blobSuffix())) {
      hold.released().countDown();
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}

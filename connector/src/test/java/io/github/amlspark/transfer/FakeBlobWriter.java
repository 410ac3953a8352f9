package io.github.amlspark.transfer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Supplier;

/**
 * Block blobs in memory with the service's rules: staged blocks are not a blob until a commit names them;
 * a commit takes each id's latest staged copy (else the committed one) and discards the other staged
 * blocks; If-None-Match: * refuses with 409 BlobAlreadyExists. Faults are queued per operation.
 */
final class FakeBlobWriter implements BlobWriter {
  /** The blob operations, for faults and the call log. */
  enum Op { PUT_BLOB, STAGE, COMMIT, PROPERTIES }

  /** What goes wrong with the next call of an operation. */
  enum Fault {
    /** Fails before the request reaches the service. */
    TRANSIENT,
    /** Reaches the service and is carried out, but the response is lost. */
    LOST_RESPONSE,
    /** 412 LeaseIdMissing: the blob is leased. */
    LEASED
  }

  /** A committed blob. */
  record Blob(byte[] content, byte[] md5) {
  }

  private final Map<String, Blob> blobs = new HashMap<>();
  private final Map<String, Map<String, byte[]>> staged = new HashMap<>();
  private final Map<String, Map<String, byte[]>> committedBlocks = new HashMap<>();
  private final Map<Op, ConcurrentLinkedQueue<Fault>> faults = new HashMap<>();
  final List<String> stagedIds = new ArrayList<>();
  final List<Op> calls = new ArrayList<>();
  /** Put Blobs whose body was streamed (a part of the PUT_BLOB calls). */
  int streamedPuts;
  /** Runs before each commit is carried out, outside the lock: a test's hook to interleave writers. */
  volatile Runnable beforeCommit = () -> { };

  synchronized void fault(Op op, Fault fault, int times) {
    for (int i = 0; i < times; i++) {
      faults.computeIfAbsent(op, o -> new ConcurrentLinkedQueue<>()).add(fault);
    }
  }

  synchronized Blob blob(String name) {
    return blobs.get(name);
  }

  synchronized void create(String name, byte[] content) {
    blobs.put(name, new Blob(content, Md5.of(content, content.length)));
  }

  synchronized long count(Op op) {
    return calls.stream().filter(op::equals).count();
  }

  /** @return the fault to apply to this call, after logging it; throws the ones that stop it at once */
  private synchronized Fault enter(Op op) throws IOException {
    calls.add(op);
    Fault f = faults.getOrDefault(op, new ConcurrentLinkedQueue<>()).poll();
    if (f == Fault.TRANSIENT) {
      throw new TransientFailure(op + ": connection reset", null, null);
    }
    if (f == Fault.LEASED) {
      throw new RequestRefusedException(op + ": HTTP 412 LeaseIdMissing (the blob is leased)", 412, "LeaseIdMissing");
    }
    return f;
  }

  private static void exit(Fault f) throws TransientFailure {
    if (f == Fault.LOST_RESPONSE) {
      throw new TransientFailure("the response was lost", null, null);
    }
  }

  private void refuseIfPresent(String name, boolean ifAbsent) throws RequestRefusedException {
    if (ifAbsent && blobs.containsKey(name)) {
      throw new RequestRefusedException("HTTP 409 BlobAlreadyExists", 409, "BlobAlreadyExists");
    }
  }

  @Override
  public void putBlob(String blobName, byte[] content, byte[] md5, boolean checkInTransit, boolean ifAbsent)
      throws IOException {
    Fault f = enter(Op.PUT_BLOB);
    synchronized (this) {
      refuseIfPresent(blobName, ifAbsent);
      blobs.put(blobName, new Blob(content.clone(), md5));
      staged.remove(blobName);
      committedBlocks.remove(blobName);
    }
    exit(f);
  }

  /** Reads the body as the HTTP client would, and refuses one whose MD5 is not the one sent, as Azure does. */
  @Override
  public void putBlob(String blobName, Supplier<InputStream> body, long length, byte[] md5, boolean ifAbsent)
      throws IOException {
    Fault f = enter(Op.PUT_BLOB);
    byte[] content;
    try (InputStream in = body.get()) {
      content = in.readAllBytes();
    }
    if (content.length != length) {
      throw new TransientFailure("the body had " + content.length + " of its " + length + " bytes", null, null);
    }
    if (!Arrays.equals(Md5.of(content, content.length), md5)) {
      throw new RequestRefusedException("HTTP 400 Md5Mismatch", 400, "Md5Mismatch");
    }
    synchronized (this) {
      streamedPuts++;
      refuseIfPresent(blobName, ifAbsent);
      blobs.put(blobName, new Blob(content, md5));
      staged.remove(blobName);
      committedBlocks.remove(blobName);
    }
    exit(f);
  }

  @Override
  public void stageBlock(String blobName, String blockId, byte[] data, byte[] md5) throws IOException {
    Fault f = enter(Op.STAGE);
    synchronized (this) {
      stagedIds.add(blockId);
      staged.computeIfAbsent(blobName, n -> new HashMap<>()).put(blockId, data.clone());
    }
    exit(f);
  }

  @Override
  public void commitBlocks(String blobName, List<String> blockIds, byte[] md5, boolean ifAbsent)
      throws IOException {
    Fault f = enter(Op.COMMIT);
    beforeCommit.run();
    synchronized (this) {
      refuseIfPresent(blobName, ifAbsent);
      Map<String, byte[]> latest = staged.getOrDefault(blobName, Map.of());
      Map<String, byte[]> committed = committedBlocks.getOrDefault(blobName, Map.of());
      Map<String, byte[]> now = new HashMap<>();
      ByteArrayOutputStream content = new ByteArrayOutputStream();
      for (String id : blockIds) {
        byte[] block = latest.containsKey(id) ? latest.get(id) : committed.get(id);
        if (block == null) {
          throw new RequestRefusedException("HTTP 400 InvalidBlockList", 400, "InvalidBlockList");
        }
        now.put(id, block);
        content.writeBytes(block);
      }
      blobs.put(blobName, new Blob(content.toByteArray(), md5));
      committedBlocks.put(blobName, now);
      staged.remove(blobName);
    }
    exit(f);
  }

  @Override
  public BlobState properties(String blobName) throws IOException {
    Fault f = enter(Op.PROPERTIES);
    BlobState state;
    synchronized (this) {
      Blob b = blobs.get(blobName);
      state = b == null ? null : new BlobState(b.content().length, b.md5());
    }
    exit(f);
    return state;
  }
}

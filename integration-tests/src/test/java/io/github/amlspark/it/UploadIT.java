package io.github.amlspark.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.BlobItem;
import io.github.amlspark.AzureMLFiles;
import io.github.amlspark.FileTransfer;
import io.github.amlspark.TransferOptions;
import io.github.amlspark.TransferReport;
import io.github.amlspark.TransferStatus;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** AzureMLFiles.uploadToDatastore on Azurite, through the shaded jar. */
class UploadIT {
  @TempDir
  Path dir;
  BlobContainerClient container;
  AzureMLFiles files;

  @BeforeEach
  void setUp() {
    container = TestEnvironment.newContainer("upload");
    Path config = TestEnvironment.workspaceConfig(dir, "ds", container);
    files = AzureMLFiles.builder().spark(TestEnvironment.spark()).workspaceConfig(config.toString()).build();
  }

  private Map<String, BlobItem> blobs() {
    return container.listBlobs().stream().collect(Collectors.toMap(BlobItem::getName, b -> b));
  }

  @Test
  void seedExampleDropsTheFolderNameAndKeepsSubfolders() throws Exception {
    Path bar = Files.createDirectories(dir.resolve("foo/bar"));
    Files.writeString(bar.resolve("1.txt"), "one");
    Files.writeString(bar.resolve("2.txt"), "two");
    Files.createDirectories(bar.resolve("sub"));
    Files.writeString(bar.resolve("sub/3.txt"), "three");

    TransferReport report = files.uploadToDatastore("ds", bar.toString(), "baz");

    assertEquals(3, report.transferred());
    assertEquals(List.of("baz/1.txt", "baz/2.txt", "baz/sub/3.txt"), blobs().keySet().stream().sorted().toList());
    assertEquals("one", container.getBlobClient("baz/1.txt").downloadContent().toString());
  }

  @Test
  void roundTripOfMixedSizesKeepsBytesAndMd5s() throws Exception {
    Path src = Files.createDirectories(dir.resolve("src"));
    Map<String, byte[]> content = Map.of("empty.bin", new byte[0], "one.bin", new byte[] {42},
        "multi/block.bin", TestEnvironment.random(9 * 1024 * 1024 + 3, 1), "small.txt", "hello".getBytes(StandardCharsets.UTF_8));
    for (Map.Entry<String, byte[]> e : content.entrySet()) {
      Files.createDirectories(src.resolve(e.getKey()).getParent());
      Files.write(src.resolve(e.getKey()), e.getValue());
    }

    TransferReport up = files.uploadToDatastore("ds", src.toString(), "data",
        TransferOptions.defaults().validateChecksum(true));
    assertEquals(4, up.transferred());

    // Every blob, multi-block ones included, carries the whole file's Content-MD5.
    Map<String, BlobItem> blobs = blobs();
    for (Map.Entry<String, byte[]> e : content.entrySet()) {
      BlobItem blob = blobs.get("data/" + e.getKey());
      assertNotNull(blob, e.getKey());
      assertArrayEquals(MessageDigest.getInstance("MD5").digest(e.getValue()), blob.getProperties().getContentMd5(),
          e.getKey());
    }

    Path back = dir.resolve("back");
    TransferReport down = files.downloadFromDatastore("ds", "data/", back.toString(),
        TransferOptions.defaults().validateChecksum(true));
    assertEquals(4, down.transferred());
    assertTrue(down.files().stream().allMatch(FileTransfer::checksumVerified));
    for (Map.Entry<String, byte[]> e : content.entrySet()) {
      assertArrayEquals(e.getValue(), Files.readAllBytes(back.resolve("data/" + e.getKey())), e.getKey());
    }
  }

  @Test
  void overwriteFalseSkipsExistingBlobsAndConcurrentUploadsWriteEachBlobOnce() throws Exception {
    Path a = Files.createDirectories(dir.resolve("a"));
    Path b = Files.createDirectories(dir.resolve("b"));
    for (int i = 0; i < 20; i++) {
      Files.writeString(a.resolve(i + ".txt"), "from a " + i);
      Files.writeString(b.resolve(i + ".txt"), "from b " + i);
    }
    CompletableFuture<TransferReport> first = CompletableFuture.supplyAsync(() -> files.uploadToDatastore("ds", a.toString(), "race"));
    CompletableFuture<TransferReport> second = CompletableFuture.supplyAsync(() -> files.uploadToDatastore("ds", b.toString(), "race"));
    TransferReport ra = first.get();
    TransferReport rb = second.get();

    assertEquals(20, ra.transferred() + rb.transferred(), "each blob written exactly once");
    assertEquals(20, ra.skipped() + rb.skipped());
    for (int i = 0; i < 20; i++) {
      String text = container.getBlobClient("race/" + i + ".txt").downloadContent().toString();
      String winner = text.startsWith("from a") ? "a" : "b";
      TransferReport winnerReport = winner.equals("a") ? ra : rb;
      String name = "race/" + i + ".txt";
      assertEquals(TransferStatus.TRANSFERRED, winnerReport.files().stream()
          .filter(f -> f.path().equals(name)).findFirst().orElseThrow().status(), name);
    }

    Files.writeString(a.resolve("0.txt"), "replaced");
    TransferReport always = files.uploadToDatastore("ds", a.toString(), "race", true, false);
    assertEquals(20, always.transferred());
    assertEquals("replaced", container.getBlobClient("race/0.txt").downloadContent().toString());
  }

  @Test
  void aLocalFolderThatIsNotADirectoryAndAnEmptyFolder() throws Exception {
    Path file = Files.writeString(dir.resolve("plain.txt"), "x");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> files.uploadToDatastore("ds", file.toString(), "x"));
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());

    TransferReport empty = files.uploadToDatastore("ds", Files.createDirectories(dir.resolve("empty")).toString(), "x");
    assertEquals(0, empty.files().size());
    assertTrue(blobs().isEmpty());
  }

  @Test
  void symbolicLinksAreFollowedAndALinkLoopIsReportedNotFollowedForever() throws Exception {
    Path src = Files.createDirectories(dir.resolve("linked"));
    Path outside = Files.writeString(dir.resolve("outside.txt"), "via link");
    Files.createSymbolicLink(src.resolve("link.txt"), outside);
    Files.createDirectories(src.resolve("sub"));
    Files.writeString(src.resolve("sub/real.txt"), "real");
    Files.createSymbolicLink(src.resolve("sub/loop"), src);

    io.github.amlspark.TransferException e = assertThrows(io.github.amlspark.TransferException.class,
        () -> files.uploadToDatastore("ds", src.toString(), "l"));

    assertEquals(2, e.report().transferred());
    assertEquals("via link", container.getBlobClient("l/link.txt").downloadContent().toString());
    assertEquals("real", container.getBlobClient("l/sub/real.txt").downloadContent().toString());
    assertEquals(1, e.report().failed());
    assertTrue(e.report().failures().get(0).error().contains("loops"), e.report().failures().get(0).error());
  }
}

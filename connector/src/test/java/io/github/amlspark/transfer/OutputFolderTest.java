package io.github.amlspark.transfer;

import static io.github.amlspark.transfer.TransferTestSupport.assertNoTempFiles;
import static io.github.amlspark.transfer.TransferTestSupport.filesUnder;
import static io.github.amlspark.transfer.TransferTestSupport.md5Hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OutputFolderTest {
  @TempDir
  Path dir;

  private OutputFolder open(boolean hadoop) throws IOException {
    return hadoop ? OutputFolder.open(SchemeLocalFileSystem.SCHEME + ":" + dir, SchemeLocalFileSystem.conf())
        : OutputFolder.open(dir.toString(), new Configuration());
  }

  @Test
  void toUriOfPlainPathsAndUris() {
    assertEquals(Path.of("/tmp/out").toUri(), OutputFolder.toUri("/tmp/out"));
    assertEquals(Path.of("rel/out").toAbsolutePath().normalize().toUri(), OutputFolder.toUri("rel/out"));
    assertEquals(Path.of("/tmp/with space/x").toUri(), OutputFolder.toUri("/tmp/with space/x"));
    assertEquals(URI.create("hdfs://nn:8020/data/out"), OutputFolder.toUri("hdfs://nn:8020/data/out"));
    assertEquals(URI.create("abfss://c@a.dfs.core.windows.net/out"),
        OutputFolder.toUri("abfss://c@a.dfs.core.windows.net/out"));
    assertEquals("file", OutputFolder.toUri("file:/tmp/out").getScheme());
  }

  @Test
  void toUriOfPlainPathsWithUriSpecialCharacters() {
    for (String p : new String[] {"/tmp/run[1]/out", "/tmp/100%/out", "/tmp/{a}/out", "/tmp/a|b", "/tmp/a%20b"}) {
      assertEquals(Path.of(p).toUri(), OutputFolder.toUri(p), p);
    }
  }

  @Test
  void plainAndFileUriFoldersAreTheSameLocalFolder() throws IOException {
    Files.writeString(dir.resolve("f"), "x");
    for (String folder : new String[] {dir.toString(), dir.toUri().toString()}) {
      OutputFolder out = OutputFolder.open(folder, new Configuration());
      assertEquals(new OutputFolder.Existing(false, 1), out.existing("f"), folder);
      assertEquals(dir.resolve("a/b.txt").toString(),
          Path.of(new org.apache.hadoop.fs.Path(out.location("a/b.txt")).toUri().getPath()).toString());
    }
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void locationIsUnderTheFolder(boolean hadoop) throws IOException {
    OutputFolder folder = open(hadoop);
    for (String rel : new String[] {"a/b/c.txt", "sp ace/ü.txt", "p%20q#r"}) {
      String location = folder.location(rel);
      String path = hadoop ? new org.apache.hadoop.fs.Path(location).toUri().getPath() : location;
      assertEquals(dir.resolve(rel).toString(), path, location);
    }
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void existingAndMd5(boolean hadoop) throws IOException {
    OutputFolder folder = open(hadoop);
    assertNull(folder.existing("missing"));
    byte[] content = "hello".getBytes(StandardCharsets.UTF_8);
    Files.write(dir.resolve("f"), content);
    Files.createDirectories(dir.resolve("d"));
    assertEquals(new OutputFolder.Existing(false, 5), folder.existing("f"));
    assertTrue(folder.existing("d").directory());
    assertEquals(md5Hex(content), Md5.hex(folder.md5("f")));
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void stagedFileAppearsOnlyOnCommit(boolean hadoop) throws IOException {
    OutputFolder folder = open(hadoop);
    try (OutputFolder.Staged staged = folder.stage("sub/a.txt")) {
      staged.out().write("data".getBytes(StandardCharsets.UTF_8));
      staged.out().flush();
      assertFalse(Files.exists(dir.resolve("sub/a.txt")));
      List<String> during = filesUnder(dir);
      assertEquals(1, during.size());
      assertTrue(during.get(0).startsWith("sub/.a.txt.") && during.get(0).endsWith(".amlspark.tmp"),
          during.toString());
      assertTrue(staged.commit(false));
    }
    assertEquals("data", Files.readString(dir.resolve("sub/a.txt")));
    assertEquals(List.of("sub/a.txt"), filesUnder(dir), "no temporary or .crc file is left");
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void abortedStageLeavesNothing(boolean hadoop) throws IOException {
    OutputFolder folder = open(hadoop);
    try (OutputFolder.Staged staged = folder.stage("a.txt")) {
      staged.out().write(new byte[1000]);
    }
    assertEquals(List.of(), filesUnder(dir));
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void commitWithoutReplaceKeepsAFileThatAppearedMeanwhile(boolean hadoop) throws IOException {
    OutputFolder folder = open(hadoop);
    try (OutputFolder.Staged staged = folder.stage("a.txt")) {
      staged.out().write("new".getBytes(StandardCharsets.UTF_8));
      Files.writeString(dir.resolve("a.txt"), "other writer");
      assertFalse(staged.commit(false));
    }
    assertEquals("other writer", Files.readString(dir.resolve("a.txt")));
    assertNoTempFiles(dir);
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void commitWithReplaceReplaces(boolean hadoop) throws IOException {
    OutputFolder folder = open(hadoop);
    Files.writeString(dir.resolve("a.txt"), "old");
    try (OutputFolder.Staged staged = folder.stage("a.txt")) {
      staged.out().write("new".getBytes(StandardCharsets.UTF_8));
      assertTrue(staged.commit(true));
    }
    assertArrayEquals("new".getBytes(StandardCharsets.UTF_8), Files.readAllBytes(dir.resolve("a.txt")));
    assertNoTempFiles(dir);
  }

  /**
   * A unit test cannot crash the machine; what it can see is that the real local folder forces each
   * temporary file's content while it is still at its temporary name, and, once the task syncs its
   * folders, the folder that now holds the final names: once, whatever the number of files in it.
   */
  @Test
  void aLocalCommitForcesTheContentBeforeTheRenameAndTheFolderOnceAfter() throws IOException {
    List<Path> targets = List.of(dir.resolve("sub/a.txt"), dir.resolve("sub/b.txt"));
    List<String> forced = new java.util.ArrayList<>();
    LocalOutputFolder.Disk recording = new LocalOutputFolder.Disk() {
      @Override
      public void force(java.nio.channels.FileChannel file) throws IOException {
        assertEquals(5, file.size(), "every byte written before the force");
        LocalOutputFolder.Disk.REAL.force(file);
        forced.add("content, " + targets.stream().filter(Files::exists).count() + " in place");
      }

      @Override
      public void forceFolder(Path folder) throws IOException {
        assertEquals(dir.resolve("sub"), folder);
        LocalOutputFolder.Disk.REAL.forceFolder(folder);
        forced.add("folder, " + targets.stream().filter(Files::exists).count() + " in place");
      }
    };
    OutputFolder folder = new LocalOutputFolder(dir, recording);
    for (String name : new String[] {"sub/a.txt", "sub/b.txt"}) {
      try (OutputFolder.Staged staged = folder.stage(name)) {
        staged.out().write("hello".getBytes(StandardCharsets.UTF_8));
        assertTrue(staged.commit(true));
      }
    }
    folder.syncFolders();
    folder.syncFolders();
    assertEquals(List.of("content, 0 in place", "content, 1 in place", "folder, 2 in place"), forced);
    assertArrayEquals("hello".getBytes(StandardCharsets.UTF_8), Files.readAllBytes(targets.get(1)));
  }

  /**
   * A large file's ranges ask for forces ahead of the commit: each runs on another thread without holding
   * up the writer, one at a time per file, and the commit waits for it before its own force of every byte.
   */
  @Test
  void forcesAheadRunAsideOneAtATimeAndTheCommitStillForcesEveryByte() throws Exception {
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    Thread writerThread = Thread.currentThread();
    List<String> forced = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    LocalOutputFolder.Disk slow = new LocalOutputFolder.Disk() {
      @Override
      public void force(java.nio.channels.FileChannel file) throws IOException {
        boolean writer = Thread.currentThread() == writerThread;
        if (!writer) {
          try {
            release.await();
          } catch (InterruptedException e) {
            throw new java.io.InterruptedIOException();
          }
        }
        forced.add((writer ? "commit, " : "ahead, ") + file.size() + " bytes");
      }

      @Override
      public void forceFolder(Path folder) {
      }
    };
    OutputFolder folder = new LocalOutputFolder(dir, slow);
    try (OutputFolder.Staged staged = folder.stage("big.bin")) {
      staged.out().write(new byte[3]);
      staged.forceAhead();
      staged.out().write(new byte[4]);
      // The first force ahead still runs: no second one is started.
      staged.forceAhead();
      assertEquals(List.of(), forced, "the writer is not held up by the forces ahead");
      release.countDown();
      assertTrue(staged.commit(true));
    }
    assertEquals(List.of("ahead, 7 bytes", "commit, 7 bytes"), forced);
    assertEquals(7, Files.size(dir.resolve("big.bin")));
  }
}

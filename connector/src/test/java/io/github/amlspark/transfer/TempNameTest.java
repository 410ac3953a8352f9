package io.github.amlspark.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Temporary names fit one file-system name (255 bytes of UTF-8) and never split a code point. */
class TempNameTest {
  @TempDir
  Path dir;

  static Stream<Arguments> longNames() {
    return Stream.of(
        Arguments.of("255 ASCII bytes", "a".repeat(255)),
        Arguments.of("255 bytes of 3-byte characters", "日".repeat(85)),
        Arguments.of("255 bytes of 2-byte characters", "é".repeat(127) + "x"),
        // Emoji are surrogate pairs: one straddles every cut a char-based or byte-based limit could make.
        Arguments.of("emoji at the cut point", "a".repeat(99) + "😀".repeat(39)),
        Arguments.of("emoji after 222 bytes", "a".repeat(222) + "😀" + "b".repeat(29)),
        Arguments.of("short", "x.txt"));
  }

  private static int utf8Bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("longNames")
  void fitsInOneNameKeepsWholeCodePointsAndIsRecognisable(String what, String name) {
    assertTrue(utf8Bytes(name) <= 255, "the test's name is legal");
    String temp = OutputFolder.tempName(name);
    assertTrue(utf8Bytes(temp) <= OutputFolder.MAX_NAME_BYTES, what + ": " + utf8Bytes(temp) + " bytes");
    // A split surrogate pair does not survive a round trip through UTF-8.
    assertEquals(temp, new String(temp.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8), what);
    assertTrue(temp.startsWith("."), temp);
    assertTrue(temp.endsWith(OutputFolder.TEMP_SUFFIX), temp);
    String kept = temp.substring(1, temp.length() - OutputFolder.TEMP_SUFFIX.length() - 17);
    assertTrue(name.startsWith(kept), "keeps the start of the name: " + kept);
    assertTrue(kept.length() >= Math.min(name.length(), 50), "keeps enough to be recognised: " + kept);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("longNames")
  void aLegalLongNameIsStagedCommittedAndItsLeftoverRemoved(String what, String name) throws IOException {
    OutputFolder folder = OutputFolder.open(dir.toString(), new Configuration());
    try (OutputFolder.Staged staged = folder.stage("sub/" + name)) {
      staged.out().write(1);
      assertTrue(staged.commit(false), what);
    }
    assertEquals(1, Files.size(dir.resolve("sub").resolve(name)), what);

    // A temporary file left by a killed task is found by the cleanup.
    OutputFolder.Staged leftover = folder.stage("sub/" + name);
    leftover.out().write(2);
    assertEquals(1, OutputFolder.removeLeftovers(dir), what);
    try (Stream<Path> files = Files.list(dir.resolve("sub"))) {
      assertEquals(1, files.count(), what);
    }
    leftover.close();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("longNames")
  void aLostTasksLeftoverIsRemovedByItsFileAndAnotherFilesTemporaryFileIsKept(String what, String name)
      throws IOException {
    OutputFolder folder = OutputFolder.open(dir.toString(), null);
    try (OutputFolder.Staged done = folder.stage("sub/" + name)) {
      done.out().write(1);
      assertTrue(done.commit(false), what);
    }
    OutputFolder.Staged lost = folder.stage("sub/" + name);
    lost.out().write(2);
    // Another download's file in the same folder, still being written: not this download's to remove.
    try (OutputFolder.Staged other = folder.stage("sub/other-" + name.substring(0, Math.min(name.length(), 8)))) {
      other.out().write(3);
      assertEquals(1, folder.removeLeftovers(java.util.List.of("sub/" + name, "missing/x.txt")), what);
      try (Stream<Path> files = Files.list(dir.resolve("sub"))) {
        assertEquals(2, files.count(), what + ": the final file and the other's temporary file");
      }
      assertEquals(1, Files.size(dir.resolve("sub").resolve(name)), what);
    }
    lost.close();
  }
}

package io.github.amlspark.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OutputPathsTest {

  @ParameterizedTest
  @ValueSource(strings = {"1.txt", "abc/def/1.txt", "outputs/checkpoints/last.ckpt", ".hidden",
      "a/.b/c", "..a", "a..", "a/...", "a/..b/c..", "with space/ü-文件.bin", "x/y:z.json", "a%20b#c?d"})
  void acceptsNormalPathsUnchanged(String path) {
    assertEquals(path, OutputPaths.relativeFile(path));
  }

  @ParameterizedTest
  @ValueSource(strings = {"..", "../x", "a/../b", "a/..", "a/b/../../..", ".", "./a", "a/./b", "a/."})
  void rejectsDotSegments(String path) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OutputPaths.relativeFile(path));
    assertTrue(e.getMessage().contains("\"" + path + "\""), e.getMessage());
    assertTrue(e.getMessage().contains("segment"), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"/etc/passwd", "/a", "/"})
  void rejectsAbsolutePaths(String path) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OutputPaths.relativeFile(path));
    assertTrue(e.getMessage().contains("absolute"), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"a\\b", "..\\..\\x", "C:\\x", "\\\\server\\share"})
  void rejectsBackslashes(String path) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OutputPaths.relativeFile(path));
    assertTrue(e.getMessage().contains("backslash"), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"a//b", "a/", "a/b/", "a///"})
  void rejectsEmptySegments(String path) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OutputPaths.relativeFile(path));
    assertTrue(e.getMessage().contains("empty path segment"), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"a\u0000b", "a\nb", "a\rb", "tab\there", "del\u007f", "c1\u0085x"})
  void rejectsControlCharacters(String path) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OutputPaths.relativeFile(path));
    assertTrue(e.getMessage().contains("control character"), e.getMessage());
  }

  @org.junit.jupiter.api.Test
  void rejectsEmpty() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OutputPaths.relativeFile(""));
    assertTrue(e.getMessage().contains("empty"), e.getMessage());
    assertTrue(e.getMessage().contains("prefix") && e.getMessage().contains("pathGlobFilter"), e.getMessage());
  }

  @org.junit.jupiter.api.Test
  void aBlobBesideBlobsBelowItsNameIsRefusedNamingOneOfThem() {
    java.util.Map<String, String> refused = OutputPaths.folderConflicts(
        java.util.List.of("a", "a/b", "a/c/d", "a/c", "ab", "x/y", "x/y/z", "solo.txt", "q/r"));
    assertEquals(java.util.Set.of("a", "a/c", "x/y"), refused.keySet());
    assertTrue(refused.get("a").contains("\"a\"") && refused.get("a").contains("\"a/b\""), refused.get("a"));
    assertTrue(refused.get("a/c").contains("\"a/c/d\""), refused.get("a/c"));
    assertTrue(refused.get("x/y").contains("a file and a folder cannot share"), refused.get("x/y"));
    assertEquals(java.util.Map.of(), OutputPaths.folderConflicts(java.util.List.of("a.txt", "a/b", "A/b", "ab/c")));
  }
}

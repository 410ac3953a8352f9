package io.github.amlspark.transfer;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class BlobNamesTest {
  @ParameterizedTest
  @ValueSource(strings = {"a.txt", "baz/sub/1.txt", ".hidden", "a..b/c", "sp ace/ü-文件.bin", "p%41#q?.txt",
      "A.txt", "...three"})
  void acceptsNamesWrittenAsGiven(String name) {
    assertNull(BlobNames.problem(name));
    assertNull(BlobNames.problem("x".repeat(1020) + "/a.b"));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "a/../b       | '..' segment",
      "a/./b        | '.' segment",
      "..           | '..' segment",
      "a//b         | empty path segment",
      "/abs.txt     | empty path segment",
      "dir/         | empty path segment",
      "back\\\\slash | backslash",
      "trail./x     | end with a dot",
      "x.           | end with a dot"})
  void refusesWithTheReason(String name, String reason) {
    String problem = BlobNames.problem(name);
    assertTrue(problem != null && problem.contains(reason), name + ": " + problem);
  }

  @org.junit.jupiter.api.Test
  void refusesControlCharactersOverlongAndEmptyNames() {
    assertTrue(BlobNames.problem("tab\tname").contains("control character"));
    assertTrue(BlobNames.problem("nul\u0000").contains("control character"));
    assertTrue(BlobNames.problem("x".repeat(1025)).contains("1025 characters"));
    assertTrue(BlobNames.problem("").contains("empty"));
  }
}

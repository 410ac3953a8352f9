package io.github.amlspark.storage;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.amlspark.transfer.BlobEntry;
import org.junit.jupiter.api.Test;

class AzureRangeSourceTest {
  private static final BlobEntry BLOB = new BlobEntry("root/big.bin", "big.bin", 100, 0, null, "\"e\"");

  @Test
  void aPartialContentResponseIsUsedOnlyForTheRangeAskedFor() {
    assertNull(AzureRangeSource.rangeProblem(206, "bytes 10-19/100", BLOB, 10, 10));
    assertTrue(AzureRangeSource.rangeProblem(206, "bytes 0-9/100", BLOB, 10, 10).contains("bytes 0-9/100"));
    assertTrue(AzureRangeSource.rangeProblem(206, null, BLOB, 10, 10).contains("instead of"));
    assertTrue(AzureRangeSource.rangeProblem(206, "bytes 10-19/200", BLOB, 10, 10).contains("instead of"));
  }

  @Test
  void aWholeBodyIsUsedOnlyWhenTheWholeBlobWasAsked() {
    assertNull(AzureRangeSource.rangeProblem(200, null, BLOB, 0, 100));
    assertTrue(AzureRangeSource.rangeProblem(200, null, BLOB, 0, 50).contains("HTTP 200"));
    assertTrue(AzureRangeSource.rangeProblem(200, null, BLOB, 50, 50).contains("HTTP 200"));
  }
}

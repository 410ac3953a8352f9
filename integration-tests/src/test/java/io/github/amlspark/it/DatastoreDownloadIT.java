package io.github.amlspark.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.storage.blob.BlobContainerClient;
import io.github.amlspark.AzureMLFiles;
import io.github.amlspark.TransferReport;
import io.github.amlspark.TransferStatus;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatastoreDownloadIT {
  @TempDir
  Path dir;
  BlobContainerClient container;
  AzureMLFiles files;

  @BeforeEach
  void setUp() {
    container = TestEnvironment.newContainer("download");
    Path config = TestEnvironment.workspaceConfig(dir, "ds", container);
    files = AzureMLFiles.builder().spark(TestEnvironment.spark()).workspaceConfig(config.toString()).build();
  }

  @Test
  void seedExampleKeepsTheFullPathUnderTheOutputFolder() {
    TestEnvironment.put(container, "foo/bar/1.txt", "one".getBytes(StandardCharsets.UTF_8));
    TestEnvironment.put(container, "foo/bar/2.txt", "two".getBytes(StandardCharsets.UTF_8));
    TestEnvironment.put(container, "other/3.txt", "three".getBytes(StandardCharsets.UTF_8));
    Path outputs = dir.resolve("outputs");

    TransferReport report = files.downloadFromDatastore("ds", "foo/bar", outputs.toString());

    assertEquals(2, report.transferred());
    assertEquals(0, report.failed());
    assertArrayEquals("one".getBytes(StandardCharsets.UTF_8), TestEnvironment.read(outputs.resolve("foo/bar/1.txt")));
    assertArrayEquals("two".getBytes(StandardCharsets.UTF_8), TestEnvironment.read(outputs.resolve("foo/bar/2.txt")));
    assertFalse(Files.exists(outputs.resolve("other")));
    assertTrue(report.files().stream().allMatch(f -> f.status() == TransferStatus.TRANSFERRED));
  }
}

package io.github.amlspark.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.azure.storage.blob.BlobContainerClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Spark SQL: {@code CREATE TEMPORARY VIEW ... USING azureml OPTIONS (...)}, for reads and downloads. */
class SqlIT {
  @TempDir
  Path dir;

  @Test
  void temporaryViewsReadAndDownload() {
    BlobContainerClient container = TestEnvironment.newContainer("sql");
    TestEnvironment.put(container, "foo/bar/1.txt", "one".getBytes(StandardCharsets.UTF_8));
    TestEnvironment.put(container, "foo/bar/2.txt", "two".getBytes(StandardCharsets.UTF_8));
    Path config = TestEnvironment.workspaceConfig(dir, "ds", container);
    SparkSession spark = TestEnvironment.spark();

    spark.sql("CREATE OR REPLACE TEMPORARY VIEW aml_files USING azureml OPTIONS (workspaceConfig '" + config
        + "', datastore 'ds', prefix 'foo/bar')");
    DataFrames.assertSameRows(DataFrames.of("path STRING NOT NULL, length BIGINT NOT NULL, content BINARY",
            new Object[] {"foo/bar/1.txt", 3L, "one".getBytes(StandardCharsets.UTF_8)},
            new Object[] {"foo/bar/2.txt", 3L, "two".getBytes(StandardCharsets.UTF_8)}),
        spark.sql("SELECT path, length, content FROM aml_files"));

    Path out = dir.resolve("out");
    spark.sql("CREATE OR REPLACE TEMPORARY VIEW aml_download USING azureml OPTIONS (workspaceConfig '" + config
        + "', path 'azureml://datastores/ds/paths/foo/', outputFolder '" + out + "')");
    // No ORDER BY: a sort samples its input in a job of its own, which would be a second evaluation
    // (and so a second transfer, skipping what the first one wrote).
    List<Row> report = spark.sql("SELECT path, status FROM aml_download").collectAsList();
    assertEquals(List.of("TRANSFERRED", "TRANSFERRED"), report.stream().map(r -> r.getString(1)).toList());
    assertArrayEquals("one".getBytes(StandardCharsets.UTF_8), TestEnvironment.read(out.resolve("foo/bar/1.txt")));
  }

  @Test
  void insertIntoATemporaryViewUploads() {
    BlobContainerClient container = TestEnvironment.newContainer("sqlup");
    Path config = TestEnvironment.workspaceConfig(dir, "ds", container);
    SparkSession spark = TestEnvironment.spark();
    spark.sql("CREATE OR REPLACE TEMPORARY VIEW aml_upload USING azureml OPTIONS (workspaceConfig '" + config
        + "', datastore 'ds', path 'baz')");
    spark.sql("INSERT INTO aml_upload SELECT 'a.txt' AS path, CAST('alpha' AS BINARY) AS content");
    assertEquals("alpha", container.getBlobClient("baz/a.txt").downloadContent().toString());
  }
}

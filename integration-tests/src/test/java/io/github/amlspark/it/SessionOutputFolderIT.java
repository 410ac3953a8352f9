package io.github.amlspark.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.storage.blob.BlobContainerClient;
import io.github.amlspark.spark.Schemas;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A session-wide {@code spark.azureml.outputFolder} makes a read a download exactly as the option does:
 * the schema Spark reports and the rows the reader returns always agree, with the entry set and without.
 */
class SessionOutputFolderIT {
  private static final String ENTRY = "spark.azureml.outputFolder";

  @TempDir
  Path dir;
  BlobContainerClient container;
  Path config;

  @BeforeEach
  void setUp() {
    container = TestEnvironment.newContainer("sessionout");
    config = TestEnvironment.workspaceConfig(dir.resolve("cfg"), "ds", container);
    TestEnvironment.put(container, "f/one.txt", "one".getBytes(StandardCharsets.UTF_8));
  }

  private Dataset<Row> read(SparkSession spark) {
    return spark.read().format("azureml").option("workspaceConfig", config.toString())
        .option("datastore", "ds").option("prefix", "f/").load();
  }

  @Test
  void schemaAndRowsFollowTheSessionEntrySetOrUnset() throws IOException {
    SparkSession spark = TestEnvironment.spark();
    Path out = dir.resolve("out");
    try {
      spark.conf().set(ENTRY, out.toString());
      Dataset<Row> download = read(spark);
      assertEquals(Schemas.TRANSFER, download.schema());
      List<Row> rows = download.collectAsList();
      assertEquals(1, rows.size());
      Row row = rows.get(0);
      assertEquals("f/one.txt", row.getAs("path"));
      assertEquals("TRANSFERRED", row.getAs("status"));
      assertTrue(((String) row.getAs("file")).endsWith("one.txt"), row.toString());
      assertArrayEquals("one".getBytes(StandardCharsets.UTF_8), TestEnvironment.read(out.resolve("f/one.txt")));

      // The option beats the session entry.
      Path own = dir.resolve("own");
      Dataset<Row> ownFolder = spark.read().format("azureml").option("workspaceConfig", config.toString())
          .option("datastore", "ds").option("prefix", "f/").option("outputFolder", own.toString()).load();
      assertEquals(Schemas.TRANSFER, ownFolder.schema());
      assertEquals("TRANSFERRED", ownFolder.collectAsList().get(0).getAs("status"));
      assertArrayEquals("one".getBytes(StandardCharsets.UTF_8), TestEnvironment.read(own.resolve("f/one.txt")));
    } finally {
      spark.conf().unset(ENTRY);
    }

    Dataset<Row> listing = read(spark);
    assertEquals(Schemas.READ, listing.schema());
    List<Row> rows = listing.collectAsList();
    assertEquals(1, rows.size());
    assertEquals("f/one.txt", rows.get(0).getAs("path"));
    assertEquals(3L, (long) rows.get(0).getAs("length"));
    assertArrayEquals("one".getBytes(StandardCharsets.UTF_8), (byte[]) rows.get(0).getAs("content"));
  }

  @Test
  void aViewDefinedBeforeTheEntryChangedFailsClearlyRatherThanReturningMismatchedRows() {
    SparkSession spark = TestEnvironment.spark();
    spark.sql("CREATE OR REPLACE TEMPORARY VIEW session_out_files USING azureml OPTIONS (workspaceConfig '"
        + config + "', datastore 'ds', prefix 'f/')");
    try {
      spark.conf().set(ENTRY, dir.resolve("late").toString());
      IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
          () -> spark.sql("SELECT * FROM session_out_files").collectAsList());
      assertTrue(e.getMessage().contains("spark.azureml.outputFolder"), e.getMessage());
    } finally {
      spark.conf().unset(ENTRY);
      spark.catalog().dropTempView("session_out_files");
    }
  }
}

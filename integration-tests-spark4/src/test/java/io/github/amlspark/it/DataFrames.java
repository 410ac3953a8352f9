package io.github.amlspark.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;

/**
 * The Spark 4.0 suite's stand-in for integration-tests' {@code DataFrames}: spark-testing-base is built for
 * Scala 2.12 and Spark 3.5 only, so on Spark 4.0 the same comparison (same schema, same rows in any order,
 * binary columns by value) is made on the collected rows.
 */
final class DataFrames {
  private DataFrames() {
  }

  /**
   * @param ddl the schema, e.g. {@code "path STRING NOT NULL, content BINARY"}
   * @param rows the rows' values
   * @return a DataFrame on the shared session
   */
  static Dataset<Row> of(String ddl, Object[]... rows) {
    List<Row> list = Arrays.stream(rows).map(RowFactory::create).toList();
    return TestEnvironment.spark().createDataFrame(list, StructType.fromDDL(ddl));
  }

  /**
   * Same schema (names, types, nullability) and the same rows in any order, binary columns by value.
   *
   * @param expected what should be there
   * @param actual what is there
   */
  static void assertSameRows(Dataset<Row> expected, Dataset<Row> actual) {
    assertEquals(expected.schema(), actual.schema(), "schema");
    assertEquals(sorted(expected), sorted(actual), "rows");
  }

  private static List<String> sorted(Dataset<Row> rows) {
    return rows.collectAsList().stream().map(row -> {
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < row.length(); i++) {
        Object v = row.get(i);
        b.append(v instanceof byte[] bytes ? Arrays.toString(bytes) : String.valueOf(v)).append('\u0001');
      }
      return b.toString();
    }).sorted().toList();
  }
}

package io.github.amlspark.it;

import static org.junit.jupiter.api.Assertions.assertSame;

import com.holdenkarau.spark.testing.JavaDataFrameSuiteBase;
import com.holdenkarau.spark.testing.SparkSessionProvider;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;

/**
 * spark-testing-base's DataFrame comparisons for JUnit 5 tests, on the shared session. Its suite base
 * classes are JUnit 4 style (a {@code @Before} that starts a SparkContext of its own): here one instance
 * is made without running its setup and is handed {@link TestEnvironment}'s session, so only its
 * comparison helpers are used. They evaluate both DataFrames several times: compare reads and written
 * rows with them, never a download (each evaluation of which is a transfer).
 */
final class DataFrames {
  private static JavaDataFrameSuiteBase suite;

  private DataFrames() {
  }

  private static synchronized JavaDataFrameSuiteBase suite() {
    if (suite == null) {
      SparkSessionProvider._sparkSession_$eq(TestEnvironment.spark());
      suite = new JavaDataFrameSuiteBase();
    }
    assertSame(TestEnvironment.spark(), suite.spark(), "spark-testing-base must use the shared session");
    return suite;
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
    suite().assertDataFrameNoOrderEquals(expected, actual);
  }
}

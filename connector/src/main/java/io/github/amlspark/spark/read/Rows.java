package io.github.amlspark.spark.read;

import java.util.function.Function;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;

/** Builds the rows of a pruned schema: only the columns the query asked for, in its order. */
final class Rows {
  private Rows() {
  }

  /**
   * @param fields the read schema's column names
   * @param value a column's value in Spark's internal representation
   * @return the row
   */
  static InternalRow project(String[] fields, Function<String, Object> value) {
    Object[] values = new Object[fields.length];
    for (int i = 0; i < fields.length; i++) {
      values[i] = value.apply(fields[i]);
    }
    return new GenericInternalRow(values);
  }
}

package io.github.amlspark.spark.write;

import io.github.amlspark.config.WriteRequest;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.connector.write.SupportsTruncate;
import org.apache.spark.sql.connector.write.Write;
import org.apache.spark.sql.connector.write.WriteBuilder;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Checks a write's columns ({@code path} plus {@code content} or {@code sourceFile}) and refuses every
 * save mode but append, pointing to the {@code overwrite} option.
 */
public final class AzureMLWriteBuilder implements WriteBuilder, SupportsTruncate {
  /** What to do instead of a save mode other than append. */
  public static final String APPEND_ONLY = "The azureml source only appends files: use mode(\"append\"), "
      + "and the option overwrite=true|false|ifDifferent to say what happens to files that exist.";

  private final WriteRequest request;
  private final StructType schema;

  /**
   * @param request the parsed write
   * @param schema the rows' schema
   */
  public AzureMLWriteBuilder(WriteRequest request, StructType schema) {
    this.request = request;
    this.schema = schema;
  }

  @Override
  public WriteBuilder truncate() {
    throw new IllegalArgumentException(APPEND_ONLY);
  }

  @Override
  public Write build() {
    List<String> columns = Arrays.asList(schema.fieldNames());
    if (!columns.contains("path") || !schema.apply("path").dataType().equals(DataTypes.StringType)) {
      throw new IllegalArgumentException("Writing to azureml needs a 'path' column (STRING): the file's path "
          + "under the remote folder. Columns given: " + columns + ".");
    }
    boolean content = columns.contains("content");
    boolean sourceFile = columns.contains("sourceFile");
    if (content == sourceFile) {
      throw new IllegalArgumentException("Writing to azureml needs exactly one of the columns 'content' "
          + "(BINARY) and 'sourceFile' (STRING, a local path or Hadoop URI). Columns given: " + columns + ".");
    }
    if (content && !schema.apply("content").dataType().equals(DataTypes.BinaryType)
        || sourceFile && !schema.apply("sourceFile").dataType().equals(DataTypes.StringType)) {
      throw new IllegalArgumentException("Column 'content' must be BINARY and 'sourceFile' STRING.");
    }
    return new AzureMLWrite(request, schema);
  }
}

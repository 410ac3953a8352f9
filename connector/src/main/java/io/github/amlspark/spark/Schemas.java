package io.github.amlspark.spark;

import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/** The fixed schemas of the {@code azureml} source (API.md). */
public final class Schemas {
  /** Rows of a plain read: one per file. */
  public static final StructType READ = new StructType(new StructField[] {
      DataTypes.createStructField("path", DataTypes.StringType, false),
      DataTypes.createStructField("length", DataTypes.LongType, false),
      DataTypes.createStructField("modificationTime", DataTypes.TimestampType, false),
      DataTypes.createStructField("contentMd5", DataTypes.StringType, true),
      DataTypes.createStructField("content", DataTypes.BinaryType, true)});

  /** Rows of a download (a read with {@code outputFolder}) and of {@code TransferReport.toDataFrame()}. */
  public static final StructType TRANSFER = new StructType(new StructField[] {
      DataTypes.createStructField("path", DataTypes.StringType, false),
      DataTypes.createStructField("file", DataTypes.StringType, true),
      DataTypes.createStructField("length", DataTypes.LongType, false),
      DataTypes.createStructField("contentMd5", DataTypes.StringType, true),
      DataTypes.createStructField("status", DataTypes.StringType, false),
      DataTypes.createStructField("checksumVerified", DataTypes.BooleanType, false),
      DataTypes.createStructField("error", DataTypes.StringType, true)});

  /**
   * @param download whether the read is a download ({@code ReadConf.isDownload})
   * @return the schema of its rows
   */
  public static StructType of(boolean download) {
    return download ? TRANSFER : READ;
  }

  private Schemas() {
  }
}

package io.github.amlspark.transfer;

import java.net.URI;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * The local disk under another scheme ({@code amltest:}), so that tests exercise the Hadoop output path
 * (the one hdfs://, abfss:// and dbfs:/ folders take) without a cluster.
 */
public class SchemeLocalFileSystem extends RawLocalFileSystem {
  static final String SCHEME = "amltest";

  @Override
  public URI getUri() {
    return URI.create(SCHEME + ":///");
  }

  @Override
  public String getScheme() {
    return SCHEME;
  }

  static org.apache.hadoop.conf.Configuration conf() {
    org.apache.hadoop.conf.Configuration conf = new org.apache.hadoop.conf.Configuration();
    conf.set("fs." + SCHEME + ".impl", SchemeLocalFileSystem.class.getName());
    conf.setBoolean("fs." + SCHEME + ".impl.disable.cache", true);
    return conf;
  }
}

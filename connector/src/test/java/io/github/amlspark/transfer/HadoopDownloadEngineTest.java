package io.github.amlspark.transfer;

import java.io.IOException;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;

/** DownloadEngine into a folder on a Hadoop file system (the local disk under the amltest: scheme). */
class HadoopDownloadEngineTest extends DownloadEngineTest {
  @Override
  String folder(Path out) {
    return SchemeLocalFileSystem.SCHEME + ":" + out;
  }

  @Override
  Configuration conf() {
    return SchemeLocalFileSystem.conf();
  }

  @Test
  @Override
  void blobNameWithAColon() throws IOException {
    super.blobNameWithAColon();
  }
}

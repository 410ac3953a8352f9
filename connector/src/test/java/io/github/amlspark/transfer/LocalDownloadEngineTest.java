package io.github.amlspark.transfer;

import java.nio.file.Path;

/** DownloadEngine into a plain local path. */
class LocalDownloadEngineTest extends DownloadEngineTest {
  @Override
  String folder(Path out) {
    return out.toString();
  }
}

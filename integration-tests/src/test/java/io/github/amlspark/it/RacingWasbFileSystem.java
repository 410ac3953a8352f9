package io.github.amlspark.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.azure.NativeAzureFileSystem;

/**
 * hadoop-azure's WASB driver, with two one-shot faults armed by a test, injected when a temporary file
 * ({@code .*.amlspark.tmp}) is renamed onto a final path: what a concurrent writer or a flaky store can do
 * between a download's check of the final path and its rename.
 */
public class RacingWasbFileSystem extends NativeAzureFileSystem {
  /** The content of the file put in the folder that {@link #folderAppearsAt} creates. */
  static final String KEPT = "not yours";

  private static final AtomicReference<String> FOLDER_APPEARS = new AtomicReference<>();
  private static final AtomicReference<String> REFUSE_ONTO_NOTHING = new AtomicReference<>();

  /** @param finalPath just before a temporary file is renamed onto it, a folder with a file appears there */
  static void folderAppearsAt(String finalPath) {
    FOLDER_APPEARS.set(finalPath);
  }

  /** @param finalPath the next rename of a temporary file onto it, while nothing is there, is refused */
  static void refuseRenameOntoNothing(String finalPath) {
    REFUSE_ONTO_NOTHING.set(finalPath);
  }

  @Override
  public boolean rename(Path src, Path dst) throws IOException {
    if (src.getName().endsWith(".amlspark.tmp")) {
      String target = dst.toUri().getPath();
      if (take(FOLDER_APPEARS, target)) {
        mkdirs(dst);
        try (FSDataOutputStream out = create(new Path(dst, "keep.txt"))) {
          out.write(KEPT.getBytes(StandardCharsets.UTF_8));
        }
      }
      if (!exists(dst) && take(REFUSE_ONTO_NOTHING, target)) {
        return false;
      }
    }
    return super.rename(src, dst);
  }

  /** Disarms a fault armed for {@code target}, and says whether it was. */
  private static boolean take(AtomicReference<String> fault, String target) {
    String armed = fault.get();
    return target.equals(armed) && fault.compareAndSet(armed, null);
  }
}

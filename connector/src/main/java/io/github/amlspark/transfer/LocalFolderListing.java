package io.github.amlspark.transfer;

import io.github.amlspark.FileTransfer;
import io.github.amlspark.TransferStatus;
import java.io.IOException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.apache.hadoop.fs.GlobPattern;

/**
 * Lists a local folder for upload, on the driver, once: every file below it (symbolic links followed, a
 * link loop skipped rather than followed forever), mapped to its blob name under the remote path. The
 * folder's own name is not part of the blob names; sub-folders are kept.
 */
public final class LocalFolderListing {
  /** Azure's limit on a blob name's length. */
  private static final int MAX_BLOB_NAME = 1024;

  private final List<UploadItem> items = new ArrayList<>();
  private final List<FileTransfer> failures = new ArrayList<>();

  private LocalFolderListing() {
  }

  /**
   * @param folder an existing folder
   * @param remotePath the blob-name prefix ("" for the container root)
   * @param pathGlobFilter glob on file names, or null
   * @return the files to upload and those that cannot be (FAILED, with the reason)
   * @throws IOException when the folder cannot be walked at all
   */
  public static LocalFolderListing list(Path folder, String remotePath, String pathGlobFilter) throws IOException {
    LocalFolderListing listing = new LocalFolderListing();
    GlobPattern glob = pathGlobFilter == null ? null : new GlobPattern(pathGlobFilter);
    String prefix = normalise(remotePath);
    Path root = folder.toAbsolutePath().normalize();
    Files.walkFileTree(root, EnumSet.of(FileVisitOption.FOLLOW_LINKS), Integer.MAX_VALUE,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
            if (!attrs.isRegularFile() || glob != null && !glob.matches(file.getFileName().toString())) {
              return FileVisitResult.CONTINUE;
            }
            String relative = root.relativize(file).toString().replace('\\', '/');
            String blobName = prefix.isEmpty() ? relative : prefix + "/" + relative;
            String problem = blobNameProblem(blobName);
            if (problem != null) {
              listing.failures.add(new FileTransfer(blobName, file.toString(), attrs.size(), null,
                  TransferStatus.FAILED, false, "File " + file + " was not uploaded: " + problem + "."));
            } else if (!Files.isReadable(file)) {
              listing.failures.add(new FileTransfer(blobName, file.toString(), attrs.size(), null,
                  TransferStatus.FAILED, false, "File " + file + " is not readable; check its permissions."));
            } else {
              listing.items.add(new UploadItem(file.toString(), blobName, attrs.size()));
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException e) {
            String why = e instanceof FileSystemLoopException
                ? "it is a symbolic link that loops back to a folder above it; it was skipped"
                : "it could not be read (" + e.getClass().getSimpleName() + ")";
            String relative = root.relativize(file).toString().replace('\\', '/');
            listing.failures.add(new FileTransfer(prefix.isEmpty() ? relative : prefix + "/" + relative,
                file.toString(), 0, null, TransferStatus.FAILED, false, file + " was not uploaded: " + why + "."));
            return FileVisitResult.CONTINUE;
          }
        });
    return listing;
  }

  /** @return the files to upload */
  public List<UploadItem> items() {
    return items;
  }

  /** @return the files that cannot be uploaded, as FAILED results */
  public List<FileTransfer> failures() {
    return failures;
  }

  /** @return the remote path with forward slashes and no leading or trailing slash */
  static String normalise(String remotePath) {
    String p = remotePath == null ? "" : remotePath.replace('\\', '/');
    return p.replaceAll("/{2,}", "/").replaceAll("^/+|/+$", "");
  }

  private static String blobNameProblem(String name) {
    if (name.length() > MAX_BLOB_NAME) {
      return "its blob name would be " + name.length() + " characters, more than Azure's " + MAX_BLOB_NAME;
    }
    for (int i = 0; i < name.length(); i++) {
      if (Character.isISOControl(name.charAt(i))) {
        return "its name contains a control character, which a blob name cannot hold";
      }
    }
    if (name.endsWith(".") || name.contains("./")) {
      return "a blob name segment cannot end with a dot";
    }
    return null;
  }
}

package io.github.amlspark.transfer;

import io.github.amlspark.FileTransfer;
import io.github.amlspark.TransferStatus;
import java.io.IOException;
import java.net.URI;
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
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.GlobPattern;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.RemoteIterator;

/**
 * Lists a folder for upload, on the driver, once: every file below it mapped to its blob name under the
 * remote path. The folder's own name is not part of the blob names; sub-folders are kept. A local folder
 * is walked with java.nio (symbolic links followed, a link loop reported rather than followed forever);
 * any other URI through Hadoop's FileSystem. A file whose name cannot be a blob name, or that cannot be
 * read, is a FAILED result rather than an error for the whole listing.
 */
public final class FolderListing {
  private final List<UploadItem> items = new ArrayList<>();
  private final List<FileTransfer> failures = new ArrayList<>();
  private final String prefix;
  private final GlobPattern glob;

  private FolderListing(String remotePath, String pathGlobFilter) {
    this.prefix = normalise(remotePath);
    this.glob = pathGlobFilter == null ? null : new GlobPattern(pathGlobFilter);
  }

  /**
   * @param folder an existing local folder
   * @param remotePath the blob-name prefix ("" for the container root)
   * @param pathGlobFilter glob on file names, or null
   * @return the files to upload and those that cannot be (FAILED, with the reason)
   * @throws IOException when the folder cannot be walked at all
   */
  public static FolderListing local(Path folder, String remotePath, String pathGlobFilter) throws IOException {
    FolderListing listing = new FolderListing(remotePath, pathGlobFilter);
    Path root = folder.toAbsolutePath().normalize();
    Files.walkFileTree(root, EnumSet.of(FileVisitOption.FOLLOW_LINKS), Integer.MAX_VALUE,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
            // A dangling link is visited with the link's own attributes: not a regular file, yet it was
            // meant to be uploaded, so it is reported rather than silently left out.
            if (attrs.isSymbolicLink() && !Files.exists(file)) {
              listing.fail(relative(root, file), file.toString(), 0,
                  "it is a symbolic link to " + target(file) + ", which does not exist");
            } else if (attrs.isRegularFile()) {
              boolean readable = Files.isReadable(file);
              listing.add(relative(root, file), file.toString(), attrs.size(),
                  readable ? null : "it is not readable; check its permissions");
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException e) {
            listing.fail(relative(root, file), file.toString(), 0, e instanceof FileSystemLoopException
                ? "it is a symbolic link that loops back to a folder above it; it was skipped"
                : "it could not be read (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
            return FileVisitResult.CONTINUE;
          }
        });
    return listing;
  }

  /**
   * @param folder an existing folder behind a Hadoop URI (hdfs://, abfss://, dbfs:/, …)
   * @param conf the Hadoop configuration that reaches it
   * @param remotePath the blob-name prefix ("" for the container root)
   * @param pathGlobFilter glob on file names, or null
   * @return the files to upload, each named by its full URI, and those that cannot be
   * @throws IOException when the folder cannot be listed
   */
  public static FolderListing hadoop(URI folder, Configuration conf, String remotePath, String pathGlobFilter)
      throws IOException {
    FolderListing listing = new FolderListing(remotePath, pathGlobFilter);
    org.apache.hadoop.fs.Path root = new org.apache.hadoop.fs.Path(folder);
    FileSystem fs = root.getFileSystem(conf);
    URI rootUri = fs.makeQualified(root).toUri();
    RemoteIterator<LocatedFileStatus> files = fs.listFiles(root, true);
    while (files.hasNext()) {
      LocatedFileStatus status = files.next();
      URI file = status.getPath().toUri();
      String relative = rootUri.relativize(file).getPath();
      listing.add(relative, status.getPath().toString(), status.getLen(), null);
    }
    return listing;
  }

  private static String relative(Path root, Path file) {
    // Joined by name element: on Windows the separator becomes '/', while a backslash inside a Linux file
    // name stays in it, for the blob-name check to refuse rather than see a folder.
    StringBuilder relative = new StringBuilder();
    for (Path element : root.relativize(file)) {
      relative.append(relative.length() == 0 ? "" : "/").append(element);
    }
    return relative.toString();
  }

  private static String target(Path link) {
    try {
      return Files.readSymbolicLink(link).toString();
    } catch (IOException e) {
      return "a path that cannot be read";
    }
  }

  private void add(String relative, String source, long length, String unreadable) {
    String name = relative.substring(relative.lastIndexOf('/') + 1);
    if (glob != null && !glob.matches(name)) {
      return;
    }
    String problem = unreadable != null ? unreadable : BlobNames.problem(blobName(relative));
    if (problem != null) {
      fail(relative, source, length, problem);
    } else {
      items.add(new UploadItem(source, blobName(relative), length));
    }
  }

  private void fail(String relative, String source, long length, String why) {
    failures.add(new FileTransfer(blobName(relative), source, length, null, TransferStatus.FAILED, false,
        "File " + source + " was not uploaded: " + why + "."));
  }

  private String blobName(String relative) {
    return prefix.isEmpty() ? relative : prefix + "/" + relative;
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
}

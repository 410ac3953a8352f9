package io.github.amlspark.planning;

import io.github.amlspark.config.ReadRequest;
import io.github.amlspark.transfer.BlobEntry;
import io.github.amlspark.transfer.OutputFolder;
import io.github.amlspark.transfer.OutputPaths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The driver's part of a download before any file moves, wherever its tasks then run (Spark executors or
 * this JVM's threads): the output folder made ready, paths that clash refused, leftovers of stopped
 * downloads removed, and the files packed into tasks.
 */
public final class DownloadTasks {
  private static final Logger LOGGER = LoggerFactory.getLogger(DownloadTasks.class);

  private DownloadTasks() {
  }

  /**
   * One task's files.
   *
   * @param files the blobs the task handles
   * @param refused those of its files the driver refused (path to error): reported FAILED, never fetched
   */
  public record Task(List<BlobEntry> files, Map<String, String> refused) {
  }

  /**
   * @param request a download
   * @param plan its listing
   * @param hadoopConf the session's Hadoop configuration; null for a local output folder, which needs none
   * @param parallelism how many tasks can run at once
   * @return the tasks, none empty
   * @throws IllegalArgumentException when the output folder is a file
   * @throws UncheckedIOException when the output folder cannot be created
   */
  public static List<Task> plan(ReadRequest request, ReadPlan plan, Configuration hadoopConf, int parallelism) {
    String folder = request.transfer().outputFolder();
    prepareOutputFolder(folder, hadoopConf);
    Map<String, String> refused = OutputPaths.folderConflicts(plan.files().stream().map(BlobEntry::path).toList());
    removeLeftovers(folder, plan.files(), hadoopConf);
    List<List<BlobEntry>> packed = PartitionPlanner.pack(plan.files(), request.maxPartitionBytes(),
        request.openCostInBytes(), parallelism);
    List<Task> tasks = new ArrayList<>(packed.size());
    for (List<BlobEntry> files : packed) {
      Map<String, String> own = new HashMap<>();
      if (!refused.isEmpty()) {
        files.stream().filter(f -> refused.containsKey(f.path())).forEach(f -> own.put(f.path(), refused.get(f.path())));
      }
      tasks.add(new Task(files, own));
    }
    return tasks;
  }

  /** Fails before any transfer when the folder is a file; creates it when missing. */
  private static void prepareOutputFolder(String folder, Configuration hadoopConf) {
    try {
      if (OutputFolder.isLocal(folder)) {
        java.nio.file.Path local = java.nio.file.Path.of(OutputFolder.toUri(folder));
        if (java.nio.file.Files.exists(local) && !java.nio.file.Files.isDirectory(local)) {
          throw isAFile(folder);
        }
        java.nio.file.Files.createDirectories(local);
        return;
      }
      Path path = new Path(OutputFolder.toUri(folder));
      FileSystem fs = path.getFileSystem(hadoopConf);
      FileStatus status = fs.exists(path) ? fs.getFileStatus(path) : null;
      if (status != null && !status.isDirectory()) {
        throw isAFile(folder);
      }
      if (status == null && !fs.mkdirs(path)) {
        throw new IOException("mkdirs returned false");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Output folder " + folder + " could not be created: " + e.getMessage(), e);
    }
  }

  private static IllegalArgumentException isAFile(String folder) {
    return new IllegalArgumentException("Output folder " + folder + " exists and is a file. "
        + "Give a folder path (it is created when missing).");
  }

  /**
   * Deletes the partial files that killed tasks left beside these files: a task that dies with its
   * executor never deletes its temporary file. Called before a download's tasks run (earlier downloads'
   * leftovers) and after its Spark job (those of executors lost while it ran, whose tasks Spark ran again
   * elsewhere). Best effort: they never sit at a final path.
   *
   * @param folder the output folder
   * @param files the blobs the download writes
   * @param hadoopConf the session's Hadoop configuration; null for a local output folder
   */
  public static void removeLeftovers(String folder, List<BlobEntry> files, Configuration hadoopConf) {
    List<String> relative = new ArrayList<>(files.size());
    for (BlobEntry file : files) {
      try {
        relative.add(OutputPaths.relativeFile(file.path()));
      } catch (IllegalArgumentException unsafe) {
        // Never written: its task reports it FAILED.
      }
    }
    try {
      int removed = OutputFolder.open(folder, hadoopConf).removeLeftovers(relative);
      if (removed > 0) {
        LOGGER.info("Removed {} partial files that stopped tasks left in {}.", removed, folder);
      }
    } catch (IOException e) {
      LOGGER.warn("Could not remove the partial files stopped tasks left in {}: {}", folder, e.toString());
    }
  }
}

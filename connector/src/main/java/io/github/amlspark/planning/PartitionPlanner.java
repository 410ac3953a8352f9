package io.github.amlspark.planning;

import io.github.amlspark.config.UploadSettings;
import io.github.amlspark.transfer.BlobEntry;
import io.github.amlspark.transfer.UploadItem;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * Packs files into read tasks by size, as Spark's own file sources do: the split size is
 * {@code min(maxPartitionBytes, max(openCost, totalBytes / parallelism))}, every file costs its length
 * plus {@code openCost}, and files are placed largest first. Many small files thus spread over every
 * core, and a file larger than the split is a task of its own.
 */
public final class PartitionPlanner {
  private PartitionPlanner() {
  }

  /**
   * @param files the files to read
   * @param maxPartitionBytes the most bytes one task takes
   * @param openCost the cost charged per file
   * @param parallelism the cluster's default parallelism
   * @return the files of each task; no task is empty
   */
  public static List<List<BlobEntry>> pack(List<BlobEntry> files, long maxPartitionBytes, long openCost,
      int parallelism) {
    return pack(files, BlobEntry::length, maxPartitionBytes, openCost, parallelism);
  }

  /**
   * @param items an upload's listed files
   * @param settings its packing
   * @param parallelism how many tasks can run at once
   * @return the files of each upload task; no task is empty
   */
  public static List<List<UploadItem>> packUploads(List<UploadItem> items, UploadSettings settings,
      int parallelism) {
    return pack(items, UploadItem::length, settings.maxPartitionBytes(), settings.openCostInBytes(), parallelism);
  }

  /**
   * @param files the files to move, of any kind
   * @param length a file's length in bytes
   * @param maxPartitionBytes the most bytes one task takes
   * @param openCost the cost charged per file
   * @param parallelism the cluster's default parallelism
   * @param <T> the file type
   * @return the files of each task; no task is empty
   */
  public static <T> List<List<T>> pack(List<T> files, ToLongFunction<T> length, long maxPartitionBytes,
      long openCost, int parallelism) {
    long total = 0;
    for (T f : files) {
      total += length.applyAsLong(f) + openCost;
    }
    long bytesPerCore = total / Math.max(1, parallelism);
    long splitBytes = Math.min(maxPartitionBytes, Math.max(openCost, bytesPerCore));

    List<T> bySize = new ArrayList<>(files);
    bySize.sort(Comparator.comparingLong(length).reversed());
    List<List<T>> partitions = new ArrayList<>();
    List<T> current = new ArrayList<>();
    long currentSize = 0;
    for (T f : bySize) {
      long size = length.applyAsLong(f);
      if (!current.isEmpty() && currentSize + size > splitBytes) {
        partitions.add(current);
        current = new ArrayList<>();
        currentSize = 0;
      }
      current.add(f);
      currentSize += size + openCost;
    }
    if (!current.isEmpty()) {
      partitions.add(current);
    }
    return partitions;
  }
}

package io.github.amlspark.planning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.amlspark.transfer.BlobEntry;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PartitionPlannerTest {
  private static final long KIB = 1024;
  private static final long MIB = 1024 * KIB;
  private static final long MAX = 128 * MIB;
  private static final long OPEN = 4 * MIB;

  private static List<BlobEntry> files(int count, long length) {
    List<BlobEntry> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      out.add(new BlobEntry("n/f" + i, "f" + i, length, 0L, null, null));
    }
    return out;
  }

  private static void assertEveryFileOnceAndNoEmptyPartition(List<BlobEntry> files, List<List<BlobEntry>> parts) {
    List<BlobEntry> seen = new ArrayList<>();
    for (List<BlobEntry> p : parts) {
      assertFalse(p.isEmpty(), "empty partition");
      seen.addAll(p);
    }
    assertEquals(files.size(), seen.size());
    assertEquals(new HashSet<>(files), new HashSet<>(seen));
  }

  /**
   * Spark's FilePartition.getFilePartitions, written out independently: the split size is
   * min(maxPartitionBytes, max(openCost, sum(length + openCost) / parallelism)), and a partition is closed
   * before a file when currentSize + file.length > split, currentSize growing by length + openCost.
   */
  private static List<Integer> sparkPartitionSizes(List<Long> lengthsDescending, long max, long open, int par) {
    long total = lengthsDescending.stream().mapToLong(l -> l + open).sum();
    long split = Math.min(max, Math.max(open, total / par));
    List<Integer> sizes = new ArrayList<>();
    int count = 0;
    long size = 0;
    for (long len : lengthsDescending) {
      if (count > 0 && size + len > split) {
        sizes.add(count);
        count = 0;
        size = 0;
      }
      count++;
      size += len + open;
    }
    if (count > 0) {
      sizes.add(count);
    }
    return sizes;
  }

  @Test
  void manySmallFilesPackLikeSpark() {
    // 2000 × 16 KiB, parallelism 2: total = 2000 × (16 KiB + 4 MiB) ≈ 7.8 GiB, so bytesPerCore ≈ 3.9 GiB and
    // the split is maxPartitionBytes (128 MiB). A partition holding k files has size k × (4 MiB + 16 KiB);
    // the next file still fits while k × 4,210,688 + 16,384 <= 134,217,728, i.e. k <= 31, so each
    // partition takes 32 files: 62 partitions of 32 and one of 16 (63 in all).
    List<BlobEntry> files = files(2000, 16 * KIB);
    List<List<BlobEntry>> parts = PartitionPlanner.pack(files, MAX, OPEN, 2);
    assertEquals(63, parts.size());
    for (int i = 0; i < 62; i++) {
      assertEquals(32, parts.get(i).size(), "partition " + i);
    }
    assertEquals(16, parts.get(62).size());
    assertEveryFileOnceAndNoEmptyPartition(files, parts);
    for (List<BlobEntry> p : parts) {
      long cost = p.stream().mapToLong(f -> f.length() + OPEN).sum();
      assertTrue(cost - OPEN <= MAX, "a partition's bytes before its last open cost stay under the split");
    }
  }

  @Test
  void oneHugeFileIsItsOwnPartition() {
    List<BlobEntry> files = new ArrayList<>(files(10, 1 * MIB));
    BlobEntry huge = new BlobEntry("n/huge", "huge", 5L * 1024 * MIB, 0L, null, null);
    files.add(5, huge);
    List<List<BlobEntry>> parts = PartitionPlanner.pack(files, MAX, OPEN, 8);
    List<List<BlobEntry>> withHuge = parts.stream().filter(p -> p.contains(huge)).toList();
    assertEquals(1, withHuge.size());
    assertEquals(List.of(huge), withHuge.get(0));
    assertEveryFileOnceAndNoEmptyPartition(files, parts);
  }

  @Test
  void aFileLargerThanTheSplitAloneIsOnePartition() {
    BlobEntry big = new BlobEntry("n/big", "big", 10 * MAX, 0L, null, null);
    assertEquals(List.of(List.of(big)), PartitionPlanner.pack(List.of(big), MAX, OPEN, 4));
  }

  @Test
  void smallTotalsSpreadOverAllCores() {
    // 8 × 1 KiB, parallelism 4: split = max(4 MiB, 8 × (4 MiB + 1 KiB) / 4) = 8 MiB + 2 KiB, 2 files each.
    List<BlobEntry> files = files(8, KIB);
    List<List<BlobEntry>> parts = PartitionPlanner.pack(files, MAX, OPEN, 4);
    assertTrue(parts.size() >= 4, "parts: " + parts.size());
    assertEquals(4, parts.size());
    parts.forEach(p -> assertEquals(2, p.size()));
    assertEveryFileOnceAndNoEmptyPartition(files, parts);

    List<BlobEntry> tiny = files(16, 10);
    List<List<BlobEntry>> tinyParts = PartitionPlanner.pack(tiny, MAX, OPEN, 8);
    assertTrue(tinyParts.size() >= 8, "parts: " + tinyParts.size());
    assertEveryFileOnceAndNoEmptyPartition(tiny, tinyParts);
  }

  @Test
  void matchesSparksAlgorithmOnRandomInputs() {
    Random random = new Random(7);
    for (int round = 0; round < 200; round++) {
      int count = random.nextInt(300);
      int parallelism = 1 + random.nextInt(16);
      long max = (1 + random.nextInt(256)) * MIB;
      long open = random.nextInt(8 * (int) MIB);
      List<BlobEntry> files = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        long len = switch (random.nextInt(4)) {
          case 0 -> 0;
          case 1 -> random.nextInt((int) KIB);
          case 2 -> random.nextInt((int) (64 * MIB));
          default -> (long) (random.nextDouble() * 2048 * MIB);
        };
        files.add(new BlobEntry("n/f" + i, "f" + i, len, 0L, null, null));
      }
      List<List<BlobEntry>> parts = PartitionPlanner.pack(files, max, open, parallelism);
      assertEveryFileOnceAndNoEmptyPartition(files, parts);
      List<Long> sorted = files.stream().map(BlobEntry::length).sorted((a, b) -> Long.compare(b, a)).toList();
      assertEquals(sparkPartitionSizes(sorted, max, open, parallelism),
          parts.stream().map(List::size).toList(), "round " + round);
      // Largest first, as Spark places them.
      List<Long> placed = parts.stream().flatMap(List::stream).map(BlobEntry::length).toList();
      assertEquals(sorted, placed, "round " + round);
    }
  }

  @Test
  void noFilesNoPartitions() {
    assertTrue(PartitionPlanner.pack(List.of(), MAX, OPEN, 4).isEmpty());
  }

  @Test
  void zeroParallelismIsTreatedAsOne() {
    List<BlobEntry> files = files(3, MIB);
    List<List<BlobEntry>> parts = PartitionPlanner.pack(files, MAX, OPEN, 0);
    assertEquals(1, parts.size());
    assertEveryFileOnceAndNoEmptyPartition(files, parts);
  }

  @Test
  void inputListIsNotModified() {
    List<BlobEntry> files = new ArrayList<>(files(5, 1));
    files.add(new BlobEntry("n/big", "big", 100, 0L, null, null));
    List<BlobEntry> copy = List.copyOf(files);
    PartitionPlanner.pack(files, MAX, OPEN, 2);
    assertEquals(copy, files);
  }
}

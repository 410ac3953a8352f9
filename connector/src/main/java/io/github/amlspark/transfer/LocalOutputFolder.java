package io.github.amlspark.transfer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/** An output folder on this machine's file system, written through java.nio. */
final class LocalOutputFolder extends OutputFolder {
  /** Largest write handed to a file's channel; a large blob's streams write pieces of this size too. */
  private static final int WRITE_PIECE = 1024 * 1024;
  /** Internal, for the benchmark only: set to true, files are not forced to disk before and after the rename. */
  static final String NO_FORCE_PROPERTY = "amlspark.benchmark.noForce";
  private final Path root;
  private final Disk disk;
  // Folders this task already made sure of: one system call saved per file.
  private final Set<Path> folders = ConcurrentHashMap.newKeySet();
  // Folders renamed into since the last syncFolders: forced once each, not once per file.
  private final Set<Path> renamedInto = ConcurrentHashMap.newKeySet();

  LocalOutputFolder(Path root) {
    this(root, Disk.REAL);
  }

  LocalOutputFolder(Path root, Disk disk) {
    this.root = root;
    this.disk = disk;
  }

  private Path resolve(String relative) {
    return root.resolve(relative);
  }

  /**
   * Only the temporary files of these very files: another download into the same folder may be writing
   * its own files there meanwhile.
   */
  @Override
  public int removeLeftovers(Collection<String> relativeFiles) throws IOException {
    Map<Path, Set<String>> namesByFolder = new HashMap<>();
    for (String relative : relativeFiles) {
      Path file = resolve(relative);
      namesByFolder.computeIfAbsent(file.getParent(), f -> new HashSet<>()).add(file.getFileName().toString());
    }
    int removed = 0;
    for (Map.Entry<Path, Set<String>> folder : namesByFolder.entrySet()) {
      if (!Files.isDirectory(folder.getKey())) {
        continue;
      }
      try (DirectoryStream<Path> children = Files.newDirectoryStream(folder.getKey(),
          child -> leftoverOf(child.getFileName().toString(), folder.getValue()))) {
        for (Path child : children) {
          if (Files.deleteIfExists(child)) {
            removed++;
          }
        }
      }
    }
    return removed;
  }

  private static boolean leftoverOf(String name, Set<String> fileNames) {
    if (!isTemp(name)) {
      return false;
    }
    return fileNames.stream().anyMatch(fileName -> isTempOf(name, fileName));
  }

  @Override
  public String location(String relative) {
    return resolve(relative).toString();
  }

  @Override
  public Existing existing(String relative) throws IOException {
    try {
      BasicFileAttributes attrs = Files.readAttributes(resolve(relative), BasicFileAttributes.class);
      return new Existing(attrs.isDirectory(), attrs.size());
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  @Override
  InputStream open(String relative) throws IOException {
    return Files.newInputStream(resolve(relative));
  }

  /**
   * A file's stream that hands the channel at most {@link #WRITE_PIECE} bytes per write: the JDK copies a
   * heap array through a temporary direct buffer of the write's size that each thread keeps, so a 4 MiB
   * blob written at once would pin 4 MiB of native memory in every transfer thread.
   */
  private static OutputStream inPieces(OutputStream out) {
    return new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        out.write(b);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        for (int at = 0; at < len; at += WRITE_PIECE) {
          out.write(b, off + at, Math.min(WRITE_PIECE, len - at));
        }
      }

      @Override
      public void close() throws IOException {
        out.close();
      }
    };
  }

  @Override
  public Staged stage(String relative) throws IOException {
    Path target = resolve(relative);
    if (!folders.contains(target.getParent())) {
      Files.createDirectories(target.getParent());
      folders.add(target.getParent());
    }
    Path temp = target.resolveSibling(tempName(target.getFileName().toString()));
    // Readable too: a large blob's MD5 is computed by reading back what its streams wrote.
    FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
        StandardOpenOption.WRITE);
    // Unbuffered: the engine writes whole blobs or whole ranges, and a buffer per file costs more
    // (allocation and zeroing) than it saves.
    return new Staged(inPieces(Channels.newOutputStream(channel))) {
      // The force started ahead of the commit, if one is running: at most one per file at a time.
      private Future<?> ahead;

      @Override
      public FileChannel positional() {
        return channel;
      }

      @Override
      public synchronized void forceAhead() {
        if (ahead == null || ahead.isDone()) {
          ahead = TransferPool.get().submit(() -> {
            disk.force(channel);
            return null;
          });
        }
      }

      @Override
      void forceContent() throws IOException {
        Future<?> running;
        synchronized (this) {
          running = ahead;
        }
        if (running != null) {
          try {
            running.get();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while forcing " + target + " to disk");
          } catch (ExecutionException e) {
            // The force below reports the disk's failure, if it persists.
          }
        }
        disk.force(channel);
      }

      @Override
      boolean moveIntoPlace(boolean replace) throws IOException {
        try {
          // A rename within one folder: atomic, so readers see the old file or the new one, never half.
          if (replace) {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
          } else {
            Files.move(temp, target);
          }
        } catch (FileAlreadyExistsException taken) {
          return false;
        }
        renamedInto.add(target.getParent());
        return true;
      }

      @Override
      void deleteTemp() throws IOException {
        Files.deleteIfExists(temp);
      }
    };
  }

  /** Forces the entries of every folder a file was renamed into since the last call. */
  @Override
  public void syncFolders() throws IOException {
    for (Path folder : renamedInto) {
      renamedInto.remove(folder);
      disk.forceFolder(folder);
    }
  }

  /**
   * How a file's content and a folder's entries are forced to disk: a seam for tests, which cannot crash
   * the machine but can see what was forced, and when.
   */
  interface Disk {
    /** Forces with the system's calls, unless the benchmark's comparison runs turn that off. */
    Disk REAL = new Disk() {
      @Override
      public void force(FileChannel file) throws IOException {
        if (!Boolean.getBoolean(NO_FORCE_PROPERTY)) {
          file.force(false);
        }
      }

      @Override
      public void forceFolder(Path folder) throws IOException {
        if (Boolean.getBoolean(NO_FORCE_PROPERTY)) {
          return;
        }
        FileChannel dir;
        try {
          dir = FileChannel.open(folder, StandardOpenOption.READ);
        } catch (AccessDeniedException notOnThisPlatform) {
          // Windows cannot open a folder as a file; there the rename's durability is the file system's.
          return;
        }
        try (dir) {
          dir.force(true);
        }
      }
    };

    /**
     * @param file an open file
     * @throws IOException when its content cannot be forced
     */
    void force(FileChannel file) throws IOException;

    /**
     * @param folder a folder just renamed into
     * @throws IOException when its entries cannot be forced
     */
    void forceFolder(Path folder) throws IOException;
  }
}

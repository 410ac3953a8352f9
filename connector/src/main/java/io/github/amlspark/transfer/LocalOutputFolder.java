package io.github.amlspark.transfer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** An output folder on this machine's file system, written through java.nio. */
final class LocalOutputFolder extends OutputFolder {
  private final Path root;
  // Folders this task already made sure of: one system call saved per file.
  private final Set<Path> folders = ConcurrentHashMap.newKeySet();

  LocalOutputFolder(Path root) {
    this.root = root;
  }

  private Path resolve(String relative) {
    return root.resolve(relative);
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

  @Override
  public Staged stage(String relative) throws IOException {
    Path target = resolve(relative);
    if (!folders.contains(target.getParent())) {
      Files.createDirectories(target.getParent());
      folders.add(target.getParent());
    }
    Path temp = target.resolveSibling(tempName(target.getFileName().toString()));
    FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    // Unbuffered: the engine writes whole blobs or whole ranges, and a buffer per file costs more
    // (allocation and zeroing) than it saves.
    return new Staged(Channels.newOutputStream(channel)) {
      @Override
      public FileChannel positional() {
        return channel;
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
          return true;
        } catch (FileAlreadyExistsException taken) {
          return false;
        }
      }

      @Override
      void deleteTemp() throws IOException {
        Files.deleteIfExists(temp);
      }
    };
  }
}

package io.github.amlspark.storage;

import io.github.amlspark.transfer.BlobEntry;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.models.BlobItemProperties;
import com.azure.storage.blob.models.BlobListDetails;
import com.azure.storage.blob.models.BlobStorageException;
import com.azure.storage.blob.models.ListBlobsOptions;
import io.github.amlspark.auth.ContainerAccess;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.GlobPattern;

/** Lists the files under a prefix, on the driver, once per read. */
public final class BlobLister {
  private static final int PAGE_SIZE = 5000;

  private BlobLister() {
  }

  /**
   * @param access the container
   * @param root the datastore or run root inside the container ("" or ending in {@code /})
   * @param prefix prefix relative to the root
   * @param pathGlobFilter glob on file names, or null
   * @return the files, folder markers left out, in listing order
   * @throws IllegalArgumentException for a malformed glob
   * @throws io.github.amlspark.AzureMLException when the listing fails, with the reason
   */
  public static List<BlobEntry> list(ContainerAccess access, String root, String prefix,
      String pathGlobFilter) {
    GlobPattern glob = compile(pathGlobFilter);
    BlobContainerClient container = StorageClients.container(access);
    ListBlobsOptions options = new ListBlobsOptions().setPrefix(root + prefix)
        .setMaxResultsPerPage(PAGE_SIZE)
        .setDetails(new BlobListDetails().setRetrieveMetadata(true));
    List<BlobEntry> entries = new ArrayList<>();
    try {
      for (BlobItem item : container.listBlobs(options, null)) {
        if (isFolderMarker(item)) {
          continue;
        }
        String name = item.getName();
        if (glob != null && !glob.matches(name.substring(name.lastIndexOf('/') + 1))) {
          continue;
        }
        BlobItemProperties p = item.getProperties();
        entries.add(new BlobEntry(name, name.substring(root.length()), p.getContentLength(),
            p.getLastModified().toInstant().toEpochMilli(),
            p.getContentMd5() == null ? null : HexFormat.of().formatHex(p.getContentMd5()),
            p.getETag()));
      }
    } catch (BlobStorageException e) {
      throw StorageErrors.listingFailed(access, root + prefix, e);
    }
    return entries;
  }

  /**
   * @param access the container
   * @param prefix a blob-name prefix
   * @return whether no blob at all starts with it; asks for one name, not the whole listing
   */
  public static boolean noneUnder(ContainerAccess access, String prefix) {
    try {
      return !StorageClients.container(access)
          .listBlobs(new ListBlobsOptions().setPrefix(prefix).setMaxResultsPerPage(1), null)
          .iterableByPage().iterator().next().getValue().iterator().hasNext();
    } catch (BlobStorageException e) {
      throw StorageErrors.listingFailed(access, prefix, e);
    }
  }

  static boolean isFolderMarker(BlobItem item) {
    Map<String, String> metadata = item.getMetadata();
    boolean markedFolder = metadata != null && metadata.entrySet().stream()
        .anyMatch(e -> e.getKey().equalsIgnoreCase("hdi_isfolder") && "true".equalsIgnoreCase(e.getValue()));
    return markedFolder || item.getName().endsWith("/") && item.getProperties().getContentLength() == 0;
  }

  private static GlobPattern compile(String glob) {
    if (glob == null) {
      return null;
    }
    try {
      return new GlobPattern(glob);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("Option 'pathGlobFilter' is not a valid glob: '" + glob + "' ("
          + e.getMessage() + ").");
    }
  }
}

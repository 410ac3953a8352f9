package io.github.amlspark.storage;

import io.github.amlspark.transfer.BlobEntry;
import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpMethod;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.util.Context;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.BlobStorageException;
import com.azure.storage.blob.models.ListBlobsOptions;
import com.azure.storage.common.Utility;
import io.github.amlspark.auth.ContainerAccess;
import java.io.IOException;
import java.io.UncheckedIOException;
import io.github.amlspark.transfer.TransferPool;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.List;
import java.util.function.Consumer;
import javax.xml.stream.XMLStreamException;
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
    List<BlobEntry> entries = new ArrayList<>();
    forEach(access, root, prefix, pathGlobFilter, entries::add);
    return entries;
  }

  /** Streams the listing page by page: each blob is handed on as its page's XML is read. */
  private static void forEach(ContainerAccess access, String root, String prefix, String pathGlobFilter,
      Consumer<BlobEntry> files) {
    GlobPattern glob = compile(pathGlobFilter);
    BlobContainerClient container = StorageClients.container(access);
    ListBlobsXml.Sink sink = (name, length, lastModified, md5, etag, folderMarker) -> {
      if (!folderMarker && (glob == null || glob.matches(name.substring(name.lastIndexOf('/') + 1)))) {
        files.accept(new BlobEntry(name, name.substring(root.length()), length, lastModified, md5, etag));
      }
    };
    // Pipelined: the next page is fetched while this one is read on another thread (the NextMarker is
    // found in the page's bytes first), so the service's time and the client's overlap.
    String marker = "";
    Future<String> reading = null;
    String readingNext = null;
    try {
      do {
        byte[] body = page(container, root + prefix, marker);
        String next = ListBlobsXml.nextMarker(body);
        awaitRead(reading, readingNext, root + prefix);
        reading = TransferPool.get().submit(() -> ListBlobsXml.read(new ByteArrayInputStream(body), sink));
        readingNext = next;
        marker = next;
      } while (!marker.isEmpty());
      awaitRead(reading, readingNext, root + prefix);
    } catch (BlobStorageException e) {
      throw StorageErrors.listingFailed(access, root + prefix, e);
    } finally {
      if (reading != null) {
        reading.cancel(true);
      }
    }
  }

  /** Waits for a page to be read, and checks that its NextMarker is the one the next request used. */
  private static void awaitRead(Future<String> reading, String expectedNext, String prefix) {
    if (reading == null) {
      return;
    }
    String next;
    try {
      next = reading.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while listing prefix \"" + prefix + "\".", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw unreadable(prefix, e.getCause());
    }
    if (!next.equals(expectedNext)) {
      throw unreadable(prefix, new XMLStreamException("its NextMarker was read as two different values"));
    }
  }

  private static UncheckedIOException unreadable(String prefix, Throwable cause) {
    return new UncheckedIOException(new IOException("The List Blobs response for prefix \"" + prefix
        + "\" could not be read: " + cause.getMessage(), cause));
  }

  /**
   * One List Blobs request through the client's pipeline (its SAS, retries and timeouts), metadata
   * included: a hdi_isfolder marker is known only by it.
   *
   * @return the page's XML
   */
  private static byte[] page(BlobContainerClient container, String prefix, String marker) {
    String url = container.getBlobContainerUrl() + "?restype=container&comp=list&include=metadata&maxresults="
        + PAGE_SIZE + "&prefix=" + Utility.urlEncode(prefix)
        + (marker.isEmpty() ? "" : "&marker=" + Utility.urlEncode(marker));
    HttpRequest request = new HttpRequest(HttpMethod.GET, url)
        .setHeader(HttpHeaderName.fromString("x-ms-version"), container.getServiceVersion().getVersion());
    try (HttpResponse response = container.getHttpPipeline().sendSync(request, Context.NONE)) {
      if (response.getStatusCode() != 200) {
        throw new BlobStorageException("List Blobs answered " + response.getStatusCode(), response, null);
      }
      return response.getBodyAsBinaryData().toBytes();
    }
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

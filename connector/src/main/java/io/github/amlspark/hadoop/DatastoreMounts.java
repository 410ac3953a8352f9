package io.github.amlspark.hadoop;

import io.github.amlspark.AzureMLException;
import io.github.amlspark.AddressNotFoundException;
import io.github.amlspark.DatastoreNotFoundException;
import io.github.amlspark.RunNotFoundException;
import io.github.amlspark.auth.ContainerAccess;
import io.github.amlspark.config.AmlOptions;
import io.github.amlspark.config.OptionLookup;
import io.github.amlspark.config.ReadConf;
import io.github.amlspark.storage.SasIssuer;
import io.github.amlspark.workspace.AddressResolver;
import io.github.amlspark.workspace.AzureMLAddress;
import io.github.amlspark.workspace.DatastoreResolver;
import io.github.amlspark.workspace.DatastoreSpec;
import io.github.amlspark.workspace.ResolvedWorkspace;
import io.github.amlspark.workspace.WorkspaceLocator;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;

/**
 * How address roots become mounts, and the Hadoop configuration entries that carry them from the driver to
 * executors. The driver resolves a root (workspace, datastore, credential: amlspark's own order) and signs a
 * SAS scoped to the datastore's container; the entries it writes hold only the container's WASB (or ABFS)
 * location, that SAS and its expiry. Executors read those entries and never resolve anything.
 */
final class DatastoreMounts {
  /** Prefix of the Hadoop entries that carry the connector's options, e.g. {@code fs.azureml.workspaceConfig}. */
  static final String OPTION_PREFIX = "fs.azureml.";
  /** Prefix of the entries naming each resolved root's storage location. */
  static final String MOUNT_PREFIX = "fs.azureml.mount.";
  /** Suffix of a mount entry's expiry (epoch milliseconds) entry. */
  static final String EXPIRES_SUFFIX = ".expires";
  /**
   * Hadoop's per-scheme cache switch: every {@code FileSystem.get} then builds an instance from the caller's
   * configuration, so an executor's task sees the SAS its own job's configuration carries.
   */
  static final String DISABLE_CACHE = "fs.azureml.impl.disable.cache";
  /**
   * Which of hadoop-azure's file systems reaches ADLS Gen2 datastores: {@code wasb} (the default: their blob
   * endpoint, as for blob datastores) or {@code abfs} (their DFS endpoint, through ABFS with a SAS).
   */
  static final String ADLS_GEN2_DRIVER = "fs.azureml.adlsGen2Driver";

  private DatastoreMounts() {
  }

  /**
   * @param conf a Hadoop configuration
   * @param address an address
   * @return the mount the configuration carries for the address's root, or null
   */
  static Mount fromConf(Configuration conf, Address address) {
    String key = mountKey(address, conf);
    String root = conf.get(key);
    if (root == null) {
      return null;
    }
    return new Mount(address.authority(), address.rootPath(), URI.create(root), conf.getLong(key + EXPIRES_SUFFIX, 0));
  }

  /**
   * @param address an address
   * @param conf a Hadoop configuration
   * @return the key of the entry naming the address root's storage location. It includes a digest of the
   *     options that choose the workspace (a short address names another datastore when they change) and the
   *     storage driver.
   */
  static String mountKey(Address address, Configuration conf) {
    OptionLookup options = options(conf);
    String workspace = Stream.of(AmlOptions.WORKSPACE_CONFIG, AmlOptions.SUBSCRIPTION_ID,
        AmlOptions.RESOURCE_GROUP, AmlOptions.WORKSPACE_NAME).map(k -> options.get(k).orElse(""))
        .collect(Collectors.joining("|")) + "|" + conf.getTrimmed(ADLS_GEN2_DRIVER, "");
    return MOUNT_PREFIX + Integer.toHexString(workspace.hashCode()) + "." + address.rootString();
  }

  /**
   * @param conf a Hadoop configuration
   * @return how long SAS signed for the file system stay valid ({@code fs.azureml.sasTtl}, default 8h)
   */
  static Duration sasTtl(Configuration conf) {
    return ReadConf.sasTtl(options(conf));
  }

  /**
   * A resolved root: its mount and the configuration entries that let any JVM reach it.
   *
   * @param mount the mount
   * @param entries the location, SAS and expiry entries, plus {@link #DISABLE_CACHE}
   */
  record Resolved(Mount mount, Map<String, String> entries) {
  }

  /**
   * Driver only: resolves an address root with the {@code fs.azureml.*} options of the configuration.
   *
   * @param address the address
   * @param conf the configuration whose options apply
   * @return its mount and entries
   * @throws FileNotFoundException when the datastore, job, output, data asset or version does not exist,
   *     naming those that do
   * @throws IOException when the workspace, credential or SAS cannot be had, or the datastore is not on
   *     an endpoint WASB (or ABFS) addresses
   */
  static Resolved resolve(Address address, Configuration conf) throws IOException {
    OptionLookup options = options(conf);
    Location location = locate(address.root(), options);
    StorageLocation storage = storage(location.datastore(), conf);
    URI storageRoot = storage.root().resolve(absolutePath(location.path()));
    Duration ttl = ReadConf.sasTtl(options);
    long expires = System.currentTimeMillis() + ttl.toMillis();
    ContainerAccess access;
    try {
      access = SasIssuer.issue(location.datastore(), SasIssuer.fileSystem(), ttl);
    } catch (AzureMLException e) {
      throw new IOException(e.getMessage(), e);
    }
    Map<String, String> entries = new LinkedHashMap<>();
    String key = mountKey(address, conf);
    entries.put(key, storageRoot.toString());
    entries.put(key + EXPIRES_SUFFIX, Long.toString(expires));
    entries.putAll(storage.entries(access.sas().reveal()));
    entries.put(DISABLE_CACHE, "true");
    return new Resolved(new Mount(address.authority(), address.rootPath(), storageRoot, expires), entries);
  }

  /**
   * @param datastore a resolved datastore
   * @param conf the Hadoop configuration
   * @return its container's location for WASB, or for ABFS when it is ADLS Gen2 and {@value #ADLS_GEN2_DRIVER}
   *     says {@code abfs}
   */
  static StorageLocation storage(DatastoreSpec datastore, Configuration conf) throws IOException {
    String driver = conf.getTrimmed(ADLS_GEN2_DRIVER, "wasb").toLowerCase(Locale.ROOT);
    return switch (driver) {
      case "wasb" -> WasbLocation.of(datastore, conf);
      case "abfs" -> datastore.adlsGen2() ? AbfsLocation.of(datastore) : WasbLocation.of(datastore, conf);
      default -> throw new IOException(ADLS_GEN2_DRIVER + " is '" + driver + "': use wasb (the default) or abfs.");
    };
  }

  /**
   * @param datastore the datastore an address root resolved to
   * @param path the folder ("" for the datastore's root, else ending in {@code /}) or file in it
   */
  private record Location(DatastoreSpec datastore, String path) {
  }

  /**
   * The one place an address root is mapped to a datastore path: a datastore root as it is; a job output,
   * a job's artifacts or a data asset version through {@link AddressResolver} (Azure Resource Manager).
   *
   * @param root an address root
   * @param options the {@code fs.azureml.*} options
   * @return the datastore, resolved, and the path in it
   * @throws FileNotFoundException when the datastore, job, output, data asset or version does not exist,
   *     naming those that do
   */
  private static Location locate(AzureMLAddress root, OptionLookup options) throws IOException {
    try {
      ResolvedWorkspace workspace = WorkspaceLocator.ofProcess()
          .locate(ReadConf.workspaceRequest(options, root.workspace()));
      AddressResolver.DatastorePath place = AddressResolver.resolve(workspace, root);
      return new Location(DatastoreResolver.resolve(workspace, place.datastore()), place.path());
    } catch (DatastoreNotFoundException | RunNotFoundException | AddressNotFoundException e) {
      FileNotFoundException notFound = new FileNotFoundException(e.getMessage());
      notFound.initCause(e);
      throw notFound;
    } catch (AzureMLException | IllegalArgumentException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  /** @return a blob-name path as an absolute URI path, percent-encoded where URIs need it */
  private static String absolutePath(String path) {
    try {
      return new URI(null, null, "/" + path, null).getRawPath();
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("Not a blob name: " + path, e);
    }
  }

  private static OptionLookup options(Configuration conf) {
    return OptionLookup.of(conf.getPropsWithPrefix(OPTION_PREFIX), Map.of());
  }
}

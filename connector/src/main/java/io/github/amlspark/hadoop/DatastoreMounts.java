package io.github.amlspark.hadoop;

import io.github.amlspark.AzureMLException;
import io.github.amlspark.DatastoreNotFoundException;
import io.github.amlspark.auth.ContainerAccess;
import io.github.amlspark.config.AmlOptions;
import io.github.amlspark.workspace.AzureMLAddress;
import io.github.amlspark.config.OptionLookup;
import io.github.amlspark.config.ReadConf;
import io.github.amlspark.storage.SasIssuer;
import io.github.amlspark.workspace.DatastoreResolver;
import io.github.amlspark.workspace.DatastoreSpec;
import io.github.amlspark.workspace.ResolvedWorkspace;
import io.github.amlspark.workspace.WorkspaceLocator;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;

/**
 * How address roots become mounts, and the Hadoop configuration entries that carry them from the driver to
 * executors. The driver resolves a root (workspace, datastore, credential: amlspark's own order) and signs a
 * SAS scoped to the datastore's container; the entries it writes hold only the container's WASB location,
 * that SAS and its expiry. Executors read those entries and never resolve anything.
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
   *     options that choose the workspace: a short address names another datastore when they change.
   */
  static String mountKey(Address address, Configuration conf) {
    OptionLookup options = options(conf);
    String workspace = Stream.of(AmlOptions.WORKSPACE_CONFIG, AmlOptions.SUBSCRIPTION_ID,
        AmlOptions.RESOURCE_GROUP, AmlOptions.WORKSPACE_NAME).map(k -> options.get(k).orElse(""))
        .collect(Collectors.joining("|"));
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
   * @throws FileNotFoundException when the datastore does not exist, naming those that do
   * @throws IOException when the workspace, credential or SAS cannot be had, or the datastore is not on
   *     an endpoint WASB addresses
   */
  static Resolved resolve(Address address, Configuration conf) throws IOException {
    OptionLookup options = options(conf);
    DatastoreSpec datastore = datastore(address.root(), options);
    WasbLocation wasb = WasbLocation.of(datastore, conf);
    Duration ttl = ReadConf.sasTtl(options);
    long expires = System.currentTimeMillis() + ttl.toMillis();
    ContainerAccess access;
    try {
      access = SasIssuer.issue(datastore, SasIssuer.fileSystem(), ttl);
    } catch (AzureMLException e) {
      throw new IOException(e.getMessage(), e);
    }
    Map<String, String> entries = new LinkedHashMap<>();
    String key = mountKey(address, conf);
    entries.put(key, wasb.root().toString());
    entries.put(key + EXPIRES_SUFFIX, Long.toString(expires));
    entries.put(wasb.sasKey(), access.sas().reveal());
    entries.put(DISABLE_CACHE, "true");
    return new Resolved(new Mount(address.authority(), address.rootPath(), wasb.root(), expires), entries);
  }

  /**
   * The one place an address root is mapped to a datastore: re-point it when more address forms name one.
   *
   * @param root an address root
   * @param options the {@code fs.azureml.*} options
   * @return the datastore it names, resolved
   */
  private static DatastoreSpec datastore(AzureMLAddress root, OptionLookup options) throws IOException {
    if (root.kind() != AzureMLAddress.Kind.DATASTORE) {
      throw new IOException("The azureml file system serves datastore addresses "
          + "(azureml://datastores/<datastore>/paths/...), not " + root.describe() + "; read job outputs and "
          + "data assets with format(\"azureml\").load(address) or download them (docs/addresses.md).");
    }
    try {
      ResolvedWorkspace workspace = WorkspaceLocator.ofProcess()
          .locate(ReadConf.workspaceRequest(options, root.workspace()));
      return DatastoreResolver.resolve(workspace, root.datastore());
    } catch (DatastoreNotFoundException e) {
      FileNotFoundException notFound = new FileNotFoundException(e.getMessage());
      notFound.initCause(e);
      throw notFound;
    } catch (AzureMLException | IllegalArgumentException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  private static OptionLookup options(Configuration conf) {
    return OptionLookup.of(conf.getPropsWithPrefix(OPTION_PREFIX), Map.of());
  }
}

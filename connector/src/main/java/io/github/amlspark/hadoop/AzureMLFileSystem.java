package io.github.amlspark.hadoop;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.AccessDeniedException;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.UnsupportedFileSystemException;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.util.Progressable;

/**
 * The {@code azureml} Hadoop FileSystem: {@code azureml://datastores/<ds>/paths/<p>},
 * {@code azureml://jobs/<job>/outputs/<name>/paths/<p>}, {@code azureml://data/<asset>/versions/<v>/<p>} and
 * their workspace-qualified forms ({@code azureml://subscriptions/<s>/resourcegroups/<rg>/workspaces/<w>/…})
 * for Spark's file sources and sinks and for {@code FileSystem.get(uri, conf)}. Hadoop gives one instance per
 * authority ({@code datastores}, {@code jobs}, {@code data} or {@code subscriptions}); it serves every
 * address, each through a hadoop-azure file system (WASB; ABFS for ADLS Gen2 datastores when
 * {@code fs.azureml.adlsGen2Driver=abfs}) over the container its datastore path is in. Paths it returns are
 * {@code azureml://} paths under the address they were listed from. Job outputs and data assets are read
 * only. Options come from the Hadoop entries {@code fs.azureml.<option>} (workspaceConfig, subscriptionId,
 * resourceGroup, workspaceName, credentialProvider, sasTtl, adlsGen2Driver); with none, the usual workspace
 * discovery applies.
 */
public class AzureMLFileSystem extends FileSystem {
  /** The URI scheme. */
  public static final String SCHEME = "azureml";

  /**
   * Storage file systems by container and SAS expiry, shared by this JVM's instances: an instance is made per
   * {@code FileSystem.get} (so it sees its caller's configuration), a storage client only per SAS.
   */
  private static final ConcurrentMap<String, FileSystem> STORAGE = new ConcurrentHashMap<>();

  private final Map<String, Mount> mounts = new ConcurrentHashMap<>();
  private URI uri;
  private Path workingDirectory;

  /** Hadoop makes instances through this constructor and then calls {@link #initialize}. */
  public AzureMLFileSystem() {
  }

  @Override
  public void initialize(URI name, Configuration conf) throws IOException {
    super.initialize(name, conf);
    setConf(conf);
    uri = URI.create(SCHEME + "://" + (name.getAuthority() == null ? "" : name.getAuthority()));
    workingDirectory = new Path(uri.toString() + "/");
    if (!DriverSession.isExecutor()) {
      // From now on the session's jobs make an instance per FileSystem.get, from their own configuration.
      DriverSession.publish(Map.of(DatastoreMounts.DISABLE_CACHE, "true"));
    }
  }

  @Override
  public String getScheme() {
    return SCHEME;
  }

  @Override
  public URI getUri() {
    return uri;
  }

  @Override
  public FSDataInputStream open(Path f, int bufferSize) throws IOException {
    Target t = target(f);
    return t.storage().open(t.path(), bufferSize);
  }

  @Override
  public FSDataOutputStream create(Path f, FsPermission permission, boolean overwrite, int bufferSize,
      short replication, long blockSize, Progressable progress) throws IOException {
    Target t = writeTarget(f);
    return t.storage().create(t.path(), permission, overwrite, bufferSize, replication, blockSize, progress);
  }

  @Override
  public FSDataOutputStream append(Path f, int bufferSize, Progressable progress) throws IOException {
    throw new UnsupportedOperationException("The azureml file system cannot append to " + f
        + ": write a new file instead.");
  }

  @Override
  public boolean rename(Path src, Path dst) throws IOException {
    Target from = writeTarget(src);
    Target to = writeTarget(dst);
    if (!from.mount().container().equals(to.mount().container())) {
      throw new IOException("Cannot rename " + src + " to " + dst + ": both must be in the same datastore.");
    }
    return from.storage().rename(from.path(), to.path());
  }

  @Override
  public boolean delete(Path f, boolean recursive) throws IOException {
    Target t = writeTarget(f);
    return t.storage().delete(t.path(), recursive);
  }

  @Override
  public FileStatus[] listStatus(Path f) throws IOException {
    Target t = target(f);
    try {
      FileStatus[] listed = t.storage().listStatus(t.path());
      FileStatus[] out = new FileStatus[listed.length];
      for (int i = 0; i < listed.length; i++) {
        out[i] = t.toAddress(listed[i]);
      }
      return out;
    } catch (FileNotFoundException e) {
      throw notFound(f, e);
    }
  }

  @Override
  public boolean mkdirs(Path f, FsPermission permission) throws IOException {
    Target t = writeTarget(f);
    return t.storage().mkdirs(t.path(), permission);
  }

  @Override
  public FileStatus getFileStatus(Path f) throws IOException {
    Target t = target(f);
    try {
      return t.toAddress(t.storage().getFileStatus(t.path()));
    } catch (FileNotFoundException e) {
      throw notFound(f, e);
    }
  }

  /** An unknown datastore is an error naming the known ones, not a path that does not exist. */
  @Override
  public boolean exists(Path f) throws IOException {
    Target t = target(f);
    return t.storage().exists(t.path());
  }

  @Override
  public Path getWorkingDirectory() {
    return workingDirectory;
  }

  @Override
  public void setWorkingDirectory(Path dir) {
    workingDirectory = makeQualified(dir);
  }

  /** No delegation tokens: executors reach storage with the SAS the driver put in the configuration. */
  @Override
  public String getCanonicalServiceName() {
    return null;
  }

  /** A path's mount, its storage file system and its storage path. */
  private record Target(Mount mount, FileSystem storage, Path path) {
    FileStatus toAddress(FileStatus status) throws IOException {
      FileStatus out = new FileStatus(status);
      out.setPath(mount.toAddress(status.getPath()));
      return out;
    }
  }

  /**
   * @return the target of a create, mkdirs, rename or delete
   * @throws AccessDeniedException for a job output, a job's artifacts or a data asset: Azure ML records
   *     them as what a job wrote or an asset holds, so they are read here, not changed
   */
  private Target writeTarget(Path f) throws IOException {
    Address address = Address.of(makeQualified(f));
    if (!address.writable()) {
      throw new AccessDeniedException(f.toString(), null, "the azureml file system reads "
          + address.root().describe() + " but does not change it: job outputs and data assets are read-only "
          + "records. Write to a datastore path (azureml://datastores/<datastore>/paths/<path>) instead.");
    }
    return target(address);
  }

  private Target target(Path f) throws IOException {
    return target(Address.of(makeQualified(f)));
  }

  private Target target(Address address) throws IOException {
    String key = DatastoreMounts.mountKey(address, getConf());
    Mount mount = mounts.compute(key, (k, known) -> usable(known) ? known : null);
    if (mount == null) {
      mount = mount(address);
      mounts.put(key, mount);
    }
    return new Target(mount, storage(mount), mount.toStorage(address.relative()));
  }

  /**
   * The configuration's mount when it is still valid (on the driver: for at least half of {@code sasTtl}),
   * else, on the driver only, a fresh resolution, published to the session's jobs.
   */
  private Mount mount(Address address) throws IOException {
    Mount carried = DatastoreMounts.fromConf(getConf(), address);
    if (usable(carried)) {
      return carried;
    }
    if (DriverSession.isExecutor()) {
      throw new IOException("No valid access to " + address.rootString() + " reached this executor"
          + (carried == null ? "" : " (the driver's SAS expired; raise fs.azureml.sasTtl for longer jobs)")
          + ": the driver resolves datastores and hands executors a SAS through the job's Hadoop configuration. "
          + "Use the path in the driver (spark.read / df.write) before tasks open it.");
    }
    DatastoreMounts.Resolved resolved = DatastoreMounts.resolve(address, getConf());
    resolved.entries().forEach(getConf()::set);
    DriverSession.publish(resolved.entries());
    return resolved.mount();
  }

  private boolean usable(Mount mount) {
    if (mount == null) {
      return false;
    }
    long left = mount.expiresAtMillis() - System.currentTimeMillis();
    return DriverSession.isExecutor() ? left > 0 : left > DatastoreMounts.sasTtl(getConf()).toMillis() / 2;
  }

  private FileSystem storage(Mount mount) throws IOException {
    String key = mount.container() + "|" + mount.expiresAtMillis();
    FileSystem fs = STORAGE.get(key);
    if (fs != null) {
      return fs;
    }
    try {
      fs = FileSystem.newInstance(mount.container(), getConf());
    } catch (UnsupportedFileSystemException e) {
      throw new IOException("The azureml file system reads and writes through hadoop-azure's WASB or ABFS "
          + "file system, which is not on the classpath (" + e.getMessage() + "). Add org.apache.hadoop:hadoop-azure "
          + "of the cluster's Hadoop version (Databricks and Azure's Spark images include it).", e);
    }
    FileSystem raced = STORAGE.putIfAbsent(key, fs);
    if (raced != null) {
      fs.close();
      return raced;
    }
    return fs;
  }

  private static FileNotFoundException notFound(Path f, FileNotFoundException cause) {
    FileNotFoundException e = new FileNotFoundException(f + ": no such file or folder.");
    e.initCause(cause);
    return e;
  }

  @Override
  public String toString() {
    return "AzureMLFileSystem(" + uri + ", datastores=" + Arrays.toString(mounts.keySet().toArray()) + ")";
  }
}

package io.github.amlspark.hadoop;

import io.github.amlspark.workspace.DatastoreSpec;
import java.io.IOException;
import java.net.URI;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;

/**
 * Where a datastore's container lives for hadoop-azure's WASB file system, and the configuration key WASB
 * reads a container SAS from ({@code fs.azure.sas.<container>.<account host>}).
 *
 * @param root the container's root, e.g. {@code wasbs://container@account.blob.core.windows.net/}
 * @param sasKey the key of the SAS WASB uses for that container
 */
record WasbLocation(URI root, String sasKey) implements StorageLocation {
  /** WASB's setting naming the account it treats as the local storage emulator. */
  static final String EMULATOR_ACCOUNT = "fs.azure.storage.emulator.account.name";
  /** WASB's default emulator account name. */
  static final String DEFAULT_EMULATOR_ACCOUNT = "storageemulator";
  /** The only endpoint WASB's emulator mode talks to. */
  private static final String EMULATOR_ENDPOINT = "127.0.0.1:10000";
  private static final String EMULATOR_PATH = "/devstoreaccount1";

  /**
   * @param datastore the resolved datastore
   * @param conf the Hadoop configuration (for the emulator's account name)
   * @return its container's WASB location: {@code wasbs://} for https endpoints; a datastore on the local
   *     storage emulator maps to WASB's emulator mode
   * @throws IOException when its endpoint is not one WASB can address, saying which it can
   */
  static WasbLocation of(DatastoreSpec datastore, Configuration conf) throws IOException {
    URI endpoint = URI.create(datastore.accountUrl().replaceAll("/+$", ""));
    String host = endpoint.getHost() == null ? "" : endpoint.getHost().toLowerCase(Locale.ROOT);
    String path = endpoint.getPath() == null ? "" : endpoint.getPath();
    String account;
    if ((host.equals("127.0.0.1") || host.equals("localhost")) && path.equals(EMULATOR_PATH)) {
      if (!(endpoint.getHost() + ":" + endpoint.getPort()).replace("localhost", "127.0.0.1")
          .equals(EMULATOR_ENDPOINT)) {
        throw new IOException("Datastore '" + datastore.name() + "' is on a storage emulator at " + endpoint
            + ", but hadoop-azure's WASB emulator mode reaches only " + EMULATOR_ENDPOINT + EMULATOR_PATH + ".");
      }
      account = conf.get(EMULATOR_ACCOUNT, DEFAULT_EMULATOR_ACCOUNT);
    } else if (host.contains(".blob.") && endpoint.getPort() == -1 && path.isEmpty()
        && (endpoint.getScheme().equals("https") || endpoint.getScheme().equals("http"))) {
      account = host;
    } else {
      throw new IOException("Datastore '" + datastore.name() + "' has the storage endpoint " + endpoint
          + ", which hadoop-azure's WASB file system cannot address: it needs https://<account>.blob.<suffix> "
          + "(the azureml file system serves datastores on such endpoints).");
    }
    String scheme = endpoint.getScheme().equals("https") ? "wasbs" : "wasb";
    return new WasbLocation(URI.create(scheme + "://" + datastore.container() + "@" + account + "/"),
        "fs.azure.sas." + datastore.container() + "." + account);
  }

  @Override
  public Map<String, String> entries(String sas) {
    return Map.of(sasKey, sas);
  }
}

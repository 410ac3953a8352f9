package io.github.amlspark.hadoop;

import io.github.amlspark.workspace.DatastoreSpec;
import java.io.IOException;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Where an ADLS Gen2 datastore's file system lives for hadoop-azure's ABFS driver
 * ({@code abfss://<file system>@<account>.dfs.<suffix>/}), and the entries with which ABFS reaches it with a
 * SAS: SAS authentication for the account, {@link MountSasTokenProvider} as its SAS token provider, and the
 * SAS under {@code fs.azure.sas.<file system>.<account host>}, where that provider reads it.
 *
 * @param root the file system's root
 * @param accountHost the account's DFS host, e.g. {@code acct.dfs.core.windows.net}
 * @param fileSystem the file system (the datastore's container)
 */
record AbfsLocation(URI root, String accountHost, String fileSystem) implements StorageLocation {

  /**
   * @param datastore the resolved ADLS Gen2 datastore
   * @return its file system's ABFS location, on the DFS endpoint beside its blob endpoint
   * @throws IOException when its endpoint is not {@code https://<account>.blob.<suffix>}, the only form
   *     from which the DFS endpoint follows
   */
  static AbfsLocation of(DatastoreSpec datastore) throws IOException {
    URI endpoint = URI.create(datastore.accountUrl().replaceAll("/+$", ""));
    String host = endpoint.getHost() == null ? "" : endpoint.getHost().toLowerCase(Locale.ROOT);
    String path = endpoint.getPath() == null ? "" : endpoint.getPath();
    if (!"https".equals(endpoint.getScheme()) || !host.contains(".blob.") || endpoint.getPort() != -1
        || !path.isEmpty()) {
      throw new IOException("Datastore '" + datastore.name() + "' has the storage endpoint " + endpoint
          + ", from which hadoop-azure's ABFS driver cannot be pointed at a DFS endpoint: it needs "
          + "https://<account>.blob.<suffix>. Set " + DatastoreMounts.ADLS_GEN2_DRIVER + "=wasb to reach it "
          + "through its blob endpoint (a storage emulator has no DFS endpoint).");
    }
    String dfs = host.replaceFirst("\\.blob\\.", ".dfs.");
    return new AbfsLocation(URI.create("abfss://" + datastore.container() + "@" + dfs + "/"), dfs,
        datastore.container());
  }

  @Override
  public Map<String, String> entries(String sas) {
    Map<String, String> entries = new LinkedHashMap<>();
    entries.put("fs.azure.account.auth.type." + accountHost, "SAS");
    entries.put("fs.azure.sas.token.provider.type." + accountHost, MountSasTokenProvider.class.getName());
    entries.put(MountSasTokenProvider.sasKey(fileSystem, accountHost), sas);
    return entries;
  }
}

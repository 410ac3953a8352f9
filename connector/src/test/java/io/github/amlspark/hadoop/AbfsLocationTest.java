package io.github.amlspark.hadoop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.github.amlspark.workspace.DatastoreSpec;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;

/**
 * ADLS Gen2 datastores through hadoop-azure's ABFS driver. No emulator serves the DFS endpoint ABFS talks to
 * (Azurite serves blob, queue and table only), so this shows the configuration the driver publishes and,
 * with a local HTTP server standing in for storage, that ABFS itself takes the SAS from
 * {@link MountSasTokenProvider} and sends it on its first request. It does not show storage accepting it.
 */
class AbfsLocationTest {
  private static final String SAS = "sv=2024-08-04&sr=c&sp=racwdl&se=2030-01-01T00%3A00%3A00Z&sig=c2lnbmF0dXJl";

  private static DatastoreSpec spec(String accountUrl) {
    return new DatastoreSpec("lake", accountUrl, "fs1", null, null).asAdlsGen2();
  }

  private static Configuration driver(String value) {
    Configuration conf = new Configuration(false);
    if (value != null) {
      conf.set(DatastoreMounts.ADLS_GEN2_DRIVER, value);
    }
    return conf;
  }

  @Test
  void adlsGen2DatastoresGoThroughAbfsOnlyWhenChosen() throws IOException {
    DatastoreSpec adls = spec("https://acct.blob.core.windows.net");
    StorageLocation abfs = DatastoreMounts.storage(adls, driver("abfs"));

    assertEquals(URI.create("abfss://fs1@acct.dfs.core.windows.net/"), abfs.root());
    assertEquals(Map.of("fs.azure.account.auth.type.acct.dfs.core.windows.net", "SAS",
        "fs.azure.sas.token.provider.type.acct.dfs.core.windows.net", MountSasTokenProvider.class.getName(),
        "fs.azure.sas.fs1.acct.dfs.core.windows.net", SAS), abfs.entries(SAS));
    assertTrue(Pattern.compile(DriverSession.SAS_REDACTION).matcher("fs.azure.sas.fs1.acct.dfs.core.windows.net")
        .find(), "Spark's UI redacts the SAS entry");
    assertInstanceOf(WasbLocation.class, DatastoreMounts.storage(adls, driver(null)), "WASB by default");
    assertInstanceOf(WasbLocation.class, DatastoreMounts.storage(adls, driver("wasb")));
    assertInstanceOf(WasbLocation.class, DatastoreMounts.storage(
        new DatastoreSpec("blob", "https://acct.blob.core.windows.net", "c", null, null), driver("abfs")),
        "a blob datastore stays on WASB");

    IOException emulator = assertThrows(IOException.class,
        () -> DatastoreMounts.storage(spec("http://127.0.0.1:10000/devstoreaccount1"), driver("abfs")));
    assertTrue(emulator.getMessage().contains("fs.azureml.adlsGen2Driver=wasb"), emulator.getMessage());
    IOException bad = assertThrows(IOException.class, () -> DatastoreMounts.storage(adls, driver("adls")));
    assertTrue(bad.getMessage().contains("use wasb (the default) or abfs"), bad.getMessage());
  }

  @Test
  void abfsSendsThePublishedSasOnItsFirstRequest() throws IOException {
    List<String> requests = new CopyOnWriteArrayList<>();
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI()
          + " authorization=" + exchange.getRequestHeaders().getFirst("Authorization"));
      exchange.sendResponseHeaders(404, -1);
      exchange.close();
    });
    server.start();
    try {
      Configuration conf = new Configuration();
      // What the driver publishes, and nothing else of amlspark's: no key, no workspace options.
      DatastoreMounts.storage(spec("https://acct.blob.core.windows.net"), driver("abfs")).entries(SAS)
          .forEach(conf::set);
      // The stand-in for storage: plain HTTP on loopback (abfs:// instead of the published abfss://), no retries.
      conf.set("fs.azure.abfs.endpoint", "127.0.0.1:" + server.getAddress().getPort());
      conf.set("fs.azure.always.use.https", "false");
      conf.set("fs.azure.io.retry.max.retries", "0");
      conf.set("fs.azure.account.hns.enabled", "true");
      conf.setBoolean("fs.abfs.impl.disable.cache", true);

      try (FileSystem abfs = FileSystem.newInstance(URI.create("abfs://fs1@acct.dfs.core.windows.net/"), conf)) {
        assertThrows(IOException.class, () -> abfs.getFileStatus(new Path("/tables/t")));
      }

      assertTrue(!requests.isEmpty(), "ABFS made a request");
      String first = requests.get(0);
      assertTrue(first.contains("/fs1/tables/t") && first.contains("sig=c2lnbmF0dXJl")
          && first.contains("sp=racwdl"), first);
      assertTrue(first.endsWith("authorization=null"), "a SAS, no shared key: " + first);
    } finally {
      server.stop(0);
    }
  }

  @Test
  void withoutThePublishedSasTheProviderSaysWhatIsMissing() {
    MountSasTokenProvider provider = new MountSasTokenProvider();
    provider.initialize(new Configuration(false), "acct.dfs.core.windows.net");
    IOException e = assertThrows(IOException.class, () -> provider.getSASToken("acct", "fs1", "/x", "read"));
    assertTrue(e.getMessage().contains("No SAS for file system fs1 of acct.dfs.core.windows.net"), e.getMessage());
  }
}

package io.github.amlspark.hadoop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.amlspark.workspace.DatastoreSpec;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the driver's file system publishes for executors, and how addresses map to WASB. */
class DatastoreMountsTest {
  private static final String KEY =
      "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

  @TempDir
  Path dir;

  private Configuration conf(String accountUrl) throws IOException {
    Path config = Files.writeString(dir.resolve("config.json"), "{\"subscription_id\": \"s\", "
        + "\"resource_group\": \"rg\", \"workspace_name\": \"ws\", \"offline\": true, \"datastores\": {"
        + "\"ds\": {\"account_url\": \"" + accountUrl + "\", \"container\": \"data\", \"account_key\": \"" + KEY
        + "\"}, \"other\": {\"account_url\": \"" + accountUrl + "\", \"container\": \"x\", \"account_key\": \""
        + KEY + "\"}}}");
    Configuration conf = new Configuration(false);
    conf.set("fs.azureml.workspaceConfig", config.toString());
    return conf;
  }

  private static Address address(String uri) throws IOException {
    return Address.of(new org.apache.hadoop.fs.Path(uri));
  }

  private static Map<String, String> query(String sas) {
    Map<String, String> q = new LinkedHashMap<>();
    for (String pair : sas.split("&")) {
      String[] kv = pair.split("=", 2);
      q.put(kv[0], URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
    }
    return q;
  }

  @Test
  void theDriverPublishesAContainerSasNeverTheKey() throws IOException {
    Configuration conf = conf("https://acct.blob.core.windows.net");
    conf.set("fs.azureml.sasTtl", "2h");
    Address address = address("azureml://datastores/ds/paths/tables/t");

    DatastoreMounts.Resolved resolved = DatastoreMounts.resolve(address, conf);

    String mountKey = DatastoreMounts.mountKey(address, conf);
    assertEquals(Map.of(mountKey, "wasbs://data@acct.blob.core.windows.net/", mountKey + ".expires",
        Long.toString(resolved.mount().expiresAtMillis()), "fs.azureml.impl.disable.cache", "true"),
        Map.of(mountKey, resolved.entries().get(mountKey), mountKey + ".expires",
            resolved.entries().get(mountKey + ".expires"), "fs.azureml.impl.disable.cache",
            resolved.entries().get("fs.azureml.impl.disable.cache")));
    assertEquals(4, resolved.entries().size(), resolved.entries().keySet().toString());
    Map<String, String> sas = query(resolved.entries().get("fs.azure.sas.data.acct.blob.core.windows.net"));
    assertEquals("racwdl", sas.get("sp"), "what readers, writers and the committer do");
    assertEquals("c", sas.get("sr"), "scoped to the one container");
    long hoursLeft = java.time.Duration.between(OffsetDateTime.now(), OffsetDateTime.parse(sas.get("se")))
        .toMinutes();
    assertTrue(hoursLeft > 115 && hoursLeft <= 120, "expires after sasTtl: " + hoursLeft + " minutes");
    assertTrue(Math.abs(resolved.mount().expiresAtMillis() - System.currentTimeMillis() - 7_200_000) < 60_000);
    assertTrue(resolved.entries().values().stream().noneMatch(v -> v.contains(KEY) || v.contains(KEY.substring(0, 12))),
        "no account key");
  }

  @Test
  void aConfigurationWithThePublishedEntriesAloneCarriesTheMount() throws IOException {
    Configuration driver = conf("https://acct.blob.core.windows.net");
    Address address = address("azureml://datastores/ds/paths/a");
    DatastoreMounts.Resolved resolved = DatastoreMounts.resolve(address, driver);
    Configuration executor = new Configuration(false);
    executor.set("fs.azureml.workspaceConfig", driver.get("fs.azureml.workspaceConfig"));
    resolved.entries().forEach(executor::set);

    assertEquals(resolved.mount(), DatastoreMounts.fromConf(executor, address));
    // Other workspace options: the short address may name another workspace's datastore.
    executor.set("fs.azureml.workspaceConfig", "/elsewhere/config.json");
    assertNull(DatastoreMounts.fromConf(executor, address));
  }

  @Test
  void anUnknownDatastoreIsNotFoundNamingTheKnownOnes() throws IOException {
    Configuration conf = conf("https://acct.blob.core.windows.net");
    FileNotFoundException e = assertThrows(FileNotFoundException.class,
        () -> DatastoreMounts.resolve(address("azureml://datastores/nosuch/paths/x"), conf));
    assertTrue(e.getMessage().contains("'nosuch'") && e.getMessage().contains("Known datastores: ds, other"),
        e.getMessage());
  }

  @Test
  void endpointsMapToWasb() throws IOException {
    Configuration conf = new Configuration(false);
    assertEquals(new WasbLocation(URI.create("wasbs://c@a.blob.core.chinacloudapi.cn/"),
        "fs.azure.sas.c.a.blob.core.chinacloudapi.cn"), WasbLocation.of(spec("https://a.blob.core.chinacloudapi.cn/"), conf));
    assertEquals(URI.create("wasb://c@storageemulator/"),
        WasbLocation.of(spec("http://127.0.0.1:10000/devstoreaccount1"), conf).root());
    conf.set("fs.azure.storage.emulator.account.name", "emu");
    assertEquals(URI.create("wasb://c@emu/"), WasbLocation.of(spec("http://localhost:10000/devstoreaccount1"), conf).root());

    IOException port = assertThrows(IOException.class,
        () -> WasbLocation.of(spec("http://127.0.0.1:10001/devstoreaccount1"), conf));
    assertTrue(port.getMessage().contains("reaches only 127.0.0.1:10000"), port.getMessage());
    IOException proxy = assertThrows(IOException.class, () -> WasbLocation.of(spec("https://proxy:8443/acct"), conf));
    assertTrue(proxy.getMessage().contains("https://<account>.blob.<suffix>"), proxy.getMessage());
  }

  private static DatastoreSpec spec(String accountUrl) {
    return new DatastoreSpec("ds", accountUrl, "c", null, null);
  }

  @Test
  void addressesSplitAtTheirRootAndTranslateBack() throws IOException {
    Address paths = address("azureml://datastores/paths/paths/paths/x y/z");
    assertEquals("paths", paths.root().datastore(), "a datastore may be called paths");
    assertEquals("paths/x y/z", paths.relative());
    Address longForm = address("azureml://subscriptions/s/resourceGroups/rg/workspaces/w/datastores/d/paths");
    assertEquals("w", longForm.root().workspace().name());
    assertEquals("", longForm.relative());
    assertEquals("azureml://subscriptions/s/resourceGroups/rg/workspaces/w/datastores/d/paths", longForm.rootString());
    IOException bad = assertThrows(IOException.class, () -> address("azureml://datastores/d/folders/x"));
    assertTrue(bad.getMessage().contains("azureml://datastores/<datastore>/paths/<path>"), bad.getMessage());

    Mount mount = new Mount("datastores", "/ds/paths", URI.create("wasbs://c@a.blob.core.windows.net/"), 0);
    org.apache.hadoop.fs.Path storage = mount.toStorage("x y/z.txt");
    assertEquals("wasbs://c@a.blob.core.windows.net/x y/z.txt", storage.toString());
    assertEquals("azureml://datastores/ds/paths/x y/z.txt", mount.toAddress(storage).toString());
    assertEquals("azureml://datastores/ds/paths",
        mount.toAddress(new org.apache.hadoop.fs.Path("wasbs://c@a.blob.core.windows.net/")).toString());
  }

  @Test
  void jobOutputAndDataAssetAddressesSplitAtTheirRoot() throws IOException {
    Address output = address("azureml://jobs/j/outputs/model/paths/cfg/c.json");
    assertEquals("model", output.root().output());
    assertEquals("azureml://jobs/j/outputs/model/paths", output.rootString());
    assertEquals("cfg/c.json", output.relative());
    assertFalse(output.writable());
    Address asset = address("azureml://subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/"
        + "workspaces/w/data/versions/versions/2/versions/a.csv");
    assertEquals("versions", asset.root().asset(), "an asset may be called versions");
    assertEquals("2", asset.root().version());
    assertEquals("w", asset.root().workspace().name());
    assertEquals("versions/a.csv", asset.relative());
    assertTrue(address("azureml://datastores/ds/paths/x").writable());
    IOException latest = assertThrows(IOException.class, () -> address("azureml://data/iris/a.csv"));
    assertTrue(latest.getMessage().contains("without a version"), latest.getMessage());

    Mount folder = new Mount("jobs", "/j/outputs/model/paths",
        URI.create("wasbs://c@a.blob.core.windows.net/models/j%201/"), 0);
    org.apache.hadoop.fs.Path storage = folder.toStorage("cfg/c.json");
    assertEquals("wasbs://c@a.blob.core.windows.net/models/j 1/cfg/c.json", storage.toString());
    assertEquals("azureml://jobs/j/outputs/model/paths/cfg/c.json", folder.toAddress(storage).toString());
    assertEquals(URI.create("wasbs://c@a.blob.core.windows.net/"), folder.container());
    Mount file = new Mount("data", "/score/versions/1", URI.create("wasbs://c@a.blob.core.windows.net/s/s.json"), 0);
    assertEquals("wasbs://c@a.blob.core.windows.net/s/s.json", file.toStorage("").toString());
    assertEquals("azureml://data/score/versions/1", file.toAddress(file.toStorage("")).toString());
  }

  @Test
  void aJobOutputNeedsArmNotAnOfflineConfig() throws IOException {
    Configuration conf = conf("https://acct.blob.core.windows.net");
    IOException e = assertThrows(IOException.class,
        () -> DatastoreMounts.resolve(address("azureml://jobs/j/outputs/model/paths/x"), conf));
    assertTrue(e.getMessage().contains("Azure Resource Manager") && e.getMessage().contains("offline"),
        e.getMessage());
  }

  @Test
  void sparkRedactionCoversTheSasKeys() {
    SparkConf conf = new SparkConf(false);
    DriverSession.extendRedaction(conf);
    Pattern extended = Pattern.compile(conf.get("spark.redaction.regex"));
    assertTrue(extended.matcher("fs.azure.sas.data.acct.blob.core.windows.net").find());
    assertTrue(extended.matcher("spark.some.password").find(), "Spark's default still applies");
    DriverSession.extendRedaction(conf);
    assertEquals(extended.pattern(), conf.get("spark.redaction.regex"), "extended once");

    SparkConf custom = new SparkConf(false).set("spark.redaction.regex", "mine");
    DriverSession.extendRedaction(custom);
    assertEquals("mine|fs[.]azure[.]sas[.]", custom.get("spark.redaction.regex"));
  }
}

package io.github.amlspark.it;

import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.BlobItem;
import io.github.amlspark.harness.Azurite;
import io.github.amlspark.harness.LocalWorkspace;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The azureml Hadoop FileSystem from the shaded jar, with hadoop-azure's WASB on the second Azurite: Spark's
 * file sources and sinks, SQL tables and the Hadoop API on azureml:// addresses, with a datastore defined
 * inline and one served by the ARM stub. WASB's emulator mode signs with the development account's key,
 * whatever the configuration holds; so the SAS the driver publishes is checked as configuration (what
 * executors would receive), and shown to be all a JVM needs, but the emulator cannot prove WASB used it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FileSystemIT {
  private static final String WORKSPACE_CONFIG = "fs.azureml.workspaceConfig";

  @TempDir
  static Path dir;
  SparkSession spark;
  Configuration hadoop;
  BlobContainerClient container;
  String ds;
  ArmStub arm;

  @BeforeAll
  void setUp() {
    spark = TestEnvironment.spark();
    hadoop = spark.sparkContext().hadoopConfiguration();
    container = new BlobServiceClientBuilder().connectionString(TestEnvironment.wasbAzurite().connectionString())
        .buildClient().getBlobContainerClient("fs-" + UUID.randomUUID().toString().substring(0, 8));
    container.create();
    ds = "fs" + UUID.randomUUID().toString().substring(0, 8);
    Path config = new LocalWorkspace().withKeyDatastore(ds, TestEnvironment.wasbAzurite().accountUrl(),
        container.getBlobContainerName(), Azurite.ACCOUNT_KEY).writeTo(dir.resolve("inline/config.json"));
    hadoop.set(WORKSPACE_CONFIG, config.toString());
    arm = new ArmStub();
  }

  @AfterAll
  void tearDown() {
    hadoop.unset(WORKSPACE_CONFIG);
    hadoop.unset("fs.azureml.credentialProvider");
    arm.close();
  }

  private String root() {
    return "azureml://datastores/" + ds + "/paths";
  }

  private List<String> allBlobs(String prefix) {
    return container.listBlobs(new com.azure.storage.blob.models.ListBlobsOptions().setPrefix(prefix), null)
        .stream().filter(b -> b.getProperties().getContentLength() > 0).map(BlobItem::getName).sorted().toList();
  }

  private static List<String> sorted(Dataset<Row> df) {
    return df.collectAsList().stream().map(Row::toString).sorted().toList();
  }

  @Test
  void partitionedParquetAndCsvRoundTripThroughTheCommitProtocol() {
    Dataset<Row> df = spark.range(6).selectExpr("id", "cast(id % 2 as string) as part");
    for (String format : List.of("parquet", "csv")) {
      String out = root() + "/tables/" + format;
      df.write().format(format).option("header", "true").partitionBy("part").save(out);

      List<String> written = allBlobs("tables/" + format + "/");
      assertTrue(written.stream().anyMatch(n -> n.startsWith("tables/" + format + "/part=0/part-")), written.toString());
      assertTrue(written.stream().anyMatch(n -> n.startsWith("tables/" + format + "/part=1/part-")), written.toString());
      assertTrue(written.stream().noneMatch(n -> n.contains("_temporary")), "the committer cleaned up: " + written);
      assertTrue(container.getBlobClient("tables/" + format + "/_SUCCESS").exists());

      Dataset<Row> back = spark.read().format(format).option("header", "true").option("inferSchema", "true")
          .load(out);
      assertEquals(sorted(df.selectExpr("id", "cast(part as int) as part")),
          sorted(back.selectExpr("id", "cast(part as int) as part")), format);
      // Partition discovery and input file names show Azure ML addresses, not storage URLs.
      List<String> files = back.selectExpr("input_file_name()").distinct().collectAsList().stream()
          .map(r -> r.getString(0)).toList();
      assertTrue(!files.isEmpty() && files.stream().allMatch(f -> f.startsWith(out + "/part=")), files.toString());
    }
  }

  @Test
  void jsonTextAndBinaryFilesRead() {
    String out = root() + "/formats";
    spark.range(3).selectExpr("id", "concat('n', id) as name").write().json(out + "/json");
    assertEquals(List.of("[0,n0]", "[1,n1]", "[2,n2]"),
        sorted(spark.read().json(out + "/json").selectExpr("id", "name")));
    spark.range(2).selectExpr("concat('line', id) as value").write().text(out + "/text");
    assertEquals(List.of("[line0]", "[line1]"), sorted(spark.read().text(out + "/text")));
    byte[] bytes = TestEnvironment.random(70_000, 3);
    TestEnvironment.put(container, "formats/bin/x.bin", bytes);

    Row row = spark.read().format("binaryFile").load(out + "/bin").select("path", "content").first();

    assertEquals(out + "/bin/x.bin", row.getString(0));
    assertArrayEquals(bytes, (byte[]) row.get(1));
  }

  @Test
  void aSqlTableWithAnAzureMLLocation() {
    String table = "fs_" + ds;
    String location = root() + "/sql/" + table;
    spark.sql("CREATE TABLE " + table + " (id BIGINT, name STRING) USING parquet LOCATION '" + location + "'");
    try {
      spark.sql("INSERT INTO " + table + " VALUES (1, 'a'), (2, 'b')");
      spark.sql("INSERT INTO " + table + " VALUES (3, 'c')");

      assertEquals(List.of("[1,a]", "[2,b]", "[3,c]"), sorted(spark.sql("SELECT * FROM " + table)));
      String described = spark.sql("DESCRIBE TABLE EXTENDED " + table).collectAsList().stream()
          .filter(r -> "Location".equals(r.getString(0))).map(r -> r.getString(1)).findFirst().orElseThrow();
      assertEquals(location, described);
      assertTrue(allBlobs("sql/" + table + "/").stream().anyMatch(n -> n.endsWith(".parquet")));
    } finally {
      spark.sql("DROP TABLE IF EXISTS " + table);
    }
  }

  @Test
  void theHadoopApiListsGlobsRenamesAndDeletesInBothAddressForms() throws IOException {
    FileSystem fs = FileSystem.get(URI.create(root() + "/"), new Configuration(hadoop));
    org.apache.hadoop.fs.Path a = new org.apache.hadoop.fs.Path(root() + "/api/a");
    for (String name : List.of("1.txt", "2.csv", "sub/3.txt")) {
      try (FSDataOutputStream out = fs.create(new org.apache.hadoop.fs.Path(a, name))) {
        out.write(name.getBytes(StandardCharsets.UTF_8));
      }
    }

    assertEquals(List.of(root() + "/api/a/1.txt", root() + "/api/a/2.csv", root() + "/api/a/sub"),
        Arrays.stream(fs.listStatus(a)).map(s -> s.getPath().toString()).sorted().toList());
    FileStatus sub = fs.getFileStatus(new org.apache.hadoop.fs.Path(a, "sub"));
    assertTrue(sub.isDirectory() && sub.getPath().toString().equals(root() + "/api/a/sub"), sub.toString());
    assertEquals(List.of(root() + "/api/a/1.txt"), Arrays.stream(fs.globStatus(
        new org.apache.hadoop.fs.Path(root() + "/api/*/*.txt"))).map(s -> s.getPath().toString()).toList());

    // As Spark's committer moves a task's output: a folder renamed into place, then the source deleted.
    org.apache.hadoop.fs.Path b = new org.apache.hadoop.fs.Path(root() + "/api/b");
    assertTrue(fs.mkdirs(b));
    assertTrue(fs.rename(new org.apache.hadoop.fs.Path(a, "sub"), new org.apache.hadoop.fs.Path(b, "moved")));
    assertTrue(fs.exists(new org.apache.hadoop.fs.Path(b, "moved/3.txt")));
    assertFalse(fs.exists(new org.apache.hadoop.fs.Path(a, "sub")));
    assertTrue(fs.delete(a, true));
    assertFalse(fs.exists(a));
    assertEquals(List.of("api/b/moved/3.txt"), allBlobs("api/"));
    assertThrows(FileNotFoundException.class, () -> fs.getFileStatus(a));

    // The workspace-qualified form of the same file, through FileSystem.get of its own authority.
    String longForm = "azureml://subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/local/"
        + "workspaces/local/datastores/" + ds + "/paths/api/b/moved/3.txt";
    FileSystem longFs = FileSystem.get(URI.create(longForm), new Configuration(hadoop));
    try (FSDataInputStream in = longFs.open(new org.apache.hadoop.fs.Path(longForm))) {
      assertEquals("sub/3.txt", new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
    assertEquals(longForm, longFs.getFileStatus(new org.apache.hadoop.fs.Path(longForm)).getPath().toString());
    assertEquals(List.of("[sub/3.txt]"), sorted(spark.read().text(longForm)));
  }

  @Test
  void anUnknownDatastoreNamesTheKnownOnes() {
    Exception e = assertThrows(Exception.class,
        () -> spark.read().parquet("azureml://datastores/nosuch/paths/x").collectAsList());

    FileNotFoundException notFound = causes(e).stream().filter(FileNotFoundException.class::isInstance)
        .map(FileNotFoundException.class::cast).findFirst().orElseThrow(() -> new AssertionError(e));
    assertTrue(notFound.getMessage().contains("Datastore 'nosuch' was not found")
        && notFound.getMessage().contains("Known datastores: " + ds), notFound.getMessage());
  }

  @Test
  void aDatastoreServedByArm() throws IOException {
    String armDs = "armfs" + UUID.randomUUID().toString().substring(0, 8);
    arm.datastore(armDs, "AzureBlob", Azurite.ACCOUNT, container.getBlobContainerName(), "AccountKey",
        "{\"secretsType\": \"AccountKey\", \"key\": \"" + Azurite.ACCOUNT_KEY + "\"}");
    Path config = arm.workspaceConfig(dir.resolve("arm"), TestEnvironment.wasbAzurite().accountUrl());
    Configuration conf = new Configuration(hadoop);
    conf.set(WORKSPACE_CONFIG, config.toString());
    conf.set("fs.azureml.credentialProvider", StaticTokenCredential.class.getName());
    String address = "azureml://subscriptions/" + ArmStub.WORKSPACE.subscriptionId() + "/resourcegroups/"
        + ArmStub.WORKSPACE.resourceGroup() + "/workspaces/" + ArmStub.WORKSPACE.name() + "/datastores/" + armDs
        + "/paths/arm/x.txt";
    try (FSDataOutputStream out = FileSystem.get(URI.create(address), conf)
        .create(new org.apache.hadoop.fs.Path(address))) {
      out.write("through arm".getBytes(StandardCharsets.UTF_8));
    }
    assertEquals("through arm", container.getBlobClient("arm/x.txt").downloadContent().toString());

    // The same through Spark, the options set as a user would: on the session's Hadoop configuration.
    hadoop.set(WORKSPACE_CONFIG, config.toString());
    hadoop.set("fs.azureml.credentialProvider", StaticTokenCredential.class.getName());
    try {
      assertEquals(List.of("[through arm]"), sorted(spark.read().text("azureml://datastores/" + armDs + "/paths/arm")));
    } finally {
      hadoop.set(WORKSPACE_CONFIG, dir.resolve("inline/config.json").toString());
      hadoop.unset("fs.azureml.credentialProvider");
    }
    arm.server().verify(getRequestedFor(urlPathEqualTo(ArmStub.datastorePath(armDs))));
  }

  @Test
  void anAdlsGen2DatastoreGoesThroughWasbUnlessAbfsIsChosen() throws IOException {
    String lakeDs = "lakefs" + UUID.randomUUID().toString().substring(0, 8);
    arm.datastore(lakeDs, "AzureDataLakeGen2", Azurite.ACCOUNT, container.getBlobContainerName(), "AccountKey",
        "{\"secretsType\": \"AccountKey\", \"key\": \"" + Azurite.ACCOUNT_KEY + "\"}");
    TestEnvironment.put(container, "lake/l.txt", "through the blob endpoint".getBytes(StandardCharsets.UTF_8));
    Configuration conf = new Configuration(hadoop);
    conf.set(WORKSPACE_CONFIG, arm.workspaceConfig(dir.resolve("lake"), TestEnvironment.wasbAzurite().accountUrl())
        .toString());
    conf.set("fs.azureml.credentialProvider", StaticTokenCredential.class.getName());
    String address = "azureml://subscriptions/" + ArmStub.WORKSPACE.subscriptionId() + "/resourcegroups/"
        + ArmStub.WORKSPACE.resourceGroup() + "/workspaces/" + ArmStub.WORKSPACE.name() + "/datastores/" + lakeDs
        + "/paths/lake/l.txt";
    try (FSDataInputStream in = FileSystem.newInstance(URI.create(address), conf)
        .open(new org.apache.hadoop.fs.Path(address))) {
      assertEquals("through the blob endpoint", new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }

    // ABFS needs the account's DFS endpoint, which no emulator serves: a clear refusal, not a WASB fallback.
    conf.set("fs.azureml.adlsGen2Driver", "abfs");
    IOException abfs = assertThrows(IOException.class, () -> FileSystem.newInstance(URI.create(address), conf)
        .getFileStatus(new org.apache.hadoop.fs.Path(address)));
    assertTrue(abfs.getMessage().contains("ABFS") && abfs.getMessage().contains("fs.azureml.adlsGen2Driver=wasb"),
        abfs.getMessage());
  }

  @Test
  void whatTheDriverPublishesIsASasAndAllAJvmNeeds() throws IOException {
    TestEnvironment.put(container, "published/p.txt", "published".getBytes(StandardCharsets.UTF_8));
    // A config file that is gone once the driver has resolved: no JVM can resolve the datastore again.
    Path config = Files.copy(dir.resolve("inline/config.json"),
        Files.createDirectories(dir.resolve("gone")).resolve("config.json"));
    Set<String> before = keys();
    hadoop.set(WORKSPACE_CONFIG, config.toString());
    try {
      assertEquals(List.of("[published]"), sorted(spark.read().text(root() + "/published")));
      Files.delete(config);

      String mountKey = keys().stream().filter(k -> !before.contains(k) && k.startsWith("fs.azureml.mount.")
          && k.endsWith("." + root())).findFirst().orElseThrow();
      String sasKey = "fs.azure.sas." + container.getBlobContainerName() + ".storageemulator";
      Map<String, String> published = Map.of(mountKey, hadoop.get(mountKey), mountKey + ".expires",
          hadoop.get(mountKey + ".expires"), sasKey, hadoop.get(sasKey));
      String sas = published.get(sasKey);
      assertTrue(sas.contains("sp=racwdl") && sas.contains("sig="), "a container SAS for the file system");
      assertTrue(sas.contains("sr=c"), "scoped to the container");
      assertTrue(published.values().stream().noneMatch(v -> v.contains(Azurite.ACCOUNT_KEY)), "never the key");
      assertEquals("wasb://" + container.getBlobContainerName() + "@storageemulator/", published.get(mountKey));
      long hours = (Long.parseLong(published.get(mountKey + ".expires")) - System.currentTimeMillis()) / 3_600_000;
      assertTrue(hours >= 7 && hours <= 8, "expires in sasTtl (8h): " + hours + "h");

      // An executor's configuration: the options as the driver has them, and what the driver published.
      Configuration executor = new Configuration();
      executor.set(WORKSPACE_CONFIG, config.toString());
      published.forEach(executor::set);
      FileSystem fs = FileSystem.newInstance(URI.create(root() + "/"), executor);
      try (FSDataInputStream in = fs.open(new org.apache.hadoop.fs.Path(root() + "/published/p.txt"))) {
        assertEquals("published", new String(in.readAllBytes(), StandardCharsets.UTF_8));
      }
    } finally {
      hadoop.set(WORKSPACE_CONFIG, dir.resolve("inline/config.json").toString());
    }
  }

  private Set<String> keys() {
    return StreamSupport.stream(hadoop.spliterator(), false).map(Map.Entry::getKey).collect(Collectors.toSet());
  }

  static List<Throwable> causes(Throwable e) {
    List<Throwable> all = new java.util.ArrayList<>();
    for (Throwable c = e; c != null && !all.contains(c); c = c.getCause()) {
      all.add(c);
    }
    return all;
  }
}

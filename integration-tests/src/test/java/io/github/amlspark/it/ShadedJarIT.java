package io.github.amlspark.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.storage.blob.BlobContainerClient;
import io.github.amlspark.AzureMLFiles;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.ServiceLoader;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.regex.Pattern;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.sources.DataSourceRegister;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tests run against the shaded jar users drop into Spark, and that jar is what it claims to be: every
 * library it bundles relocated under io.github.amlspark.shaded (the test module brings its own Azure SDK,
 * as a user's application does), no slf4j, no JNA natives.
 */
class ShadedJarIT {
  private static final String HADOOP_FILE_SYSTEMS = "META-INF/services/org.apache.hadoop.fs.FileSystem";

  /**
   * The only entries outside io/github/amlspark and META-INF: files read by these exact names (azure-core's
   * SDK name and version properties, which it looks up unrelocated; the command line's log configuration).
   */
  private static final List<String> ROOT_RESOURCES = List.of("azure-core.properties", "azure-storage-blob.properties",
      "azure-identity.properties", "amlspark-cli-log4j2.properties");

  @TempDir
  Path dir;

  private static Path locationOf(Class<?> c) {
    try {
      URL url = c.getProtectionDomain().getCodeSource().getLocation();
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new AssertionError(e);
    }
  }

  private static Path connectorJar() {
    return locationOf(AzureMLFiles.class);
  }

  @Test
  void connectorClassesComeFromTheShadedJar() {
    Path jar = connectorJar();
    String name = jar.getFileName().toString();
    assertTrue(Files.isRegularFile(jar), "a jar, not a classes folder: " + jar);
    // The artifact for this suite's Scala: amlspark-connector_2.12 on Spark 3.5, _2.13 on Spark 4.0.
    String scalaVersion = scala.util.Properties.versionNumberString().replaceFirst("^(\\d+\\.\\d+)\\..*", "$1");
    assertTrue(name.matches("amlspark-connector_" + Pattern.quote(scalaVersion) + "-\\d[^/]*\\.jar"), name);
    assertFalse(name.startsWith("original-"), "not the unshaded jar: " + name);
    assertFalse(name.endsWith("-sources.jar") || name.endsWith("-tests.jar"), name);
    // Every connector package comes from that one jar.
    for (String c : List.of("io.github.amlspark.spark.AzureMLDataSource", "io.github.amlspark.transfer.DownloadEngine",
        "io.github.amlspark.workspace.WorkspaceConfig")) {
      assertEquals(jar, locationOf(load(c)), c);
    }
  }

  private static Class<?> load(String name) {
    try {
      return Class.forName(name, false, ShadedJarIT.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new AssertionError(name + " is not on the test classpath", e);
    }
  }

  @Test
  void everythingBundledIsRelocatedAndTheUsersOwnLibrariesStayTheirs() throws Exception {
    Path jar = connectorJar();
    // The connector's copies live under its own package, in its jar ...
    for (String c : List.of("jackson.databind.ObjectMapper", "azure.core.credential.TokenCredential",
        "azure.storage.blob.BlobContainerClient", "reactor.core.publisher.Mono",
        "aad.msal4j.ConfidentialClientApplication")) {
      assertEquals(jar, locationOf(load("io.github.amlspark.shaded." + c)), c);
    }
    // ... and the unrelocated names resolve to the libraries the test module declares, as a user's would.
    for (String c : List.of("com.azure.core.credential.TokenCredential", "com.azure.storage.blob.BlobContainerClient",
        "reactor.core.publisher.Mono", "com.fasterxml.jackson.databind.ObjectMapper", "org.slf4j.Logger")) {
      assertNotEquals(jar, locationOf(load(c)), c);
    }
    assertEquals(BlobContainerClient.class, load("com.azure.storage.blob.BlobContainerClient"));
    ClassLoader cl = ShadedJarIT.class.getClassLoader();
    for (String resource : List.of("com/fasterxml/jackson/databind/ObjectMapper.class", "org/slf4j/Logger.class",
        "com/azure/core/credential/TokenCredential.class", "com/sun/jna/Native.class")) {
      for (URL url : Collections.list(cl.getResources(resource))) {
        assertFalse(url.toString().contains(jar.getFileName().toString()), url.toString());
      }
    }
  }

  @Test
  void jarHoldsOnlyTheConnectorsPackagesAndNoNativeLibraries() throws IOException {
    try (JarFile jar = new JarFile(connectorJar().toFile())) {
      Manifest manifest = jar.getManifest();
      boolean multiRelease = manifest != null
          && "true".equalsIgnoreCase(manifest.getMainAttributes().getValue(Attributes.Name.MULTI_RELEASE));
      List<String> outside = new ArrayList<>();
      List<String> natives = new ArrayList<>();
      for (JarEntry e : Collections.list(jar.entries())) {
        String path = e.getName();
        if (e.isDirectory()) {
          continue;
        }
        if (path.matches(".*\\.(so|dll|jnilib|dylib|a)$")) {
          natives.add(path);
        }
        // A multi-release jar serves META-INF/versions/N/x as x on Java N and later.
        if (multiRelease && path.startsWith("META-INF/versions/")) {
          path = path.replaceFirst("^META-INF/versions/\\d+/", "");
        }
        boolean ours = path.startsWith("io/github/amlspark/");
        boolean metadata = path.startsWith("META-INF/") && !path.endsWith(".class");
        if (!ours && !metadata && !ROOT_RESOURCES.contains(path)) {
          outside.add(e.getName());
        }
      }
      assertEquals(List.of(), outside, "entries outside io/github/amlspark that a JVM could load by their names");
      assertEquals(List.of(), natives, "native libraries");
      assertNull(jar.getEntry("io/github/amlspark/shaded/jna/platform/win32/Kernel32.class"), "jna-platform");
      assertNotNull(jar.getEntry("io/github/amlspark/shaded/jna/Platform.class"), "JNA's Java part stays");
      assertEquals(List.of(), Collections.list(jar.entries()).stream().map(JarEntry::getName)
          // ServiceLoader files (jline also reads a folder of its own below META-INF/services by path).
          .filter(n -> n.matches("META-INF/services/[^/]+") && !n.startsWith("META-INF/services/io.github.amlspark.")
              && !n.equals("META-INF/services/org.apache.spark.sql.sources.DataSourceRegister")
              && !n.equals(HADOOP_FILE_SYSTEMS)).toList(),
          "service files of unrelocated interfaces other than the connector's own Spark and Hadoop registrations");
      // Hadoop's file-system registration names only the azureml file system (nothing bundled rides along).
      try (InputStream in = jar.getInputStream(jar.getEntry(HADOOP_FILE_SYSTEMS))) {
        assertEquals(List.of("io.github.amlspark.hadoop.AzureMLFileSystem"), new String(in.readAllBytes(),
            StandardCharsets.UTF_8).lines().map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList());
      }
      assertNotNull(jar.getEntry("META-INF/services/io.github.amlspark.shaded.azure.core.http.HttpClientProvider"));
    }
  }

  @Test
  void dataSourceIsRegisteredUnderItsShortName() throws IOException {
    try (JarFile jar = new JarFile(connectorJar().toFile())) {
      JarEntry services = jar.getJarEntry("META-INF/services/org.apache.spark.sql.sources.DataSourceRegister");
      assertNotNull(services, "service file present");
      List<String> lines = new ArrayList<>();
      try (InputStream in = jar.getInputStream(services);
          BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
        r.lines().map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith("#")).forEach(lines::add);
      }
      assertEquals(List.of("io.github.amlspark.spark.AzureMLDataSource"), lines);
    }
    List<DataSourceRegister> azureml = new ArrayList<>();
    for (DataSourceRegister r : ServiceLoader.load(DataSourceRegister.class, ShadedJarIT.class.getClassLoader())) {
      if (r.shortName().equals("azureml")) {
        azureml.add(r);
      }
    }
    assertEquals(1, azureml.size(), "exactly one source answers to azureml");
    assertEquals("io.github.amlspark.spark.AzureMLDataSource", azureml.get(0).getClass().getName());
    assertEquals(connectorJar(), locationOf(azureml.get(0).getClass()));
  }

  @Test
  void sparkResolvesTheShortNameAndTheClassName() {
    BlobContainerClient container = TestEnvironment.newContainer("shaded");
    Path config = TestEnvironment.workspaceConfig(dir, "ds", container);
    for (String format : List.of("azureml", "AzureML", "io.github.amlspark.spark.AzureMLDataSource")) {
      List<Row> rows = TestEnvironment.spark().read().format(format).option("workspaceConfig", config.toString())
          .option("datastore", "ds").option("prefix", "").load().collectAsList();
      assertEquals(List.of(), rows, format);
    }
    TestEnvironment.put(container, "one.txt", "1".getBytes(StandardCharsets.UTF_8));
    assertEquals(1, TestEnvironment.spark().read().format("azureml").option("workspaceConfig", config.toString())
        .option("datastore", "ds").load().count());
  }
}

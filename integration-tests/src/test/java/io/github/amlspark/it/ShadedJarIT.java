package io.github.amlspark.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
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

/** The tests run against the shaded jar users drop into Spark, and that jar is what it claims to be. */
class ShadedJarIT {
  /** Relocated third-party packages, as resource paths: none may remain at their original place. */
  private static final List<String> RELOCATED = List.of("com/fasterxml/jackson/", "me/tongfei/",
      "org/jline/", "picocli/");

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
  void jacksonIsRelocatedAndReactorStaysWhereTokenCredentialNeedsIt() throws Exception {
    Path jar = connectorJar();
    assertEquals(jar, locationOf(load("io.github.amlspark.shaded.jackson.databind.ObjectMapper")));
    // A user's own TokenCredential, compiled against plain Reactor, implements the jar's interface.
    assertEquals(load("reactor.core.publisher.Mono"),
        load("com.azure.core.credential.TokenCredential").getMethod("getToken",
            load("com.azure.core.credential.TokenRequestContext")).getReturnType());
    assertEquals(jar, locationOf(load("reactor.core.publisher.Mono")));
    assertThrows(ClassNotFoundException.class, () -> Class.forName(
        "io.github.amlspark.shaded.reactor.core.publisher.Mono", false, ShadedJarIT.class.getClassLoader()));
    ClassLoader cl = ShadedJarIT.class.getClassLoader();
    // Spark brings its own Jackson; the connector's copy must not be the one it gets.
    for (URL url : Collections.list(cl.getResources("com/fasterxml/jackson/databind/ObjectMapper.class"))) {
      assertFalse(url.toString().contains(jar.getFileName().toString()), url.toString());
    }
  }

  @Test
  void azureClassesAreNotRelocated() {
    Path jar = connectorJar();
    Class<?> credential = load("com.azure.core.credential.TokenCredential");
    assertTrue(credential.isInterface());
    assertEquals(jar, locationOf(credential));
    assertEquals(jar, locationOf(load("com.azure.storage.blob.BlobContainerClient")));
    assertEquals(BlobContainerClient.class, load("com.azure.storage.blob.BlobContainerClient"));
    assertThrows(ClassNotFoundException.class, () -> Class.forName(
        "io.github.amlspark.shaded.azure.core.credential.TokenCredential", false, ShadedJarIT.class.getClassLoader()));
  }

  @Test
  void jarHoldsNoUnrelocatedCopyOfARelocatedLibrary() throws IOException {
    try (JarFile jar = new JarFile(connectorJar().toFile())) {
      Manifest manifest = jar.getManifest();
      boolean multiRelease = manifest != null
          && "true".equalsIgnoreCase(manifest.getMainAttributes().getValue(Attributes.Name.MULTI_RELEASE));
      List<String> leftovers = new ArrayList<>();
      for (JarEntry e : Collections.list(jar.entries())) {
        String path = e.getName();
        if (!path.endsWith(".class")) {
          continue;
        }
        // A multi-release jar serves META-INF/versions/N/x as x on Java N and later.
        if (multiRelease && path.startsWith("META-INF/versions/")) {
          path = path.replaceFirst("^META-INF/versions/\\d+/", "");
        }
        for (String pkg : RELOCATED) {
          if (path.startsWith(pkg)) {
            leftovers.add(e.getName());
          }
        }
      }
      assertEquals(List.of(), leftovers, "classes a JVM could load under their original name");
      assertNotNull(jar.getEntry("io/github/amlspark/shaded/jackson/databind/ObjectMapper.class"));
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

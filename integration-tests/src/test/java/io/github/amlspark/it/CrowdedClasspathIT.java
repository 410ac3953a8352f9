package io.github.amlspark.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.storage.blob.BlobContainerClient;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded jar on a crowded classpath, as on Databricks, where the runtime's jars and other libraries'
 * come first: older azure-core, azure-storage-blob, Reactor, MSAL and Jackson (the build copies them to
 * {@code amlspark.crowded.jars}). Each case is a child JVM running {@link CrowdedClasspathMain} (a read, a
 * datastore download and an upload on local[2] Spark) against the shared Azurite.
 */
class CrowdedClasspathIT {
  private static final byte[] A = TestEnvironment.random(70_000, 1);
  private static final byte[] B = TestEnvironment.random(3_000, 2);

  @TempDir
  Path dir;

  private BlobContainerClient container;
  private Path config;

  @BeforeEach
  void seed() throws IOException {
    container = TestEnvironment.newContainer("crowded");
    config = TestEnvironment.workspaceConfig(dir, "ds", container);
    TestEnvironment.put(container, "in/a.bin", A);
    TestEnvironment.put(container, "in/sub/b.bin", B);
    Files.createDirectories(dir.resolve("upload/deep"));
    Files.writeString(dir.resolve("upload/one.txt"), "one");
    Files.writeString(dir.resolve("upload/deep/two.txt"), "two");
  }

  private static List<Path> oldJars() throws IOException {
    String copied = System.getProperty("amlspark.crowded.jars");
    assertTrue(copied != null, "amlspark.crowded.jars is not set: the build copies the old jars there");
    Path folder = Path.of(copied);
    try (Stream<Path> jars = Files.list(folder)) {
      List<Path> found = jars.filter(p -> p.toString().endsWith(".jar")).sorted().toList();
      assertEquals(8, found.size(), "the old jars the build copies: " + found);
      return found;
    }
  }

  private static String classPath(List<Path> first, List<Path> last) {
    List<String> parts = new ArrayList<>();
    first.forEach(p -> parts.add(p.toString()));
    parts.add(CliProcess.testClassPath());
    last.forEach(p -> parts.add(p.toString()));
    return String.join(File.pathSeparator, parts);
  }

  private CliProcess.Result run(String classPath, List<String> jvmArgs) throws Exception {
    // A short run on small data: the C1 compiler alone costs the shared cores least.
    List<String> flags = new ArrayList<>(List.of("-Xmx768m", "-XX:TieredStopAtLevel=1"));
    flags.addAll(jvmArgs);
    List<String> command = CliProcess.java(flags, classPath, CrowdedClasspathMain.class.getName());
    command.addAll(List.of(config.toString(), "ds", dir.resolve("out").toString(), dir.resolve("upload").toString()));
    Path out = dir.resolve("child.out");
    Path err = dir.resolve("child.err");
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectOutput(out.toFile())
        .redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
    if (!p.waitFor(150, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("the child JVM did not finish: " + tail(Files.readString(err)));
    }
    return new CliProcess.Result(p.exitValue(), Files.readString(out), Files.readString(err));
  }

  private void assertMovedEverything(CliProcess.Result r) throws IOException {
    assertEquals(0, r.exit(), tail(r.err()));
    assertTrue(r.out().contains("RESULT read=2 readBytes=" + (A.length + B.length) + " downloaded=2 uploaded=2"),
        r.out() + tail(r.err()));
    assertArrayEquals(A, Files.readAllBytes(dir.resolve("out/in/a.bin")));
    assertArrayEquals(B, Files.readAllBytes(dir.resolve("out/in/sub/b.bin")));
    assertEquals("one", container.getBlobClient("up/one.txt").downloadContent().toString());
    assertEquals("two", container.getBlobClient("up/deep/two.txt").downloadContent().toString());
  }

  /** The child's line saying which jar served a class under its unrelocated name. */
  private static String origin(CliProcess.Result r, String className) {
    return r.out().lines().filter(l -> l.startsWith("ORIGIN " + className + " ")).findFirst()
        .orElseThrow(() -> new AssertionError("no ORIGIN line for " + className + ": " + r.out()));
  }

  @Test
  void olderAzureReactorMsalAndJacksonFirstOnTheClasspath() throws Exception {
    List<Path> old = oldJars();
    CliProcess.Result r = run(classPath(old, List.of()), List.of());
    // The old copies really are the ones the unrelocated names resolve to in the child.
    assertTrue(origin(r, "com.azure.core.util.CoreUtils").contains("azure-core-1.30.0.jar"), r.out());
    assertTrue(origin(r, "reactor.core.publisher.Mono").contains("reactor-core-3.4."), r.out());
    assertTrue(origin(r, "com.microsoft.aad.msal4j.ConfidentialClientApplication").contains("msal4j-1.13."), r.out());
    assertTrue(origin(r, "com.fasterxml.jackson.databind.ObjectMapper").contains("jackson-databind-2.15."), r.out());
    assertMovedEverything(r);
  }

  @Test
  void theSameOldJarsOnAUsersJarAfterTheConnector() throws Exception {
    List<Path> old = oldJars();
    String jars = old.stream().map(Path::toString).collect(Collectors.joining(","));
    CliProcess.Result r = run(classPath(List.of(), old), List.of("-Dspark.jars=" + jars));
    assertMovedEverything(r);
  }

  /**
   * A jar that brings an incompatible copy of a Hadoop class the connector calls: the first use names the
   * class, the jar and its version instead of failing with NoSuchMethodError while listing.
   */
  @Test
  void anIncompatibleHadoopClassIsNamedWithItsJarAtFirstUse() throws Exception {
    Path fake = incompatibleGlobPatternJar();
    CliProcess.Result r = run(classPath(List.of(fake), List.of()), List.of());
    assertFalse(r.exit() == 0, r.out());
    String err = r.err();
    assertTrue(err.contains("amlspark needs org.apache.hadoop.fs.GlobPattern.matches(CharSequence)"), tail(err));
    assertTrue(err.contains(fake.toString()) && err.contains("(version 2.7.0-old)"), tail(err));
    assertFalse(err.contains("NoSuchMethodError"), tail(err));
  }

  /** A GlobPattern as a Hadoop 2-era library might carry it: the constructor, but not the method used. */
  private Path incompatibleGlobPatternJar() throws IOException {
    Path src = dir.resolve("fake-src/org/apache/hadoop/fs/GlobPattern.java");
    Files.createDirectories(src.getParent());
    Files.writeString(src, "package org.apache.hadoop.fs;\n"
        + "public class GlobPattern {\n  public GlobPattern(String glob) {\n  }\n}\n");
    Path classes = Files.createDirectories(dir.resolve("fake-classes"));
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    assertEquals(0, javac.run(null, null, null, "-d", classes.toString(), src.toString()));
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.getMainAttributes().put(Attributes.Name.IMPLEMENTATION_VERSION, "2.7.0-old");
    Path jar = dir.resolve("old-hadoop-glob.jar");
    try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file, manifest)) {
      out.putNextEntry(new JarEntry("org/apache/hadoop/fs/GlobPattern.class"));
      out.write(Files.readAllBytes(classes.resolve("org/apache/hadoop/fs/GlobPattern.class")));
      out.closeEntry();
    }
    return jar;
  }

  private static String tail(String text) {
    return text.length() <= 4000 ? text : text.substring(text.length() - 4000);
  }
}

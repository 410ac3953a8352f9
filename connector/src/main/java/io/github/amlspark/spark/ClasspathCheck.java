package io.github.amlspark.spark;

import io.github.amlspark.AzureMLException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.spark.sql.connector.metric.CustomMetric;

/**
 * Checks once per JVM, at first use on the driver, that the libraries the jar does not bundle (Spark, its
 * Hadoop client and Scala: everything else is relocated inside it) are versions the connector can call.
 * Another jar on a crowded classpath can bring an older copy of one of their classes; without this check
 * that shows up as a {@code NoSuchMethodError} deep in a task. With it, the first read, write or
 * {@code AzureMLFiles} fails at once, naming the class, the jar it came from and that jar's version.
 */
public final class ClasspathCheck {
  private static final String HADOOP = "Hadoop 3, as Spark's hadoop-client-api ships it";
  private static final String SPARK = "Spark 3.2 or later";

  /** A method the connector's code calls on a class it does not bundle. */
  record Need(String library, String className, String method, Class<?>... parameters) {
  }

  private static final List<Need> NEEDS = List.of(
      new Need(HADOOP, "org.apache.hadoop.fs.GlobPattern", "matches", CharSequence.class),
      new Need(HADOOP, "org.apache.hadoop.fs.FSDataOutputStream", "hasCapability", String.class),
      new Need(SPARK, "org.apache.spark.sql.execution.metric.CustomMetrics", "buildV2CustomMetricTypeName",
          CustomMetric.class));

  private static volatile boolean passed;

  private ClasspathCheck() {
  }

  /**
   * Runs the check the first time it is called in this JVM; later calls return at once once it passed.
   *
   * @throws AzureMLException naming the class, jar and version when a required class is incompatible
   */
  public static void verify() {
    if (passed) {
      return;
    }
    ClassLoader loader = ClasspathCheck.class.getClassLoader();
    for (Need need : NEEDS) {
      check(need, loader);
    }
    checkScala(loader, buildProperty("scala.binary.version"));
    passed = true;
  }

  static void check(Need need, ClassLoader loader) {
    Class<?> type;
    try {
      type = Class.forName(need.className(), false, loader);
    } catch (ClassNotFoundException | LinkageError e) {
      throw new AzureMLException("amlspark needs " + need.className() + " from " + need.library()
          + ", but it is not on the classpath (" + e + "). Run amlspark on " + need.library() + ".", e);
    }
    try {
      type.getMethod(need.method(), need.parameters());
    } catch (NoSuchMethodException | LinkageError e) {
      throw new AzureMLException(incompatible(type, need.method() + "(" + Arrays.stream(need.parameters())
          .map(Class::getSimpleName).collect(Collectors.joining(", ")) + ")", need.library()), e);
    }
  }

  /** The connector's classes are compiled for one Scala binary version: 2.12 and 2.13 do not mix. */
  static void checkScala(ClassLoader loader, String expected) {
    Class<?> properties;
    String version;
    try {
      properties = Class.forName("scala.util.Properties", false, loader);
      version = (String) properties.getMethod("versionNumberString").invoke(null);
    } catch (ReflectiveOperationException | LinkageError e) {
      throw new AzureMLException("amlspark needs the Scala " + expected + " library, as Spark ships it, but "
          + "scala.util.Properties could not tell its version (" + e + ").", e);
    }
    if (!version.equals(expected) && !version.startsWith(expected + ".")) {
      throw new AzureMLException("This amlspark jar is built for Scala " + expected + ", but the Scala library "
          + "on the classpath is " + version + " (scala.util.Properties from " + origin(properties) + "). Use "
          + "the amlspark artifact for Scala " + version.replaceFirst("^(\\d+\\.\\d+).*", "$1") + ".");
    }
  }

  static String incompatible(Class<?> type, String member, String library) {
    return "amlspark needs " + type.getName() + "." + member + " from " + library + ", but "
        + type.getName() + " on this classpath comes from " + origin(type) + ", which lacks it. Another jar "
        + "brings an incompatible copy of that class: remove it, or put Spark's own jars first.";
  }

  /** @return the jar (or folder) a class was loaded from, and that jar's version when it tells it */
  static String origin(Class<?> type) {
    CodeSource source = type.getProtectionDomain().getCodeSource();
    URL location = source == null ? null : source.getLocation();
    if (location == null) {
      return "the JDK or an unnamed source";
    }
    return location + " (version " + jarVersion(location) + ")";
  }

  /**
   * From the jar's own manifest, not the class's {@link Package}: a package is defined once per class loader,
   * from whichever jar served its first class, so it may describe another jar.
   */
  private static String jarVersion(URL location) {
    String file = location.getPath().substring(location.getPath().lastIndexOf('/') + 1);
    try {
      Path path = Path.of(location.toURI());
      if (Files.isRegularFile(path)) {
        try (JarFile jar = new JarFile(path.toFile())) {
          Manifest manifest = jar.getManifest();
          for (String key : List.of("Implementation-Version", "Bundle-Version")) {
            String v = manifest == null ? null : manifest.getMainAttributes().getValue(key);
            if (v != null) {
              return v;
            }
          }
        }
      }
    } catch (IOException | URISyntaxException | IllegalArgumentException e) {
      // Fall back on the file name.
    }
    Matcher m = Pattern.compile("-(\\d[\\w.\\-]*)\\.jar$").matcher(file);
    return m.find() ? m.group(1) : "unknown";
  }

  private static String buildProperty(String name) {
    try (InputStream in = ClasspathCheck.class.getResourceAsStream("build.properties")) {
      if (in == null) {
        throw new IllegalStateException("io/github/amlspark/spark/build.properties is missing from the jar");
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty(name);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

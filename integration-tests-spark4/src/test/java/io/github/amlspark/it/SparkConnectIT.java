package io.github.amlspark.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.storage.blob.BlobContainerClient;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.spark.SparkContext;
import org.apache.spark.SparkEnv;
import org.apache.spark.sql.connect.service.SparkConnectService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.Option;

/**
 * Spark 4.0 only: a Spark Connect client in its own JVM, on the Connect client's jar (and Spark's, which
 * Spark 4.0's client still loads classes from), against a Connect server on this suite's session, as a
 * cluster's driver serves remote clients. The data source works through Connect, since the server plans and
 * runs it; the Java API, which plans on a classic session, refuses the client's session with a clear message.
 */
class SparkConnectIT {
  /** The Connect server's jar: it bundles the protocol classes against another protobuf relocation. */
  private static final String SERVER_JAR = "spark-connect_";

  @TempDir
  Path dir;

  @Test
  void theDataSourceWorksThroughConnectAndTheJavaApiRefusesIt() throws Exception {
    BlobContainerClient container = TestEnvironment.newContainer("connect");
    TestEnvironment.put(container, "in/a.txt", "alpha".getBytes(StandardCharsets.UTF_8));
    Path config = TestEnvironment.workspaceConfig(dir, "ds", container);
    int port;
    try (ServerSocket probe = new ServerSocket(0)) {
      port = probe.getLocalPort();
    }
    SparkContext context = TestEnvironment.spark().sparkContext();
    // The server reads its address from the running context's conf when it starts.
    SparkEnv.get().conf().set("spark.connect.grpc.binding.address", "127.0.0.1")
        .set("spark.connect.grpc.binding.port", Integer.toString(port));
    SparkConnectService.start(context);
    List<String> out;
    try {
      out = runClient("sc://127.0.0.1:" + port, config, dir.resolve("out"));
    } finally {
      SparkConnectService.stop(Option.empty(), Option.empty());
    }
    assertTrue(out.contains("read in/a.txt=alpha"), String.join("\n", out));
    assertTrue(out.contains("download in/a.txt=TRANSFERRED"), String.join("\n", out));
    assertEquals("alpha", TestEnvironment.readString(dir.resolve("out/in/a.txt")));
    assertTrue(out.contains("wrote"), String.join("\n", out));
    assertEquals("beta", container.getBlobClient("up/b.txt").downloadContent().toString());
    String facade = out.stream().filter(l -> l.startsWith("facade ")).findFirst().orElse("(none)");
    assertTrue(facade.startsWith("facade java.lang.UnsupportedOperationException: The AzureMLFiles Java API "
        + "needs a classic Spark session"), facade);
    assertTrue(facade.contains("format(\"azureml\")"), facade);
  }

  /** @return what the client printed on standard output, line by line */
  private List<String> runClient(String url, Path config, Path output) throws IOException, InterruptedException {
    // The client's jar first: it bundles its own copy of the SQL API, the same version as Spark's.
    List<String> classPath = new ArrayList<>(List.of(System.getProperty("connect.client.jar")));
    for (String entry : System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"))
        .split(File.pathSeparator)) {
      String name = Path.of(entry).getFileName().toString();
      if (!name.startsWith(SERVER_JAR)) {
        classPath.add(entry);
      }
    }
    List<String> command = CliProcess.java(List.of("-Xmx512m"), ConnectClient.class.getName());
    command.set(command.indexOf("-cp") + 1, String.join(File.pathSeparator, classPath));
    command.addAll(List.of(url, config.toString(), output.toString()));
    Path stdout = dir.resolve("client.out");
    Path stderr = dir.resolve("client.err");
    Process p = new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("the Connect client did not finish in 120 s: " + Files.readString(stderr));
    }
    assertEquals(0, p.exitValue(), () -> "client failed: " + readQuietly(stderr));
    return Files.readAllLines(stdout);
  }

  private static String readQuietly(Path file) {
    try {
      String s = Files.readString(file);
      return s.length() > 6000 ? s.substring(s.length() - 6000) : s;
    } catch (IOException e) {
      return e.toString();
    }
  }
}

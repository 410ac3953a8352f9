package io.github.amlspark.harness;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The Azurite blob emulator from the npm registry (pinned by package-lock.json), started on a free
 * loopback port with in-memory storage, and stopped with {@link #close()}.
 */
public final class Azurite implements AutoCloseable {
  /** Azurite's well-known development account. */
  public static final String ACCOUNT = "devstoreaccount1";
  /** Azurite's well-known development account key (public; documented by Microsoft). */
  public static final String ACCOUNT_KEY =
      "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

  /**
   * The port hadoop-azure's emulator mode ({@code wasb://container@storageemulator/}) always talks to, on
   * 127.0.0.1 (azure-storage's development account): it cannot be configured.
   */
  public static final int WASB_EMULATOR_PORT = 10000;

  /** Clock ticks per second of /proc's CPU times on Linux. */
  static final double TICKS_PER_SECOND = 100.0;

  private final Process process;
  private final int port;

  private Azurite(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /**
   * @return the folder holding node_modules/azurite for the harness's main classes: the one bin/harness
   *     passes as {@code azurite.home}, else integration-tests under the working folder
   */
  public static Path harnessHome() {
    return Path.of(System.getProperty("azurite.home", "integration-tests"));
  }

  /**
   * @param home the folder holding node_modules/azurite (after {@code npm ci})
   * @param port the port, or 0 for a free one
   * @return the running emulator, ready for requests
   * @throws IOException when it does not start
   */
  public static Azurite start(Path home, int port) throws IOException {
    return start(home, port, List.of("--inMemoryPersistence"));
  }

  /**
   * An emulator that keeps its blobs on disk, so that one stopped and started again on the same port and
   * folder still has them (as a service restarting would).
   *
   * @param home the folder holding node_modules/azurite (after {@code npm ci})
   * @param port the port, or 0 for a free one
   * @param location where the blobs are kept
   * @return the running emulator, ready for requests
   * @throws IOException when it does not start
   */
  public static Azurite startPersistent(Path home, int port, Path location) throws IOException {
    return start(home, port, List.of("--location", location.toString()));
  }

  private static Azurite start(Path home, int port, List<String> storage) throws IOException {
    Path bin = home.resolve("node_modules/.bin/azurite-blob");
    if (!Files.isExecutable(bin)) {
      throw new IOException("Azurite is not installed at " + bin + ": run `npm ci` in " + home);
    }
    int p = port == 0 ? freePort() : port;
    List<String> command = new java.util.ArrayList<>(List.of(bin.toString(), "--blobHost", "127.0.0.1",
        "--blobPort", String.valueOf(p), "--silent", "--disableTelemetry", "--skipApiVersionCheck"));
    command.addAll(storage);
    Process process = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start();
    Azurite azurite = new Azurite(process, p);
    // A JVM that is stopped (Ctrl-C, a killed test run) must not leave the emulator running.
    Runtime.getRuntime().addShutdownHook(new Thread(process::destroy, "azurite-stop"));
    azurite.awaitReady();
    return azurite;
  }

  /**
   * @param home the folder holding node_modules/azurite
   * @return an emulator on {@link #WASB_EMULATOR_PORT}, for WASB
   * @throws IOException when that port is taken (the readiness check would otherwise take whatever
   *     listens there for Azurite) or the emulator does not start
   */
  public static Azurite startForWasb(Path home) throws IOException {
    try (ServerSocket probe = new ServerSocket()) {
      probe.bind(new InetSocketAddress("127.0.0.1", WASB_EMULATOR_PORT));
    } catch (java.net.BindException taken) {
      throw new IOException("port " + WASB_EMULATOR_PORT + " is taken by another process; WASB tests need "
          + "Azurite there because hadoop-azure's emulator mode is fixed to it: stop it and rerun", taken);
    }
    return start(home, WASB_EMULATOR_PORT);
  }

  private void awaitReady() throws IOException {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException("Azurite exited with code " + process.exitValue());
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (IOException notYet) {
        try {
          Thread.sleep(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted", e);
        }
      }
    }
    close();
    throw new IOException("Azurite did not listen on port " + port + " within 60 s");
  }

  /** @return a free loopback port */
  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /**
   * @return the CPU time the emulator's process has used so far, user and system (Linux only)
   * @throws IOException when it cannot be read
   */
  public double cpuSeconds() throws IOException {
    long[] ticks = userAndSystemTicks(Files.readString(Path.of("/proc", String.valueOf(process.pid()), "stat")));
    return (ticks[0] + ticks[1]) / TICKS_PER_SECOND;
  }

  /**
   * @param stat the text of a process's or thread's {@code /proc/.../stat}
   * @return its user and system CPU time, in clock ticks: the 14th and 15th fields, after the command's
   *     name in parentheses
   */
  static long[] userAndSystemTicks(String stat) {
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return new long[] {Long.parseLong(fields[11]), Long.parseLong(fields[12])};
  }

  /** @return the port it listens on */
  public int port() {
    return port;
  }

  /** @return the development account's blob endpoint */
  public String accountUrl() {
    return "http://127.0.0.1:" + port + "/" + ACCOUNT;
  }

  /** @return a connection string for the development account */
  public String connectionString() {
    return "DefaultEndpointsProtocol=http;AccountName=" + ACCOUNT + ";AccountKey=" + ACCOUNT_KEY
        + ";BlobEndpoint=" + accountUrl() + ";";
  }

  @Override
  public void close() {
    process.descendants().forEach(ProcessHandle::destroy);
    process.destroy();
    try {
      process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

package io.github.amlspark.it;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the {@code amlspark} command line as its own process, on the test classpath's shaded jar. */
final class CliProcess {
  private static final String MAIN = "io.github.amlspark.cli.AmlSparkCli";

  private CliProcess() {
  }

  /** What a run of the command printed, and its exit code. */
  record Result(int exit, String out, String err) {
  }

  /**
   * @param jvmArgs JVM flags for the child
   * @param mainClass its main class
   * @return a {@code java} command line on this test run's classpath and module openings, ready for the
   *     main class's arguments
   */
  static List<String> java(List<String> jvmArgs, String mainClass) {
    return java(jvmArgs, testClassPath(), mainClass);
  }

  /** @return this test run's classpath (test classes, the shaded jar, Spark and the test libraries) */
  static String testClassPath() {
    return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
  }

  /**
   * @param jvmArgs JVM flags for the child
   * @param classPath its classpath
   * @param mainClass its main class
   * @return a {@code java} command line with this test run's module openings
   */
  static List<String> java(List<String> jvmArgs, String classPath, String mainClass) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (arg.startsWith("--add-opens") || arg.startsWith("--add-exports")) {
        command.add(arg);
      }
    }
    command.addAll(jvmArgs);
    command.addAll(List.of("-cp", classPath, mainClass));
    return command;
  }

  /**
   * @param workingDir the process's working folder (also where its output is captured)
   * @param env environment changes: a null value removes the variable
   * @param args the command line
   * @return what it printed and its exit code
   */
  static Result run(Path workingDir, Map<String, String> env, String... args) throws IOException,
      InterruptedException {
    return run(workingDir, env, List.of(), args);
  }

  /**
   * @param workingDir the process's working folder (also where its output is captured)
   * @param env environment changes: a null value removes the variable
   * @param jvmArgs more JVM flags (system properties)
   * @param args the command line
   * @return what it printed and its exit code
   */
  static Result run(Path workingDir, Map<String, String> env, List<String> jvmArgs, String... args)
      throws IOException, InterruptedException {
    List<String> flags = new ArrayList<>(List.of("-Xmx768m", "-Damlspark.progress=plain"));
    flags.addAll(jvmArgs);
    List<String> command = java(flags, MAIN);
    command.addAll(List.of(args));
    Path out = Files.createTempFile("amlspark-cli", ".out");
    Path err = Files.createTempFile("amlspark-cli", ".err");
    ProcessBuilder builder = new ProcessBuilder(command).directory(workingDir.toFile())
        .redirectOutput(out.toFile()).redirectError(err.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    env.forEach((k, v) -> {
      if (v == null) {
        builder.environment().remove(k);
      } else {
        builder.environment().put(k, v);
      }
    });
    Process p = builder.start();
    try {
      if (!p.waitFor(180, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("amlspark did not finish: " + Files.readString(err));
      }
      return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }
}

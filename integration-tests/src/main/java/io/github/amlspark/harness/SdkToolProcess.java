package io.github.amlspark.harness;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * {@link SdkTool} kept running in a JVM of its own ({@code bin/harness ... SdkTool serve}) for the warm
 * rows, so that a warm SDK tool and a warm amlspark session each have a JVM to themselves.
 */
final class SdkToolProcess implements AutoCloseable {
  /** One call's wall time and the tool's CPU time, in seconds. */
  record Call(double seconds, double cpu) {
  }

  private final Process process;
  private final Writer commands;
  private final BufferedReader answers;

  SdkToolProcess(Path repo, Path log) throws IOException {
    ProcessBuilder builder = new ProcessBuilder(repo.resolve("bin/harness").toString(), SdkTool.class.getName(),
        "serve").redirectError(log.toFile());
    builder.environment().remove("JAVA_OPTS");
    process = builder.start();
    commands = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    answers = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
  }

  /**
   * @param command a command of {@link SdkTool#main}
   * @param containerUrl the container's URL with a SAS
   * @param args the command's arguments
   * @return the call's times
   * @throws IOException when the call fails or the tool has stopped
   */
  Call call(String command, String containerUrl, List<String> args) throws IOException {
    commands.write(command + " " + containerUrl + " " + String.join(" ", args) + "\n");
    commands.flush();
    String answer;
    // The SDK's own logging may share the output: the answer is the line the tool writes.
    do {
      answer = answers.readLine();
      if (answer == null) {
        throw new IOException("the SDK tool stopped (exit code " + waitForExit() + ")");
      }
    } while (!answer.startsWith("sdk."));
    if (answer.startsWith("sdk.error=")) {
      throw new IOException("SDK tool: " + answer.substring(10));
    }
    String[] fields = answer.split(" ");
    return new Call(Double.parseDouble(fields[0].substring("sdk.seconds=".length())),
        Double.parseDouble(fields[1].substring("sdk.cpu=".length())));
  }

  private int waitForExit() {
    try {
      return process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  @Override
  public void close() throws IOException {
    commands.close();
    waitForExit();
  }
}

package io.github.amlspark.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Writes an offline Azure ML workspace config whose datastores are containers of an emulator account:
 * the embedded default that runs with no Azure account.
 */
public final class LocalWorkspace {
  private final Map<String, String> datastores = new LinkedHashMap<>();

  /**
   * @param name datastore name
   * @param accountUrl the account's blob endpoint
   * @param container the container behind it
   * @param accountKey the account key
   * @return this
   */
  public LocalWorkspace withKeyDatastore(String name, String accountUrl, String container, String accountKey) {
    datastores.put(name, "{\"account_url\": \"" + accountUrl + "\", \"container\": \"" + container
        + "\", \"account_key\": \"" + accountKey + "\"}");
    return this;
  }

  /**
   * @param name datastore name
   * @param accountUrl the account's blob endpoint
   * @param container the container behind it
   * @param sas a SAS token for the container
   * @return this
   */
  public LocalWorkspace withSasDatastore(String name, String accountUrl, String container, String sas) {
    datastores.put(name, "{\"account_url\": \"" + accountUrl + "\", \"container\": \"" + container
        + "\", \"sas_token\": \"" + sas + "\"}");
    return this;
  }

  /**
   * @param file where to write the config
   * @return the file
   */
  public Path writeTo(Path file) {
    String body = datastores.entrySet().stream()
        .map(e -> "    \"" + e.getKey() + "\": " + e.getValue())
        .collect(Collectors.joining(",\n"));
    String json = "{\n  \"subscription_id\": \"00000000-0000-0000-0000-000000000000\",\n"
        + "  \"resource_group\": \"local\",\n  \"workspace_name\": \"local\",\n  \"offline\": true,\n"
        + "  \"datastores\": {\n" + body + "\n  }\n}\n";
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.writeString(file, json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }
}

package io.github.amlspark.workspace;

import com.azure.json.JsonProviders;
import com.azure.json.JsonReader;
import io.github.amlspark.Workspace;
import io.github.amlspark.WorkspaceNotFoundException;
import io.github.amlspark.auth.SecretString;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * An Azure ML {@code config.json}: the workspace's ids plus amlspark's optional keys {@code datastores}
 * (defined inline, resolved with no Azure call), {@code offline}, {@code arm_endpoint} and
 * {@code storage_endpoints}.
 *
 * @param source the file it was read from
 * @param workspace the workspace's ids
 * @param offline whether Azure must never be called
 * @param datastores the inline datastores by name
 * @param armEndpoint another cloud's ARM endpoint, or null for the public cloud
 * @param storageEndpoints account name to base URL, for emulators, private endpoints and proxies
 */
public record WorkspaceConfig(Path source, Workspace workspace, boolean offline,
    Map<String, DatastoreSpec> datastores, String armEndpoint, Map<String, String> storageEndpoints) {

  /**
   * @param file the config file
   * @return the parsed config
   * @throws WorkspaceNotFoundException when the file is missing, unreadable or malformed; the message
   *     names the file and the problem, never a value from it
   */
  public static WorkspaceConfig load(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new WorkspaceNotFoundException("Workspace config file " + file.toAbsolutePath()
          + " does not exist. Give the path of an Azure ML config.json (download it from the workspace's "
          + "overview page in Azure ML studio).");
    }
    Object root;
    try (JsonReader reader = JsonProviders.createReader(Files.readAllBytes(file))) {
      reader.nextToken();
      root = reader.readUntyped();
    } catch (IOException | RuntimeException e) {
      throw new WorkspaceNotFoundException("Workspace config file " + file.toAbsolutePath()
          + " could not be read as JSON (" + e.getClass().getSimpleName()
          + "). Check that it is an Azure ML config.json.");
    }
    if (!(root instanceof Map<?, ?> map)) {
      throw malformed(file, "it is not a JSON object");
    }
    Workspace workspace = Workspace.of(
        requiredString(map, "subscription_id", file),
        requiredString(map, "resource_group", file),
        requiredString(map, "workspace_name", file));
    Map<String, String> endpoints = new LinkedHashMap<>();
    objectOf(map, "storage_endpoints", file).forEach((k, v) -> endpoints.put(
        k.toLowerCase(Locale.ROOT), stringOf(v, "storage_endpoints." + k, file)));
    Map<String, DatastoreSpec> datastores = new LinkedHashMap<>();
    objectOf(map, "datastores", file).forEach((name, value) -> {
      if (!(value instanceof Map<?, ?> ds)) {
        throw malformed(file, "datastores." + name + " is not an object");
      }
      datastores.put(name, inlineDatastore(name, ds, endpoints, file));
    });
    Object offline = map.get("offline");
    if (offline != null && !(offline instanceof Boolean)) {
      throw malformed(file, "'offline' must be true or false");
    }
    Object arm = map.get("arm_endpoint");
    return new WorkspaceConfig(file, workspace, Boolean.TRUE.equals(offline), datastores,
        arm == null ? null : stringOf(arm, "arm_endpoint", file), endpoints);
  }

  private static DatastoreSpec inlineDatastore(String name, Map<?, ?> ds, Map<String, String> endpoints,
      Path file) {
    String prefix = "datastores." + name + ".";
    String accountUrl = ds.get("account_url") == null ? null
        : stringOf(ds.get("account_url"), prefix + "account_url", file);
    // With account_url, account_name is optional: SAS are then signed for the account the URL names.
    String account = accountUrl == null ? requiredString(ds, "account_name", file, prefix)
        : optionalString(ds, "account_name", file, prefix);
    if (accountUrl == null) {
      accountUrl = endpoints.getOrDefault(account.toLowerCase(Locale.ROOT),
          "https://" + account + ".blob.core.windows.net");
    }
    SecretString key = SecretString.ofNullable(optionalString(ds, "account_key", file, prefix));
    if (key != null && !isBase64(key.reveal())) {
      throw malformed(file, prefix + "account_key is not a storage account key (base64); copy it from the "
          + "storage account's Access keys page");
    }
    String rawSas = optionalString(ds, "sas_token", file, prefix);
    // Portal-copied tokens start with '?'; the SDK wants the query alone.
    SecretString sas = SecretString.ofNullable(rawSas == null ? null : rawSas.trim().replaceFirst("^\\?", ""));
    if (key == null && sas == null) {
      throw malformed(file, prefix + "account_key or " + prefix + "sas_token must be set");
    }
    return new DatastoreSpec(name, account, accountUrl, requiredString(ds, "container", file, prefix), key, sas,
        null);
  }

  private static boolean isBase64(String value) {
    try {
      Base64.getDecoder().decode(value);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static String requiredString(Map<?, ?> map, String key, Path file) {
    return requiredString(map, key, file, "");
  }

  private static String requiredString(Map<?, ?> map, String key, Path file, String prefix) {
    String v = optionalString(map, key, file, prefix);
    if (v == null || v.isBlank()) {
      throw malformed(file, "'" + prefix + key + "' is missing");
    }
    return v;
  }

  private static String optionalString(Map<?, ?> map, String key, Path file, String prefix) {
    Object v = map.get(key);
    return v == null ? null : stringOf(v, prefix + key, file);
  }

  private static String stringOf(Object v, String what, Path file) {
    if (!(v instanceof String s)) {
      throw malformed(file, "'" + what + "' must be a string");
    }
    return s;
  }

  private static Map<String, Object> objectOf(Map<?, ?> map, String key, Path file) {
    Object v = map.get(key);
    if (v == null) {
      return Map.of();
    }
    if (!(v instanceof Map<?, ?> m)) {
      throw malformed(file, "'" + key + "' must be an object");
    }
    Map<String, Object> out = new LinkedHashMap<>();
    m.forEach((k, val) -> out.put(String.valueOf(k), val));
    return out;
  }

  private static WorkspaceNotFoundException malformed(Path file, String problem) {
    return new WorkspaceNotFoundException("Workspace config file " + file.toAbsolutePath()
        + " is not usable: " + problem + ". See docs/configuration.md for its format.");
  }

  @Override
  public String toString() {
    return "WorkspaceConfig(" + source + ", " + workspace + ", datastores=" + datastores.keySet() + ")";
  }
}

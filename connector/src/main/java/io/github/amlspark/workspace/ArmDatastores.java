package io.github.amlspark.workspace;

import com.azure.identity.ClientSecretCredentialBuilder;
import io.github.amlspark.AzureMLException;
import io.github.amlspark.arm.ArmClient;
import io.github.amlspark.auth.NamedCredential;
import io.github.amlspark.auth.SecretString;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Datastores as Azure ML's control plane defines them ({@code GET datastores/{name}}, then
 * {@code POST datastores/{name}/listSecrets} when the datastore holds a key, SAS or client secret), turned
 * into {@link DatastoreSpec}s. Blob and ADLS Gen2 datastores (through the blob endpoint) are supported;
 * storage URLs come from the datastore's endpoint suffix unless {@code storage_endpoints} maps the account.
 */
final class ArmDatastores {
  private final ArmClient arm;
  private final Map<String, String> storageEndpoints;
  private final NamedCredential caller;

  /**
   * @param arm the workspace's ARM client
   * @param storageEndpoints account name (lower case) to base URL
   * @param caller the caller's credential, used for identity-based datastores
   */
  ArmDatastores(ArmClient arm, Map<String, String> storageEndpoints, NamedCredential caller) {
    this.arm = arm;
    this.storageEndpoints = storageEndpoints;
    this.caller = caller;
  }

  /**
   * @param name the datastore
   * @return it, with its credential
   * @throws io.github.amlspark.arm.ArmException when ARM refuses (404: no such datastore)
   */
  DatastoreSpec resolve(String name) {
    Map<String, Object> properties = object(arm.get("datastores/" + name), "properties", name);
    String type = string(properties, "datastoreType", name);
    String container = switch (type) {
      case "AzureBlob" -> string(properties, "containerName", name);
      case "AzureDataLakeGen2" -> string(properties, "filesystem", name);
      default -> throw new AzureMLException("Datastore '" + name + "' is of type " + type + ", which amlspark "
          + "does not support: use an AzureBlob or AzureDataLakeGen2 datastore.");
    };
    String account = string(properties, "accountName", name);
    String accountUrl = accountUrl(properties, storageEndpoints, name);
    Map<String, Object> credentials = object(properties, "credentials", name);
    String kind = string(credentials, "credentialsType", name);
    DatastoreSpec spec = switch (kind) {
      case "AccountKey" -> new DatastoreSpec(name, account, accountUrl, container, secret(name, "key"), null,
          null);
      case "Sas" -> new DatastoreSpec(name, account, accountUrl, container, null,
          SecretString.ofNullable(secret(name, "sasToken").reveal().trim().replaceFirst("^\\?", "")), null);
      case "ServicePrincipal" -> {
        String clientId = string(credentials, "clientId", name);
        ClientSecretCredentialBuilder sp = new ClientSecretCredentialBuilder().clientId(clientId)
            .tenantId(string(credentials, "tenantId", name)).clientSecret(secret(name, "clientSecret").reveal());
        String authority = optional(credentials, "authorityUrl", null);
        if (authority != null) {
          sp.authorityHost(authority);
        }
        yield new DatastoreSpec(name, account, accountUrl, container, null, null,
            new NamedCredential(sp.build(), "datastore " + name + "'s service principal " + clientId));
      }
      case "None" -> new DatastoreSpec(name, account, accountUrl, container, null, null, caller);
      default -> throw new AzureMLException("Datastore '" + name + "' uses " + kind + " credentials, which "
          + "amlspark does not support: use an account key, a SAS, a service principal or identity-based "
          + "access.");
    };
    return "AzureDataLakeGen2".equals(type) ? spec.asAdlsGen2() : spec;
  }

  /**
   * @param properties a datastore's ARM properties
   * @param storageEndpoints account name (lower case) to base URL
   * @param name the datastore, for messages
   * @return its account's blob endpoint: a mapped one, else from its protocol and cloud suffix
   */
  static String accountUrl(Map<String, Object> properties, Map<String, String> storageEndpoints, String name) {
    String account = string(properties, "accountName", name);
    String mapped = storageEndpoints.get(account.toLowerCase(Locale.ROOT));
    return mapped != null ? mapped : optional(properties, "protocol", "https") + "://" + account + ".blob."
        + optional(properties, "endpoint", "core.windows.net");
  }

  /** @return the names of the workspace's datastores, for "not found" messages; empty when unlistable */
  List<String> names() {
    return arm.names("datastores");
  }

  private SecretString secret(String name, String key) {
    Object value = arm.post("datastores/" + name + "/listSecrets").get(key);
    if (!(value instanceof String s) || s.isBlank()) {
      throw new AzureMLException("Azure ML returned no '" + key + "' among datastore " + name + "'s secrets; "
          + "check that the datastore's credential is set in the workspace.");
    }
    return SecretString.ofNullable(s);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> object(Map<String, Object> map, String key, String name) {
    if (map.get(key) instanceof Map<?, ?> m) {
      return (Map<String, Object>) m;
    }
    throw unexpected(name, key);
  }

  private static String string(Map<String, Object> map, String key, String name) {
    if (map.get(key) instanceof String s && !s.isBlank()) {
      return s;
    }
    throw unexpected(name, key);
  }

  private static String optional(Map<String, Object> map, String key, String fallback) {
    return map.get(key) instanceof String s && !s.isBlank() ? s : fallback;
  }

  private static AzureMLException unexpected(String name, String key) {
    return new AzureMLException("Azure ML's definition of datastore '" + name + "' has no '" + key + "'; "
        + "amlspark cannot tell how to reach it.", null);
  }
}

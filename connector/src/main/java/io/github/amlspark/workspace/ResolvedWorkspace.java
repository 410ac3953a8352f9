package io.github.amlspark.workspace;

import io.github.amlspark.Workspace;
import io.github.amlspark.arm.ArmClient;
import io.github.amlspark.auth.NamedCredential;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The workspace that discovery found.
 *
 * @param workspace its ids
 * @param config the config file it came from, or null when it came from elsewhere
 * @param foundBy which discovery step found it, for messages
 * @param credential the driver's credential for Azure calls, chosen on first use (inline datastores need
 *     none)
 */
public record ResolvedWorkspace(Workspace workspace, WorkspaceConfig config, String foundBy,
    Supplier<NamedCredential> credential) {

  /** @return the cloud's Resource Manager endpoint, or null for the public cloud */
  public String armEndpoint() {
    return config == null ? null : config.armEndpoint();
  }

  /** @return account name (lower case) to base URL */
  public Map<String, String> storageEndpoints() {
    return config == null ? Map.of() : config.storageEndpoints();
  }

  /** @return a client for this workspace's Resource Manager calls, with the driver's credential */
  public ArmClient arm() {
    return new ArmClient(armEndpoint(), workspace, credential.get());
  }

  /** @return whether Azure must never be called */
  public boolean offline() {
    return config != null && config.offline();
  }
}

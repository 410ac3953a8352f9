package io.github.amlspark.workspace;

import io.github.amlspark.Workspace;
import java.io.Serializable;

/**
 * How the caller asked for a workspace and credential: the first two steps of the discovery order, and
 * the first two of the credential order.
 *
 * @param explicit a workspace given to the builder or as options, or null
 * @param configPath a workspace config file given explicitly, or null
 * @param credentialProvider class name of a TokenCredential to use, or null
 * @param credentialHandle the handle of a credential given to the builder, or null
 */
public record WorkspaceRequest(Workspace explicit, String configPath, String credentialProvider,
    String credentialHandle) implements Serializable {

  /** @return a request that leaves everything to discovery */
  public static WorkspaceRequest discover() {
    return new WorkspaceRequest(null, null, null, null);
  }
}

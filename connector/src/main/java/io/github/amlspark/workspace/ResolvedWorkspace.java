package io.github.amlspark.workspace;

import io.github.amlspark.Workspace;

/**
 * The workspace that discovery found.
 *
 * @param workspace its ids
 * @param config the config file it came from, or null when it came from elsewhere
 * @param foundBy which discovery step found it, for messages
 */
public record ResolvedWorkspace(Workspace workspace, WorkspaceConfig config, String foundBy) {
}

package io.github.amlspark.workspace;

import io.github.amlspark.DatastoreNotFoundException;
import java.util.Map;

/**
 * Resolves a datastore name within a workspace. Inline datastores of the workspace config are resolved
 * with no Azure call.
 */
public final class DatastoreResolver {
  private DatastoreResolver() {
  }

  /**
   * @param workspace the workspace
   * @param name the datastore name
   * @return the datastore
   * @throws DatastoreNotFoundException naming the datastores the workspace knows
   */
  public static DatastoreSpec resolve(ResolvedWorkspace workspace, String name) {
    Map<String, DatastoreSpec> inline = workspace.config() == null ? Map.of()
        : workspace.config().datastores();
    DatastoreSpec spec = inline.get(name);
    if (spec != null) {
      return spec;
    }
    throw new DatastoreNotFoundException("Datastore '" + name + "' was not found in workspace "
        + workspace.workspace().name() + " (" + workspace.foundBy() + "). Known datastores: "
        + (inline.isEmpty() ? "none defined inline" : String.join(", ", inline.keySet()))
        + ". Check the name, or define it under \"datastores\" in the workspace config.");
  }
}

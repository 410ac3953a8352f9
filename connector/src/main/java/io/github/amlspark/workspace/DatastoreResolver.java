package io.github.amlspark.workspace;

import io.github.amlspark.DatastoreNotFoundException;
import io.github.amlspark.arm.ArmException;
import io.github.amlspark.auth.NamedCredential;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Resolves a datastore name within a workspace: inline datastores of the workspace config with no Azure
 * call, others through Azure Resource Manager (unless the config is {@code offline}). ARM answers are
 * cached in the driver for {@link #CACHE_TTL}, so a job resolves each datastore once, not per file or
 * per query.
 */
public final class DatastoreResolver {
  /** How long an ARM-resolved datastore is reused. */
  static final Duration CACHE_TTL = Duration.ofMinutes(15);

  private static final ConcurrentMap<String, Cached> CACHE = new ConcurrentHashMap<>();

  private record Cached(DatastoreSpec spec, long expiresAtNanos) {
  }

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
    if (workspace.offline()) {
      throw notFound(workspace, name, new ArrayList<>(inline.keySet()),
          "Check the name, or define it under \"datastores\" in the workspace config (which is offline: "
              + "Azure is never asked).");
    }
    NamedCredential credential = workspace.credential().get();
    String key = String.join("|", String.valueOf(workspace.armEndpoint()), workspace.workspace().toString(),
        name, credential.description(), String.valueOf(workspace.storageEndpoints()));
    Cached cached = CACHE.get(key);
    if (cached != null && cached.expiresAtNanos() - System.nanoTime() > 0) {
      return cached.spec();
    }
    ArmDatastores arm = new ArmDatastores(workspace.arm(), workspace.storageEndpoints(), credential);
    try {
      spec = arm.resolve(name);
    } catch (ArmException e) {
      if (e.status() != 404) {
        throw e;
      }
      List<String> known = new ArrayList<>(inline.keySet());
      known.addAll(arm.names());
      throw notFound(workspace, name, known, "Check the name (datastore names are case-sensitive).");
    }
    CACHE.put(key, new Cached(spec, System.nanoTime() + CACHE_TTL.toNanos()));
    return spec;
  }

  private static DatastoreNotFoundException notFound(ResolvedWorkspace workspace, String name,
      List<String> known, String advice) {
    return new DatastoreNotFoundException("Datastore '" + name + "' was not found in workspace "
        + workspace.workspace().name() + " (" + workspace.foundBy() + "). Known datastores: "
        + (known.isEmpty() ? "none" : String.join(", ", known)) + ". " + advice);
  }
}

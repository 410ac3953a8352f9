package io.github.amlspark.workspace;

import io.github.amlspark.AddressNotFoundException;
import io.github.amlspark.AzureMLException;
import io.github.amlspark.Workspace;
import io.github.amlspark.arm.ArmClient;
import io.github.amlspark.arm.ArmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Maps an {@link AzureMLAddress} to the datastore path it stands for, on the driver: datastore paths and a
 * job's artifacts as they are written; a job's named output through the job's outputs in Azure Resource
 * Manager (its {@code uri}, else Azure ML's default {@code azureml/<job>/<output>/} on the workspace's
 * default datastore); a data asset through its version's {@code dataUri}. Free of Spark, so that any
 * caller (a read, a download, a Hadoop file system) resolves addresses the same way. The REST shapes it
 * relies on are in {@code docs/addresses.md}.
 */
public final class AddressResolver {
  /** Azure ML's default datastore when the workspace marks none as default. */
  static final String DEFAULT_DATASTORE = "workspaceblobstore";

  /**
   * A place in a datastore.
   *
   * @param datastore the datastore
   * @param path the blob-name prefix (a folder ends with {@code /}; "" is the whole datastore)
   * @param file whether the path names one file (a {@code uri_file} asset or output), not a prefix
   * @param source what the address named and where that is, for messages
   */
  public record DatastorePath(String datastore, String path, boolean file, String source) {
  }

  private AddressResolver() {
  }

  /**
   * @param workspace the workspace the address is read in (the one it names, when it names one)
   * @param address the address
   * @return the datastore path it stands for
   * @throws io.github.amlspark.RunNotFoundException when it names a job the workspace does not have
   * @throws AddressNotFoundException when it names an output, data asset or version that does not exist,
   *     naming the ones that do
   */
  public static DatastorePath resolve(ResolvedWorkspace workspace, AzureMLAddress address) {
    return resolve(workspace, address, true);
  }

  private static DatastorePath resolve(ResolvedWorkspace workspace, AzureMLAddress address, boolean nested) {
    switch (address.kind()) {
      case DATASTORE:
        return new DatastorePath(address.datastore(), address.path(), false, "datastore " + address.datastore());
      case ARTIFACTS:
        return new DatastorePath(RunLookup.ARTIFACT_STORE, RunLookup.runRoot(address.job()) + address.path(),
            false, "run with ID " + address.job());
      case JOB_OUTPUT: {
        requireArm(workspace, address);
        DatastorePath base = outputLocation(workspace, address.job(), address.output(),
            RunLookup.job(workspace, address.job()), nested, () -> defaultDatastore(workspace.arm()));
        return within(base, address.path());
      }
      default:
        requireArm(workspace, address);
        return dataLocation(workspace, address.asset(), address.version(), nested);
    }
  }

  /**
   * @param workspace the workspace, for nested locations and messages
   * @param job the job
   * @param output the output's name
   * @param jobJson the job as {@code GET jobs/{job}} returns it
   * @param nested whether a location that is itself a job address may be followed
   * @param defaultDatastore the workspace's default datastore, asked for only when the output has no uri
   * @return where the output is
   */
  static DatastorePath outputLocation(ResolvedWorkspace workspace, String job, String output,
      Map<String, Object> jobJson, boolean nested, Supplier<String> defaultDatastore) {
    Map<String, Object> outputs = object(object(jobJson, "properties"), "outputs");
    if (!(outputs.get(output) instanceof Map<?, ?> found)) {
      List<String> names = new ArrayList<>(outputs.keySet());
      names.add(AzureMLAddress.ARTIFACTS_OUTPUT + " (the job's own files)");
      throw new AddressNotFoundException("Job " + job + " has no output '" + output + "'. Its outputs: "
          + String.join(", ", names) + ". Check the name (output names are case-sensitive).");
    }
    boolean file = isFileType(found.get("jobOutputType"));
    String what = "job " + job + "'s output '" + output + "'";
    if (found.get("uri") instanceof String uri && !uri.isBlank()) {
      return location(workspace, uri, file, what, nested);
    }
    // Azure ML's default for an output given no path: azureml/<job>/<output>/ on the default datastore.
    String datastore = defaultDatastore.get();
    String path = "azureml/" + job + "/" + output + "/";
    return new DatastorePath(datastore, path, false, what + " (datastore " + datastore + ", " + path + ")");
  }

  private static DatastorePath dataLocation(ResolvedWorkspace workspace, String asset, String version,
      boolean nested) {
    ArmClient arm = workspace.arm();
    String container = "data/" + ArmClient.segment(asset);
    String resolvedVersion = version;
    if (version == null) {
      Map<String, Object> found = arm.get(container, () -> unknownAsset(workspace, arm, asset));
      resolvedVersion = string(object(found, "properties"), "latestVersion", "data asset " + asset);
    }
    String v = resolvedVersion;
    Map<String, Object> dataVersion = arm.get(container + "/versions/" + ArmClient.segment(v),
        () -> version == null ? unknownAsset(workspace, arm, asset) : unknownVersion(workspace, arm, asset, v));
    Map<String, Object> properties = object(dataVersion, "properties");
    String what = "data asset " + asset + " version " + v;
    return location(workspace, string(properties, "dataUri", what), isFileType(properties.get("dataType")), what,
        nested);
  }

  /** Follows a location that Azure ML gave: a datastore path, or (once) a job's output or artifacts. */
  private static DatastorePath location(ResolvedWorkspace workspace, String uri, boolean file, String what,
      boolean nested) {
    String shown = uri.replaceFirst("[?#].*", "");
    AzureMLAddress target;
    try {
      target = AzureMLAddress.parseLocation(uri);
    } catch (IllegalArgumentException e) {
      throw unsupported(what, shown);
    }
    if (target.workspace() != null && !same(target.workspace(), workspace.workspace())) {
      throw new AzureMLException(what + " is at " + shown + ", in workspace " + target.workspace().name()
          + ", not in " + workspace.workspace().name() + " where it was looked up. Read that address itself.");
    }
    if (target.kind() == AzureMLAddress.Kind.DATASTORE) {
      String path = file || target.path().isEmpty() || target.path().endsWith("/") ? target.path()
          : target.path() + "/";
      return new DatastorePath(target.datastore(), path, file,
          what + " (datastore " + target.datastore() + ", " + path + ")");
    }
    if (!nested || target.kind() == AzureMLAddress.Kind.DATA_ASSET) {
      throw unsupported(what, shown);
    }
    DatastorePath inner = resolve(workspace, target, false);
    return new DatastorePath(inner.datastore(), inner.path(), file && !inner.path().endsWith("/"),
        what + " (" + inner.source() + ")");
  }

  /** @return the sub-path within a location, used exactly as a prefix is */
  private static DatastorePath within(DatastorePath base, String subPath) {
    if (subPath.isEmpty()) {
      return base;
    }
    String folder = base.path().isEmpty() || base.path().endsWith("/") ? base.path() : base.path() + "/";
    return new DatastorePath(base.datastore(), folder + subPath, false, base.source() + ", path " + subPath);
  }

  /**
   * @param datastores the answer of {@code GET datastores?isDefault=true}
   * @return the datastore marked default, else Azure ML's {@value #DEFAULT_DATASTORE}
   */
  static String defaultDatastore(Map<String, Object> datastores) {
    if (datastores.get("value") instanceof List<?> values) {
      for (Object v : values) {
        if (v instanceof Map<?, ?> ds && ds.get("name") instanceof String name
            && ds.get("properties") instanceof Map<?, ?> p && Boolean.TRUE.equals(p.get("isDefault"))) {
          return name;
        }
      }
    }
    return DEFAULT_DATASTORE;
  }

  private static String defaultDatastore(ArmClient arm) {
    return defaultDatastore(arm.get("datastores", Map.of("isDefault", "true")));
  }

  /** {@code uri_file} (data versions) and {@code UriFile} (containers) name one file; the rest folders. */
  static boolean isFileType(Object type) {
    return type instanceof String s && s.replace("_", "").equalsIgnoreCase("urifile");
  }

  private static AzureMLException unknownAsset(ResolvedWorkspace workspace, ArmClient arm, String asset) {
    return new AddressNotFoundException("Data asset '" + asset + "' was not found in workspace "
        + workspace.workspace().name() + " (" + workspace.foundBy() + "). Known data assets: "
        + names(arm, "data") + ". Check the name ('az ml data list' lists them).");
  }

  private static AzureMLException unknownVersion(ResolvedWorkspace workspace, ArmClient arm, String asset,
      String version) {
    // ARM answers 404 for a version of an asset it lacks too: say so, naming the assets there are.
    try {
      arm.get("data/" + ArmClient.segment(asset));
    } catch (AzureMLException e) {
      if (e instanceof ArmException answer && answer.status() == 404) {
        return unknownAsset(workspace, arm, asset);
      }
    }
    return new AddressNotFoundException("Data asset '" + asset + "' has no version '" + version
        + "' in workspace " + workspace.workspace().name() + ". Its versions: "
        + names(arm, "data/" + ArmClient.segment(asset) + "/versions") + ". Or use azureml:" + asset + "@latest.");
  }

  /** @return the names in an ARM list answer, "none" when empty or unlistable */
  private static String names(ArmClient arm, String path) {
    List<String> names = arm.names(path);
    return names.isEmpty() ? "none" : String.join(", ", names);
  }

  private static void requireArm(ResolvedWorkspace workspace, AzureMLAddress address) {
    if (workspace.offline()) {
      throw new AzureMLException(address.describe() + " is resolved through Azure Resource Manager, but the "
          + "workspace config of " + workspace.workspace().name() + " is offline (Azure is never asked). "
          + "Read the datastore path instead: azureml://datastores/<datastore>/paths/<path>.");
    }
  }

  private static AzureMLException unsupported(String what, String location) {
    return new AzureMLException(what + " is at " + location + ", a location amlspark cannot read: it reads "
        + "Azure ML datastores (azureml://datastores/<datastore>/paths/<path>). Register a datastore for that "
        + "storage and read it through the datastore.");
  }

  private static boolean same(Workspace a, Workspace b) {
    return a.subscriptionId().equalsIgnoreCase(b.subscriptionId())
        && a.resourceGroup().equalsIgnoreCase(b.resourceGroup()) && a.name().equalsIgnoreCase(b.name());
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> object(Map<String, Object> map, String key) {
    return map.get(key) instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
  }

  private static String string(Map<String, Object> map, String key, String what) {
    if (map.get(key) instanceof String s && !s.isBlank()) {
      return s;
    }
    throw new AzureMLException("Azure ML's definition of " + what + " has no '" + key + "'; amlspark cannot "
        + "tell where its files are.");
  }
}

package io.github.amlspark.workspace;

import io.github.amlspark.Workspace;
import io.github.amlspark.WorkspaceNotFoundException;
import io.github.amlspark.auth.Credentials;
import io.github.amlspark.auth.NamedCredential;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * Finds the workspace in the order of API.md, the first that applies winning: explicit ids, a given
 * config file, the Azure ML job's environment, {@code config.json} in the current folder or a parent (or
 * their {@code .azureml/} or {@code aml_config/}), then {@code HIML_*} variables.
 */
public final class WorkspaceLocator {
  private static final String CONFIG_FILE = "config.json";
  private static final String[] CONFIG_SUBFOLDERS = {"", ".azureml", "aml_config"};

  private final UnaryOperator<String> env;
  private final Path workingDir;

  /**
   * @param env environment variable lookup
   * @param workingDir where the config.json search starts
   */
  public WorkspaceLocator(UnaryOperator<String> env, Path workingDir) {
    this.env = env;
    this.workingDir = workingDir.toAbsolutePath().normalize();
  }

  /** @return a locator over this process's environment and working directory */
  public static WorkspaceLocator ofProcess() {
    return new WorkspaceLocator(System::getenv, Path.of(""));
  }

  /**
   * @param request what the caller gave
   * @return the workspace
   * @throws WorkspaceNotFoundException naming every place tried
   */
  public ResolvedWorkspace locate(WorkspaceRequest request) {
    Supplier<NamedCredential> credential = memoize(() -> Credentials.resolve(request.credentialHandle(),
        request.credentialProvider(), env));
    if (request.explicit() != null) {
      // A config file for the same workspace still contributes its inline datastores and endpoints.
      WorkspaceConfig config = request.configPath() == null ? null : WorkspaceConfig.load(Path.of(request.configPath()));
      boolean same = config != null && sameWorkspace(config.workspace(), request.explicit());
      return new ResolvedWorkspace(request.explicit(), same ? config : null, "given explicitly", credential);
    }
    if (request.configPath() != null) {
      Path file = Path.of(request.configPath());
      WorkspaceConfig config = WorkspaceConfig.load(file);
      return new ResolvedWorkspace(config.workspace(), config, "workspace config " + file, credential);
    }
    List<String> tried = new ArrayList<>();
    Workspace job = fromEnv("AZUREML_ARM_SUBSCRIPTION", "AZUREML_ARM_RESOURCEGROUP",
        "AZUREML_ARM_WORKSPACE_NAME", tried);
    Path found = findConfigFile();
    if (job != null) {
      return new ResolvedWorkspace(job, configFor(job, found), "the Azure ML job's environment", credential);
    }
    if (found != null) {
      WorkspaceConfig config = WorkspaceConfig.load(found);
      return new ResolvedWorkspace(config.workspace(), config, "workspace config " + found, credential);
    }
    tried.add(CONFIG_FILE + " (also .azureml/ and aml_config/) in " + workingDir + " and its parents");
    Workspace himl = fromEnv("HIML_SUBSCRIPTION_ID", "HIML_RESOURCE_GROUP", "HIML_WORKSPACE_NAME", tried);
    if (himl != null) {
      return new ResolvedWorkspace(himl, null, "HIML_* environment variables", credential);
    }
    throw new WorkspaceNotFoundException("No Azure ML workspace found. Tried: "
        + String.join("; ", tried) + ". Give one with the 'workspaceConfig' option (or "
        + "AzureMLFiles.builder().workspaceConfig(...)), the options 'subscriptionId', 'resourceGroup' "
        + "and 'workspaceName', or put the workspace's config.json in the working directory.");
  }

  /** @return the nearest config.json in the working folder or a parent (or their subfolders), or null */
  private Path findConfigFile() {
    for (Path dir = workingDir; dir != null; dir = dir.getParent()) {
      for (String sub : CONFIG_SUBFOLDERS) {
        Path candidate = dir.resolve(sub).resolve(CONFIG_FILE);
        if (Files.isRegularFile(candidate)) {
          return candidate;
        }
      }
    }
    return null;
  }

  /**
   * A config file for the same workspace still contributes its endpoints and inline datastores (a job in
   * a sovereign cloud, a private endpoint); one for another workspace is ignored.
   */
  private static WorkspaceConfig configFor(Workspace workspace, Path file) {
    if (file == null) {
      return null;
    }
    try {
      WorkspaceConfig config = WorkspaceConfig.load(file);
      return sameWorkspace(config.workspace(), workspace) ? config : null;
    } catch (WorkspaceNotFoundException unusable) {
      // The environment named the workspace; a broken file for some workspace does not stop the job.
      return null;
    }
  }

  private static <T> Supplier<T> memoize(Supplier<T> supplier) {
    return new Supplier<>() {
      private T value;

      @Override
      public synchronized T get() {
        if (value == null) {
          value = supplier.get();
        }
        return value;
      }
    };
  }

  private static boolean sameWorkspace(Workspace a, Workspace b) {
    return a.subscriptionId().equalsIgnoreCase(b.subscriptionId())
        && a.resourceGroup().equalsIgnoreCase(b.resourceGroup()) && a.name().equalsIgnoreCase(b.name());
  }

  private Workspace fromEnv(String sub, String rg, String name, List<String> tried) {
    String s = env.apply(sub);
    String r = env.apply(rg);
    String n = env.apply(name);
    if (isSet(s) && isSet(r) && isSet(n)) {
      return Workspace.of(s, r, n);
    }
    tried.add("environment variables " + sub + ", " + rg + ", " + name);
    return null;
  }

  private static boolean isSet(String v) {
    return v != null && !v.isBlank();
  }
}

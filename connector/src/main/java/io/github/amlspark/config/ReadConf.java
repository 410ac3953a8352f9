package io.github.amlspark.config;

import io.github.amlspark.OverwriteMode;
import io.github.amlspark.Workspace;
import io.github.amlspark.workspace.AzureMLAddress;
import io.github.amlspark.workspace.WorkspaceRequest;
import io.github.amlspark.transfer.RetryPolicy;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses and validates the options of a read, in one place, with the precedence of
 * {@link OptionLookup}. Driver-only.
 */
public final class ReadConf {
  /** Spark's default for {@code spark.sql.files.maxPartitionBytes}. */
  public static final long DEFAULT_MAX_PARTITION_BYTES = 128L * 1024 * 1024;
  /** Spark's default for {@code spark.sql.files.openCostInBytes}. */
  public static final long DEFAULT_OPEN_COST_IN_BYTES = 4L * 1024 * 1024;
  /** Requests in flight per task. */
  public static final int DEFAULT_CONCURRENCY = 16;
  /** How long the executors' SAS stays valid unless {@code sasTtl} says otherwise. */
  public static final Duration DEFAULT_SAS_TTL = Duration.ofHours(8);
  /** Upper bound of {@code transferConcurrency}. */
  public static final int MAX_CONCURRENCY = 64;

  private ReadConf() {
  }

  /**
   * @param options the read's options (case-insensitive), {@code path} included
   * @param sparkConf the session's conf entries
   * @return the validated request
   * @throws IllegalArgumentException naming the option that is wrong and what it accepts
   */
  public static ReadRequest parse(Map<String, String> options, Map<String, String> sparkConf) {
    OptionLookup lookup = OptionLookup.of(options, sparkConf);
    // What to read is the read's own choice; session-wide defaults for it apply only when it names none.
    OptionLookup readOnly = OptionLookup.of(options, Map.of());
    String datastore = readOnly.get(AmlOptions.DATASTORE).orElse(null);
    String runId = readOnly.get(AmlOptions.RUN_ID).orElse(null);
    String prefix = readOnly.get(AmlOptions.PREFIX).orElse(null);
    Workspace uriWorkspace = null;
    AzureMLAddress address = null;

    String path = options.entrySet().stream()
        .filter(e -> e.getKey().equalsIgnoreCase(AmlOptions.PATH)).map(Map.Entry::getValue)
        .findFirst().orElse(null);
    if (path != null && !path.isBlank()) {
      if (!AzureMLAddress.isAddress(path)) {
        throw new IllegalArgumentException("load(\"" + path + "\") needs an Azure ML address such as "
            + "azureml://datastores/<datastore>/paths/<path> or azureml:<data asset>:<version>; for a datastore "
            + "name and prefix use .option(\"datastore\", ...).option(\"prefix\", ...).load().");
      }
      AzureMLAddress uri = AzureMLAddress.parse(path);
      if (datastore != null || runId != null || prefix != null) {
        throw new IllegalArgumentException("Give either an Azure ML address to load() or the options "
            + "'datastore'/'runId'/'prefix', not both.");
      }
      switch (uri.kind()) {
        case DATASTORE -> datastore = uri.datastore();
        case ARTIFACTS -> runId = uri.job();
        default -> address = uri;
      }
      prefix = uri.path();
      uriWorkspace = uri.workspace();
    }
    if (datastore == null && runId == null && path == null) {
      // A read that names nothing may take a session-wide default (spark.azureml.datastore, ...).
      datastore = lookup.get(AmlOptions.DATASTORE).orElse(null);
      runId = lookup.get(AmlOptions.RUN_ID).orElse(null);
      prefix = prefix != null ? prefix : lookup.get(AmlOptions.PREFIX).orElse(null);
    }
    if (address == null && (datastore == null) == (runId == null)) {
      throw new IllegalArgumentException("Set exactly one of the options 'datastore' and 'runId' "
          + "(or load an azureml:// URI): "
          + (datastore == null ? "neither was given." : "both were given."));
    }

    String outputFolder = outputFolder(lookup);
    OverwriteMode overwrite = lookup.typed(AmlOptions.OVERWRITE, OverwriteMode.ACCEPTED).map(OverwriteMode::parse)
        .orElse(OverwriteMode.NEVER);
    TransferSettings transfer = new TransferSettings(outputFolder, overwrite,
        lookup.bool(AmlOptions.VALIDATE_CHECKSUM, false),
        lookup.positiveInt(AmlOptions.TRANSFER_CONCURRENCY, DEFAULT_CONCURRENCY, MAX_CONCURRENCY),
        retryPolicy(lookup), lookup.bool(AmlOptions.CHECK_MD5, true));

    return new ReadRequest(workspaceRequest(lookup, uriWorkspace), datastore, runId, address,
        prefix == null ? "" : prefix, lookup.get(AmlOptions.PATH_GLOB_FILTER).orElse(null), transfer,
        lookup.bytes(AmlOptions.MAX_PARTITION_BYTES, DEFAULT_MAX_PARTITION_BYTES),
        lookup.bytes(AmlOptions.OPEN_COST_IN_BYTES, DEFAULT_OPEN_COST_IN_BYTES), sasTtl(lookup));
  }

  /**
   * A read of one source, or of several when {@code load()} got several paths: Spark passes those as the
   * {@code paths} option, a JSON array. Each path becomes a request of its own, with the read's other
   * options; the scan reads the union of their files.
   *
   * @param options the read's options (case-insensitive), {@code path} or {@code paths} included
   * @param sparkConf the session's conf entries
   * @return one validated request per path (one when no {@code paths} were given)
   * @throws IllegalArgumentException naming the option that is wrong and what it accepts
   */
  public static List<ReadRequest> parseAll(Map<String, String> options, Map<String, String> sparkConf) {
    Map<String, String> others = new HashMap<>();
    String paths = null;
    for (Map.Entry<String, String> e : options.entrySet()) {
      if (e.getKey().equalsIgnoreCase(AmlOptions.PATHS)) {
        paths = e.getValue();
      } else if (!e.getKey().equalsIgnoreCase(AmlOptions.PATH)) {
        others.put(e.getKey(), e.getValue());
      }
    }
    if (paths == null) {
      return List.of(parse(options, sparkConf));
    }
    return Arrays.stream(pathList(paths)).map(path -> {
      Map<String, String> one = new HashMap<>(others);
      one.put(AmlOptions.PATH, path);
      return parse(one, sparkConf);
    }).toList();
  }

  private static String[] pathList(String json) {
    try {
      String[] paths = new ObjectMapper().readValue(json, String[].class);
      if (paths != null && paths.length > 0) {
        return paths;
      }
    } catch (JsonProcessingException e) {
      // reported below
    }
    throw new IllegalArgumentException("Option 'paths' must be a JSON array of azureml:// URIs, as Spark "
        + "passes the arguments of load(p1, p2, ...); give load() one or more URIs instead.");
  }

  /**
   * Whether a read is a download, decided exactly as {@link #parse} decides it: the schema Spark is told
   * and the rows the reader returns must never disagree.
   *
   * @param options the read's options (case-insensitive)
   * @param sparkConf the session's conf entries
   * @return true when rows are the transfer report of a download rather than file contents
   */
  public static boolean isDownload(Map<String, String> options, Map<String, String> sparkConf) {
    return outputFolder(OptionLookup.of(options, sparkConf)) != null;
  }

  // An option beats the session-wide spark.azureml.outputFolder, as for every other option.
  private static String outputFolder(OptionLookup lookup) {
    return lookup.get(AmlOptions.OUTPUT_FOLDER).orElse(null);
  }

  /**
   * @param lookup the options
   * @param uriWorkspace the workspace an azureml URI named, or null
   * @return how to find the workspace: a URI's workspace, else the workspace options, else discovery
   */
  public static WorkspaceRequest workspaceRequest(OptionLookup lookup, Workspace uriWorkspace) {
    Workspace explicit = uriWorkspace;
    String sub = lookup.get(AmlOptions.SUBSCRIPTION_ID).orElse(null);
    String rg = lookup.get(AmlOptions.RESOURCE_GROUP).orElse(null);
    String name = lookup.get(AmlOptions.WORKSPACE_NAME).orElse(null);
    if (explicit == null && (sub != null || rg != null || name != null)) {
      if (sub == null || rg == null || name == null) {
        throw new IllegalArgumentException("Options 'subscriptionId', 'resourceGroup' and "
            + "'workspaceName' name a workspace together: set all three or none.");
      }
      explicit = Workspace.of(sub, rg, name);
    }
    return new WorkspaceRequest(explicit, lookup.get(AmlOptions.WORKSPACE_CONFIG).orElse(null),
        lookup.get(AmlOptions.CREDENTIAL_PROVIDER).orElse(null),
        lookup.get(AmlOptions.CREDENTIAL_HANDLE).orElse(null));
  }

  /**
   * @param lookup the options
   * @return how long the executors' SAS stays valid
   */
  public static Duration sasTtl(OptionLookup lookup) {
    return lookup.duration(AmlOptions.SAS_TTL, DEFAULT_SAS_TTL, Duration.ofMinutes(5), Duration.ofDays(7));
  }

  /**
   * @param lookup the options
   * @return the data path's retry policy, with the {@code retryTimeout} and {@code idleTimeout} asked for
   */
  public static RetryPolicy retryPolicy(OptionLookup lookup) {
    return RetryPolicy.of(
        lookup.duration(AmlOptions.RETRY_TIMEOUT, RetryPolicy.DEFAULT.budget(), Duration.ofSeconds(1),
            Duration.ofHours(1)),
        lookup.duration(AmlOptions.IDLE_TIMEOUT, RetryPolicy.DEFAULT.idleTimeout(), Duration.ofSeconds(1),
            Duration.ofHours(1)));
  }
}

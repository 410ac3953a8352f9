package io.github.amlspark;

import com.azure.core.credential.TokenCredential;
import io.github.amlspark.auth.ContainerAccess;
import io.github.amlspark.config.AmlOptions;
import io.github.amlspark.planning.ReadPlan;
import io.github.amlspark.progress.ProgressDisplay;
import io.github.amlspark.spark.AzureMLDataSource;
import io.github.amlspark.spark.read.AzureMLScan;
import io.github.amlspark.spark.write.UploadJob;
import io.github.amlspark.storage.SasIssuer;
import io.github.amlspark.transfer.DownloadEngine;
import io.github.amlspark.transfer.LocalFolderListing;
import io.github.amlspark.transfer.OutputFolder;
import io.github.amlspark.workspace.DatastoreResolver;
import io.github.amlspark.workspace.ResolvedWorkspace;
import io.github.amlspark.workspace.WorkspaceConfig;
import io.github.amlspark.workspace.WorkspaceLocator;
import io.github.amlspark.workspace.WorkspaceRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.datasources.v2.BatchScanExec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.collection.JavaConverters;

/**
 * The Java API: hi-ml's download and upload functions, with the driver resolving the workspace and
 * datastores and Spark's executors moving the files in parallel. Each operation runs once, aggregates
 * every file's outcome into a {@link TransferReport}, and throws {@link TransferException} when any file
 * failed (after the others finished).
 *
 * <pre>{@code
 * AzureMLFiles files = AzureMLFiles.builder().workspaceConfig("config.json").build();
 * files.downloadFromDatastore("workspaceblobstore", "foo/bar", "outputs");
 * }</pre>
 */
public final class AzureMLFiles {
  /** hi-ml's checkpoint folder within a run. */
  public static final String CHECKPOINT_FOLDER = "outputs/checkpoints";
  private static final Logger LOGGER = LoggerFactory.getLogger(AzureMLFiles.class);

  private final SparkSession spark;
  private final Workspace workspace;
  private final String workspaceConfig;
  // Kept for resolving datastores through Azure Resource Manager; inline datastores need no credential.
  private final TokenCredential credential;

  private AzureMLFiles(Builder builder) {
    this.spark = builder.spark != null ? builder.spark : defaultSession();
    this.workspace = builder.workspace;
    this.workspaceConfig = builder.workspaceConfig;
    this.credential = builder.credential;
  }

  /** @return a builder; every setting is optional */
  public static Builder builder() {
    return new Builder();
  }

  /** @return an instance that finds the workspace by discovery, same as {@code builder().build()} */
  public static AzureMLFiles create() {
    return builder().build();
  }

  private static SparkSession defaultSession() {
    Optional<SparkSession> active = JavaConverters.<SparkSession>asJavaCollection(
        SparkSession.getActiveSession().toList()).stream().findFirst();
    return active.orElseGet(() -> SparkSession.builder().master("local[*]").appName("amlspark")
        .getOrCreate());
  }

  // ----- datastores -----

  /**
   * Downloads every file whose name starts with {@code prefix}, keeping its full path under
   * {@code outputFolder}; existing files are skipped.
   *
   * @param datastoreName the datastore
   * @param prefix blob-name prefix, "" for everything
   * @param outputFolder local path or Hadoop URI; created when missing
   * @return every file's outcome
   */
  public TransferReport downloadFromDatastore(String datastoreName, String prefix, String outputFolder) {
    return downloadFromDatastore(datastoreName, prefix, outputFolder, TransferOptions.defaults());
  }

  /**
   * @param datastoreName the datastore
   * @param prefix blob-name prefix, "" for everything
   * @param outputFolder local path or Hadoop URI; created when missing
   * @param overwrite replace existing files (true) or skip them (false)
   * @param showProgress show a progress bar on the terminal
   * @return every file's outcome
   */
  public TransferReport downloadFromDatastore(String datastoreName, String prefix, String outputFolder,
      boolean overwrite, boolean showProgress) {
    return downloadFromDatastore(datastoreName, prefix, outputFolder,
        TransferOptions.defaults().overwrite(OverwriteMode.of(overwrite)).showProgress(showProgress));
  }

  /**
   * @param datastoreName the datastore
   * @param prefix blob-name prefix, "" for everything
   * @param outputFolder local path or Hadoop URI; created when missing
   * @param options overwrite (default NEVER), checksum (default off), progress and glob settings
   * @return every file's outcome
   */
  public TransferReport downloadFromDatastore(String datastoreName, String prefix, String outputFolder,
      TransferOptions options) {
    Map<String, String> source = new LinkedHashMap<>();
    source.put(AmlOptions.DATASTORE, requireNonBlank(datastoreName, "datastoreName"));
    return download(source, prefix, outputFolder, options, OverwriteMode.NEVER, false);
  }

  // ----- runs -----

  /**
   * Downloads all files of a run, keeping their run-relative paths; existing files are replaced.
   *
   * @param runId a run id or {@code experiment_name:run_id}
   * @param outputFolder local path or Hadoop URI; created when missing
   * @return every file's outcome
   */
  public TransferReport downloadFilesFromRunId(String runId, String outputFolder) {
    return downloadFilesFromRunId(runId, outputFolder, "", TransferOptions.defaults());
  }

  /**
   * @param runId a run id or {@code experiment_name:run_id}
   * @param outputFolder local path or Hadoop URI; created when missing
   * @param prefix run-relative prefix, e.g. {@code outputs}
   * @param validateChecksum check every byte against its MD5
   * @return every file's outcome
   */
  public TransferReport downloadFilesFromRunId(String runId, String outputFolder, String prefix,
      boolean validateChecksum) {
    return downloadFilesFromRunId(runId, outputFolder, prefix,
        TransferOptions.defaults().validateChecksum(validateChecksum));
  }

  /**
   * @param runId a run id or {@code experiment_name:run_id}
   * @param outputFolder local path or Hadoop URI; created when missing
   * @param prefix run-relative prefix
   * @param options overwrite (default ALWAYS), checksum (default off), progress and glob settings
   * @return every file's outcome
   */
  public TransferReport downloadFilesFromRunId(String runId, String outputFolder, String prefix,
      TransferOptions options) {
    return downloadRun(runId, outputFolder, prefix, options, false);
  }

  /**
   * Downloads the run's {@code outputs/checkpoints} folder, checksums validated.
   *
   * @param runId a run id or {@code experiment_name:run_id}
   * @param outputFolder local path or Hadoop URI; created when missing
   * @return every file's outcome
   */
  public TransferReport downloadCheckpointsFromRunId(String runId, String outputFolder) {
    return downloadCheckpointsFromRunId(runId, CHECKPOINT_FOLDER, outputFolder);
  }

  /**
   * @param runId a run id or {@code experiment_name:run_id}
   * @param checkpointPathOrFolder a run-relative checkpoint file or folder
   * @param outputFolder local path or Hadoop URI; created when missing
   * @return every file's outcome
   */
  public TransferReport downloadCheckpointsFromRunId(String runId, String checkpointPathOrFolder,
      String outputFolder) {
    return downloadCheckpointsFromRunId(runId, checkpointPathOrFolder, outputFolder, TransferOptions.defaults());
  }

  /**
   * @param runId a run id or {@code experiment_name:run_id}
   * @param checkpointPathOrFolder a run-relative checkpoint file or folder
   * @param outputFolder local path or Hadoop URI; created when missing
   * @param options overwrite (default ALWAYS), checksum (default on), progress and glob settings
   * @return every file's outcome
   */
  public TransferReport downloadCheckpointsFromRunId(String runId, String checkpointPathOrFolder,
      String outputFolder, TransferOptions options) {
    return downloadRun(runId, outputFolder, checkpointPathOrFolder, options, true);
  }

  private TransferReport downloadRun(String runId, String outputFolder, String prefix, TransferOptions options,
      boolean validateByDefault) {
    Map<String, String> source = new LinkedHashMap<>();
    source.put(AmlOptions.RUN_ID, requireNonBlank(runId, "runId"));
    return download(source, prefix, outputFolder, options, OverwriteMode.ALWAYS, validateByDefault);
  }

  // ----- uploads -----

  /**
   * Uploads every file below {@code localFolder} to {@code remotePath} in the datastore: folder
   * {@code foo/bar} holding {@code 1.txt} and {@code 2.txt} uploaded to {@code baz} gives blobs
   * {@code baz/1.txt} and {@code baz/2.txt}. Existing blobs are skipped.
   *
   * @param datastoreName the datastore
   * @param localFolder a local folder
   * @param remotePath the blob-name prefix to upload under ("" for the container root)
   * @return every file's outcome
   */
  public TransferReport uploadToDatastore(String datastoreName, String localFolder, String remotePath) {
    return uploadToDatastore(datastoreName, localFolder, remotePath, TransferOptions.defaults());
  }

  /**
   * @param datastoreName the datastore
   * @param localFolder a local folder
   * @param remotePath the blob-name prefix to upload under
   * @param overwrite replace existing blobs (true) or skip them (false)
   * @param showProgress accepted for hi-ml parity; uploads report when done
   * @return every file's outcome
   */
  public TransferReport uploadToDatastore(String datastoreName, String localFolder, String remotePath,
      boolean overwrite, boolean showProgress) {
    return uploadToDatastore(datastoreName, localFolder, remotePath,
        TransferOptions.defaults().overwrite(OverwriteMode.of(overwrite)).showProgress(showProgress));
  }

  /**
   * @param datastoreName the datastore
   * @param localFolder a local folder
   * @param remotePath the blob-name prefix to upload under
   * @param options overwrite (default NEVER), checksum (default off) and glob settings
   * @return every file's outcome
   * @throws IllegalArgumentException when {@code localFolder} is not a directory
   */
  public TransferReport uploadToDatastore(String datastoreName, String localFolder, String remotePath,
      TransferOptions options) {
    requireNonBlank(datastoreName, "datastoreName");
    java.nio.file.Path folder = java.nio.file.Path.of(OutputFolder.toUri(requireNonBlank(localFolder, "localFolder")));
    if (!java.nio.file.Files.isDirectory(folder)) {
      throw new IllegalArgumentException("Local folder " + localFolder + " is not a directory. Give the folder "
          + "whose contents to upload.");
    }
    long start = System.nanoTime();
    LocalFolderListing listing;
    try {
      listing = LocalFolderListing.list(folder, remotePath, options.pathGlobFilter());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("Local folder " + localFolder + " could not be listed: "
          + e.getMessage(), e);
    }
    List<FileTransfer> results = new ArrayList<>(listing.failures());
    if (listing.items().isEmpty() && results.isEmpty()) {
      LOGGER.warn("Local folder {} holds no file to upload; nothing was uploaded.", folder);
    } else if (!listing.items().isEmpty()) {
      ResolvedWorkspace resolved = WorkspaceLocator.ofProcess().locate(workspaceRequest());
      ContainerAccess access = SasIssuer.issue(DatastoreResolver.resolve(resolved, datastoreName),
          SasIssuer.createWriteRead(), SasIssuer.DEFAULT_TTL);
      results.addAll(UploadJob.run(spark, access, listing.items(), options.overwriteOr(OverwriteMode.NEVER),
          options.validateChecksumOr(false)));
    }
    TransferReport report = new TransferReport(results, Duration.ofNanos(System.nanoTime() - start));
    throwOnFailure(report, "upload");
    return report;
  }

  private WorkspaceRequest workspaceRequest() {
    return new WorkspaceRequest(workspace, workspaceConfig, null);
  }

  // ----- the one download path -----

  private TransferReport download(Map<String, String> source, String prefix, String outputFolder,
      TransferOptions options, OverwriteMode defaultOverwrite, boolean defaultValidate) {
    requireNonBlank(outputFolder, "outputFolder");
    Map<String, String> readOptions = new LinkedHashMap<>(source);
    readOptions.putAll(workspaceOptions());
    readOptions.put(AmlOptions.PREFIX, prefix == null ? "" : prefix);
    readOptions.put(AmlOptions.OUTPUT_FOLDER, outputFolder);
    readOptions.put(AmlOptions.OVERWRITE, options.overwriteOr(defaultOverwrite).optionValue());
    readOptions.put(AmlOptions.VALIDATE_CHECKSUM, String.valueOf(options.validateChecksumOr(defaultValidate)));
    if (options.pathGlobFilter() != null) {
      readOptions.put(AmlOptions.PATH_GLOB_FILTER, options.pathGlobFilter());
    }

    long start = System.nanoTime();
    Dataset<Row> rows = spark.read().format(AzureMLDataSource.SHORT_NAME).options(readOptions).load();
    AzureMLScan scan = scanOf(rows.queryExecution().executedPlan());
    ReadPlan plan = scan.plan();
    if (plan.files().isEmpty()) {
      throw new NoFilesFoundException("No files with prefix \"" + readOptions.get(AmlOptions.PREFIX) + "\""
          + (options.pathGlobFilter() == null ? "" : " matching \"" + options.pathGlobFilter() + "\"")
          + " were found " + (source.containsKey(AmlOptions.RUN_ID) ? "for " : "in ") + plan.source()
          + ". Check the prefix (it is matched against the start of each path"
          + (source.containsKey(AmlOptions.RUN_ID) ? ", relative to the run" : "") + ")"
          + (options.pathGlobFilter() == null ? "" : " and the pathGlobFilter (matched against file names)")
          + ".");
    }
    ProgressDisplay display = options.showProgress()
        ? new ProgressDisplay("Downloading", scan.progress(), plan.files().size(), plan.totalBytes())
        : null;
    List<Row> collected;
    try {
      collected = rows.collectAsList();
    } finally {
      if (display != null) {
        display.close();
      }
    }
    TransferReport report = new TransferReport(toTransfers(collected),
        Duration.ofNanos(System.nanoTime() - start));
    throwOnFailure(report, "download");
    return report;
  }

  private Map<String, String> workspaceOptions() {
    Map<String, String> options = new LinkedHashMap<>();
    if (workspace != null) {
      options.put(AmlOptions.SUBSCRIPTION_ID, workspace.subscriptionId());
      options.put(AmlOptions.RESOURCE_GROUP, workspace.resourceGroup());
      options.put(AmlOptions.WORKSPACE_NAME, workspace.name());
    } else if (workspaceConfig != null) {
      options.put(AmlOptions.WORKSPACE_CONFIG, workspaceConfig);
    }
    return options;
  }

  private static AzureMLScan scanOf(SparkPlan plan) {
    if (plan instanceof BatchScanExec exec && exec.scan() instanceof AzureMLScan scan) {
      return scan;
    }
    for (SparkPlan child : JavaConverters.seqAsJavaList(plan.children())) {
      AzureMLScan scan = scanOf(child);
      if (scan != null) {
        return scan;
      }
    }
    return null;
  }

  static List<FileTransfer> toTransfers(List<Row> rows) {
    List<FileTransfer> files = new ArrayList<>(rows.size());
    for (Row r : rows) {
      files.add(new FileTransfer(r.getString(0), r.getString(1), r.getLong(2), r.getString(3),
          TransferStatus.valueOf(r.getString(4)), r.getBoolean(5), r.getString(6)));
    }
    return files;
  }

  private static void throwOnFailure(TransferReport report, String operation) {
    List<FileTransfer> failures = report.failures();
    if (failures.isEmpty()) {
      return;
    }
    FileTransfer first = failures.get(0);
    String message = failures.size() + " of " + report.files().size() + " files failed to " + operation
        + "; the others finished and are in place. First failure: " + first.path() + ": " + first.error()
        + " The exception's report() lists every file.";
    if (failures.stream().anyMatch(f -> f.error() != null
        && f.error().startsWith(DownloadEngine.CHECKSUM_MISMATCH))) {
      throw new ChecksumMismatchException(message, report);
    }
    throw new TransferException(message, report);
  }

  private static String requireNonBlank(String value, String name) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("'" + name + "' must not be blank.");
    }
    return value;
  }

  /** Configures an {@link AzureMLFiles}. */
  public static final class Builder {
    private SparkSession spark;
    private Workspace workspace;
    private String workspaceConfig;
    private TokenCredential credential;

    private Builder() {
    }

    /**
     * @param spark the session to run on; default the active one, else a new {@code local[*]} session
     * @return this builder
     */
    public Builder spark(SparkSession spark) {
      this.spark = spark;
      return this;
    }

    /**
     * @param workspace the workspace; wins over every other way of finding it
     * @return this builder
     */
    public Builder workspace(Workspace workspace) {
      this.workspace = workspace;
      return this;
    }

    /**
     * @param path an Azure ML config.json; it must exist
     * @return this builder
     */
    public Builder workspaceConfig(String path) {
      this.workspaceConfig = path;
      return this;
    }

    /**
     * @param credential the Entra ID credential to use instead of Azure Identity's default chain
     * @return this builder
     */
    public Builder credential(TokenCredential credential) {
      this.credential = credential;
      return this;
    }

    /**
     * @return the configured instance
     * @throws WorkspaceNotFoundException when a given workspace config file does not exist or is unusable
     */
    public AzureMLFiles build() {
      if (workspaceConfig != null) {
        Path file = Path.of(workspaceConfig).toAbsolutePath();
        WorkspaceConfig.load(file);
        workspaceConfig = file.toString();
      }
      return new AzureMLFiles(this);
    }
  }
}

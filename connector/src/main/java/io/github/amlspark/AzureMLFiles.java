package io.github.amlspark;

import io.github.amlspark.auth.Credentials;
import io.github.amlspark.config.AmlOptions;
import io.github.amlspark.spark.ClasspathCheck;
import io.github.amlspark.spark.Sessions;
import io.github.amlspark.spark.SparkInternals;
import io.github.amlspark.workspace.WorkspaceConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * The Java API: hi-ml's download and upload functions, with the driver resolving the workspace and
 * datastores and Spark's executors moving the files in parallel (on a local session, or with none, this
 * JVM's threads move them, with no Spark job: see {@code docs/java-api.md}). Each operation runs once, aggregates
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

  private final Transfers transfers;

  private AzureMLFiles(Builder builder) {
    ClasspathCheck.verify();
    // No session is started when none is active: a local one would only run its tasks in this JVM's
    // threads, which the transfers do without it.
    SparkSession spark = builder.spark != null ? builder.spark : Sessions.activeOrNull();
    if (spark != null) {
      // Before Transfers loads: on a Spark Connect client it would fail on the classes it plans with.
      SparkInternals.requireClassic(spark);
    }
    // The credential stays in this JVM; reads and writes planned here name it by its handle.
    this.transfers = new Transfers(spark, builder.workspace, builder.workspaceConfig,
        builder.credential == null ? null : Credentials.register(builder.credential));
  }

  /** @return a builder; every setting is optional */
  public static Builder builder() {
    return new Builder();
  }

  /** @return an instance that finds the workspace by discovery, same as {@code builder().build()} */
  public static AzureMLFiles create() {
    return builder().build();
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
    return transfers.download(source, prefix, outputFolder, options, OverwriteMode.NEVER, false);
  }

  // ----- addresses -----

  /**
   * Downloads what an Azure ML address names: a datastore path, a job's artifacts or named output, or a
   * data asset version ({@code azureml:<name>:<version>}, {@code azureml:<name>@latest}); see
   * {@code docs/addresses.md}. Files keep their full path relative to the datastore root (for
   * {@code artifacts}: the run's root); existing files are skipped.
   *
   * @param address the address
   * @param outputFolder local path or Hadoop URI; created when missing
   * @return every file's outcome
   */
  public TransferReport download(String address, String outputFolder) {
    return download(address, outputFolder, TransferOptions.defaults());
  }

  /**
   * @param address the address
   * @param outputFolder local path or Hadoop URI; created when missing
   * @param options overwrite (default NEVER), checksum (default off), progress and glob settings
   * @return every file's outcome
   */
  public TransferReport download(String address, String outputFolder, TransferOptions options) {
    Map<String, String> source = new LinkedHashMap<>();
    source.put(AmlOptions.PATH, requireNonBlank(address, "address"));
    return transfers.download(source, null, outputFolder, options, OverwriteMode.NEVER, false);
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
   * @param options overwrite (default ALWAYS), checksum (default off), progress and glob settings
   * @return every file's outcome
   */
  public TransferReport downloadFilesFromRunId(String runId, String outputFolder, TransferOptions options) {
    return downloadFilesFromRunId(runId, outputFolder, "", options);
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
   * @param outputFolder local path or Hadoop URI; created when missing
   * @param options overwrite (default ALWAYS), checksum (default on), progress and glob settings
   * @return every file's outcome of the run's {@code outputs/checkpoints} folder
   */
  public TransferReport downloadCheckpointsFromRunId(String runId, String outputFolder, TransferOptions options) {
    return downloadCheckpointsFromRunId(runId, CHECKPOINT_FOLDER, outputFolder, options);
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
    return transfers.download(source, prefix, outputFolder, options, OverwriteMode.ALWAYS, validateByDefault);
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
   * @param localFolder a local folder or Hadoop URI
   * @param remotePath the blob-name prefix to upload under
   * @param overwrite replace existing blobs (true) or skip them (false)
   * @param showProgress show a progress bar on the terminal (plain lines when stderr is not one)
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
    return transfers.upload(datastoreName, requireNonBlank(localFolder, "localFolder"), remotePath, options);
  }

  static String requireNonBlank(String value, String name) {
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
    private Object credential;

    private Builder() {
    }

    /**
     * @param spark the session to run on; default the active one, else none (the transfers then run in
     *     this JVM's threads, as on a local session). On Spark 4.0 it must be a classic session: with a
     *     Spark Connect one, {@link #build()} throws {@link UnsupportedOperationException}
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
     * The Entra ID credential to use instead of Azure Identity's default chain. The jar relocates the Azure
     * SDK it bundles, so this takes your own {@code com.azure.core.credential.TokenCredential}, from any
     * azure-core version, or any object with its {@code getTokenSync(TokenRequestContext)} or
     * {@code getToken(TokenRequestContext)} method (see docs/configuration.md).
     *
     * @param credential the credential, or null for the default chain
     * @return this builder
     * @throws IllegalArgumentException at {@link #build()} when it has no such method
     */
    public Builder credential(Object credential) {
      this.credential = credential;
      return this;
    }

    /**
     * @return the configured instance
     * @throws WorkspaceNotFoundException when a given workspace config file does not exist or is unusable
     * @throws UnsupportedOperationException when the session (given or active) is not a classic one, such
     *     as a Spark Connect session on Spark 4.0
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

package io.github.amlspark.config;

/**
 * Every option key of the {@code azureml} data source. Keys are case-insensitive; each may also be set
 * session-wide as a Spark conf entry {@code spark.azureml.<key>}, which an option beats.
 */
public final class AmlOptions {
  /** Prefix of the Spark conf entries that give session-wide defaults for these options. */
  public static final String SPARK_CONF_PREFIX = "spark.azureml.";

  /** Datastore to read from or write to. */
  public static final String DATASTORE = "datastore";
  /** Run (job) whose files to read: {@code run_id} or {@code experiment:run_id}. */
  public static final String RUN_ID = "runId";
  /** Blob-name prefix (datastore) or run-relative prefix (run). */
  public static final String PREFIX = "prefix";
  /** Spark's own key for the argument of {@code load(path)} / {@code save(path)}, and the write destination. */
  public static final String PATH = "path";
  /**
   * Spark's own key for the arguments of {@code load(p1, p2, ...)} (PySpark's {@code load([p1, p2])}): a
   * JSON array of azureml:// URIs, read as the union of their files.
   */
  public static final String PATHS = "paths";
  /** Glob on file names, as in Spark's file sources. */
  public static final String PATH_GLOB_FILTER = "pathGlobFilter";
  /** Turns a read into a download into this folder (local path or Hadoop URI). */
  public static final String OUTPUT_FOLDER = "outputFolder";
  /** true, false or ifDifferent. */
  public static final String OVERWRITE = "overwrite";
  /** Check every byte against its MD5. */
  public static final String VALIDATE_CHECKSUM = "validateChecksum";
  /**
   * Where the Java API and the command line run a transfer's tasks: {@code auto} (default: in this JVM's
   * threads when the session is local or there is none, as a Spark job otherwise) or {@code spark}
   * (always a Spark job). Session-wide only; reads of the data source are always Spark jobs.
   */
  public static final String TRANSFER_ENGINE = "transferEngine";
  /** Compare each downloaded file with its blob's Content-MD5 when it has one (default true). */
  public static final String CHECK_MD5 = "checkMd5";
  /** Path of an Azure ML config.json. */
  public static final String WORKSPACE_CONFIG = "workspaceConfig";
  /** Workspace subscription id. */
  public static final String SUBSCRIPTION_ID = "subscriptionId";
  /** Workspace resource group. */
  public static final String RESOURCE_GROUP = "resourceGroup";
  /** Workspace name. */
  public static final String WORKSPACE_NAME = "workspaceName";
  /** Class name of a TokenCredential with a public no-arg constructor. */
  public static final String CREDENTIAL_PROVIDER = "credentialProvider";
  /**
   * Internal: the handle of a credential given to {@code AzureMLFiles.builder().credential(...)}, set by
   * the Java API on the reads it plans. Not a secret: it resolves only in the driver's JVM.
   */
  public static final String CREDENTIAL_HANDLE = "credentialHandle";
  /** How long the SAS that executors receive stays valid: a Spark time string, default 8h, 5m to 7d. */
  public static final String SAS_TTL = "sasTtl";
  /** Bytes packed into one read task (default 128 MiB). */
  public static final String MAX_PARTITION_BYTES = "maxPartitionBytes";
  /** Estimated cost of opening one file, in bytes, used when packing tasks (default 4 MiB). */
  public static final String OPEN_COST_IN_BYTES = "openCostInBytes";
  /** Requests in flight per task (default 16, at most 64). */
  public static final String TRANSFER_CONCURRENCY = "transferConcurrency";
  /** How long one request keeps being retried (throttling, server errors, broken connections): default 2m. */
  public static final String RETRY_TIMEOUT = "retryTimeout";
  /** How long a request waits for its response, or a body for its next bytes, before it is retried: 60s. */
  public static final String IDLE_TIMEOUT = "idleTimeout";

  private AmlOptions() {
  }
}

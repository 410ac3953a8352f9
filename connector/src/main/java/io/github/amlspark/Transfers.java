package io.github.amlspark;

import io.github.amlspark.auth.ContainerAccess;
import io.github.amlspark.auth.Credentials;
import io.github.amlspark.config.AmlOptions;
import io.github.amlspark.coordination.SharedDownload;
import io.github.amlspark.config.OptionLookup;
import io.github.amlspark.config.ReadConf;
import io.github.amlspark.config.ReadRequest;
import io.github.amlspark.config.TransferEngine;
import io.github.amlspark.local.LocalDownload;
import io.github.amlspark.local.LocalUpload;
import io.github.amlspark.config.UploadSettings;
import io.github.amlspark.planning.DownloadTasks;
import io.github.amlspark.planning.ReadPlan;
import io.github.amlspark.planning.ReadPlanner;
import io.github.amlspark.progress.ProgressCounter;
import io.github.amlspark.progress.ProgressDisplay;
import io.github.amlspark.spark.AzureMLDataSource;
import io.github.amlspark.spark.HadoopConf;
import io.github.amlspark.spark.SparkInternals;
import io.github.amlspark.spark.read.AzureMLScan;
import io.github.amlspark.spark.write.UploadJob;
import io.github.amlspark.storage.SasIssuer;
import io.github.amlspark.transfer.DownloadEngine;
import io.github.amlspark.transfer.FolderListing;
import io.github.amlspark.transfer.HadoopConfSource;
import io.github.amlspark.transfer.OutputFolder;
import io.github.amlspark.transfer.SourceFiles;
import io.github.amlspark.transfer.UploadItem;
import io.github.amlspark.workspace.DatastoreResolver;
import io.github.amlspark.workspace.ResolvedWorkspace;
import io.github.amlspark.workspace.WorkspaceLocator;
import io.github.amlspark.workspace.WorkspaceRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.datasources.v2.BatchScanExec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.collection.JavaConverters;

/**
 * How {@link AzureMLFiles} runs its operations. The driver plans (workspace, datastore, listing, tasks);
 * the tasks then run in this JVM's threads when the session is local or there is none (a local session's
 * executors are this JVM's threads anyway, and a Spark job would only add its analysis, scheduling and
 * broadcasts), and as a Spark job otherwise: a download as one read of the {@code azureml} source with
 * {@code outputFolder}, an upload as one upload job. Both throw {@link TransferException} when a file
 * FAILED.
 */
final class Transfers {
  private static final Logger LOGGER = LoggerFactory.getLogger(AzureMLFiles.class);
  private static final String SPARK_HADOOP = "spark.hadoop.";

  private final SparkSession spark;
  private final Workspace workspace;
  private final String workspaceConfig;
  private final String credentialHandle;

  /**
   * @param spark the session, or null to run without Spark
   * @param credentialHandle the handle of the builder's credential in {@link Credentials}, or null
   */
  Transfers(SparkSession spark, Workspace workspace, String workspaceConfig, String credentialHandle) {
    this.spark = spark;
    this.workspace = workspace;
    this.workspaceConfig = workspaceConfig;
    this.credentialHandle = credentialHandle;
  }

  TransferReport upload(String datastoreName, String localFolder, String remotePath, TransferOptions options) {
    long start = System.nanoTime();
    FolderListing listing = listFolder(localFolder, remotePath, options.pathGlobFilter());
    List<FileTransfer> results = new ArrayList<>(listing.failures());
    if (listing.items().isEmpty() && results.isEmpty()) {
      LOGGER.warn("Local folder {} holds no file to upload; nothing was uploaded.", localFolder);
    } else if (!listing.items().isEmpty()) {
      Map<String, String> sparkConf = sparkConf();
      UploadSettings settings = UploadSettings.parse(sparkConf);
      ResolvedWorkspace resolved = WorkspaceLocator.ofProcess().locate(workspaceRequest(sparkConf));
      OverwriteMode overwrite = options.overwriteOr(OverwriteMode.NEVER);
      ContainerAccess access = SasIssuer.issue(DatastoreResolver.resolve(resolved, datastoreName),
          SasIssuer.upload(overwrite), settings.sasTtl());
      boolean validate = options.validateChecksumOr(false);
      long bytes = listing.items().stream().mapToLong(UploadItem::length).sum();
      if (inThisJvm(sparkConf)) {
        ProgressCounter counter = new ProgressCounter();
        try (ProgressDisplay display = options.showProgress()
            ? ProgressDisplay.of("Uploading", counter, listing.items().size(), bytes) : null) {
          results.addAll(LocalUpload.run(access, listing.items(), overwrite, validate, settings,
              new SourceFiles(new LazyHadoopConf()), parallelism(), counter));
        }
      } else {
        UploadJob job = new UploadJob(spark);
        try (ProgressDisplay display = options.showProgress()
            ? ProgressDisplay.of(spark.sparkContext(), "Uploading", job.progress(), listing.items().size(), bytes)
            : null) {
          results.addAll(job.run(access, listing.items(), overwrite, validate, settings));
        }
      }
    }
    TransferReport report = new TransferReport(results, Duration.ofNanos(System.nanoTime() - start));
    throwOnFailure(report, "upload");
    return report;
  }

  /** Lists a local folder with java.nio, any other URI through Hadoop with the session's configuration. */
  private FolderListing listFolder(String folder, String remotePath, String pathGlobFilter) {
    URI uri = OutputFolder.toUri(folder);
    try {
      if ("file".equals(uri.getScheme())) {
        java.nio.file.Path local = java.nio.file.Path.of(uri);
        requireDirectory(java.nio.file.Files.isDirectory(local), folder);
        return FolderListing.local(local, remotePath, pathGlobFilter);
      }
      Configuration conf = hadoopConf();
      org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(uri);
      FileSystem fs = path.getFileSystem(conf);
      requireDirectory(fs.exists(path) && fs.getFileStatus(path).isDirectory(), folder);
      return FolderListing.hadoop(uri, conf, remotePath, pathGlobFilter);
    } catch (IOException e) {
      throw new UncheckedIOException("Folder " + folder + " could not be listed: " + e.getMessage(), e);
    }
  }

  private static void requireDirectory(boolean isDirectory, String folder) {
    if (!isDirectory) {
      throw new IllegalArgumentException("Local folder " + folder + " is not a directory. Give the folder "
          + "whose contents to upload.");
    }
  }

  private WorkspaceRequest workspaceRequest(Map<String, String> sparkConf) {
    // The same precedence as a read's: what the builder gave, then spark.azureml.* session entries.
    return ReadConf.workspaceRequest(OptionLookup.of(workspaceOptions(), sparkConf), null);
  }

  /** @return the session's conf entries; without a session, the JVM's {@code spark.*} system properties */
  private Map<String, String> sparkConf() {
    return spark != null ? JavaConverters.mapAsJavaMap(spark.conf().getAll()) : OptionLookup.systemSparkConf();
  }

  /**
   * Whether the tasks run in this JVM's threads rather than as a Spark job. The setting is checked with
   * or without a session, so that a bad value is an error either way.
   */
  private boolean inThisJvm(Map<String, String> sparkConf) {
    TransferEngine engine = TransferEngine.parse(sparkConf);
    return spark == null || spark.sparkContext().isLocal() && engine == TransferEngine.AUTO;
  }

  /** @return the tasks a local session runs at once; without one, this machine's cores */
  private int parallelism() {
    return spark != null ? spark.sparkContext().defaultParallelism() : Runtime.getRuntime().availableProcessors();
  }

  /**
   * @return the session's Hadoop configuration; without a session, Hadoop's defaults plus the JVM's
   *     {@code spark.hadoop.*} system properties, as Spark would build it
   */
  private Configuration hadoopConf() {
    if (spark != null) {
      return HadoopConf.of(spark);
    }
    Configuration conf = new Configuration();
    sparkConf().forEach((k, v) -> {
      if (k.startsWith(SPARK_HADOOP)) {
        conf.set(k.substring(SPARK_HADOOP.length()), v);
      }
    });
    return conf;
  }

  /** The Hadoop configuration, built when a task first needs it: local source files need none. */
  private final class LazyHadoopConf implements HadoopConfSource {
    private static final long serialVersionUID = 1L;
    private transient Configuration conf;

    @Override
    public synchronized Configuration get() {
      if (conf == null) {
        conf = hadoopConf();
      }
      return conf;
    }
  }


  TransferReport download(Map<String, String> source, String prefix, String outputFolder,
      TransferOptions options, OverwriteMode defaultOverwrite, boolean defaultValidate) {
    AzureMLFiles.requireNonBlank(outputFolder, "outputFolder");
    Map<String, String> readOptions = new LinkedHashMap<>(source);
    readOptions.putAll(workspaceOptions());
    if (!source.containsKey(AmlOptions.PATH)) {
      // An address carries its own path.
      readOptions.put(AmlOptions.PREFIX, prefix == null ? "" : prefix);
    }
    readOptions.put(AmlOptions.OUTPUT_FOLDER, outputFolder);
    readOptions.put(AmlOptions.OVERWRITE, options.overwriteOr(defaultOverwrite).optionValue());
    readOptions.put(AmlOptions.VALIDATE_CHECKSUM, String.valueOf(options.validateChecksumOr(defaultValidate)));
    if (options.pathGlobFilter() != null) {
      readOptions.put(AmlOptions.PATH_GLOB_FILTER, options.pathGlobFilter());
    }

    URI output = OutputFolder.toUri(outputFolder);
    if (!"file".equals(output.getScheme())) {
      return runDownload(readOptions, source, options);
    }
    // One download per machine: concurrent callers for the same local folder share one transfer.
    Map<String, String> request = new TreeMap<>(readOptions);
    request.remove(AmlOptions.CREDENTIAL_HANDLE);
    java.nio.file.Path folder = java.nio.file.Path.of(output);
    return new SharedDownload(SharedDownload.defaultStateFolder(), folder, request.toString()).run(takeOver -> {
      Map<String, String> attempt = new LinkedHashMap<>(readOptions);
      if (takeOver) {
        removeLeftovers(folder);
        if (OverwriteMode.parse(attempt.get(AmlOptions.OVERWRITE)) == OverwriteMode.ALWAYS) {
          // Keep what the dead holder finished and verified; fetch the rest.
          attempt.put(AmlOptions.OVERWRITE, OverwriteMode.IF_DIFFERENT.optionValue());
        }
      }
      return runDownload(attempt, source, options);
    });
  }

  private static void removeLeftovers(java.nio.file.Path folder) {
    try {
      int removed = OutputFolder.removeLeftovers(folder);
      if (removed > 0) {
        LOGGER.info("Removed {} partial files that a stopped download left in {}.", removed, folder);
      }
    } catch (IOException e) {
      LOGGER.warn("Could not remove the partial files a stopped download left in {}: {}", folder, e.toString());
    }
  }

  private TransferReport runDownload(Map<String, String> readOptions, Map<String, String> source,
      TransferOptions options) {
    long start = System.nanoTime();
    Map<String, String> sparkConf = sparkConf();
    List<FileTransfer> results = inThisJvm(sparkConf)
        ? downloadInThisJvm(readOptions, sparkConf, source, options)
        : downloadAsSparkJob(readOptions, source, options);
    TransferReport report = new TransferReport(results, Duration.ofNanos(System.nanoTime() - start));
    throwOnFailure(report, "download");
    return report;
  }

  private List<FileTransfer> downloadInThisJvm(Map<String, String> readOptions, Map<String, String> sparkConf,
      Map<String, String> source, TransferOptions options) {
    ReadRequest request = ReadConf.parse(readOptions, sparkConf);
    ReadPlan plan = ReadPlanner.plan(request, WorkspaceLocator.ofProcess());
    requireFiles(plan, readOptions, source, options);
    ProgressCounter counter = new ProgressCounter();
    try (ProgressDisplay display = options.showProgress()
        ? ProgressDisplay.of("Downloading", counter, plan.files().size(), plan.totalBytes()) : null) {
      Configuration conf = OutputFolder.isLocal(request.transfer().outputFolder()) ? null : hadoopConf();
      return LocalDownload.run(request, plan, conf, parallelism(), counter);
    }
  }

  private List<FileTransfer> downloadAsSparkJob(Map<String, String> readOptions, Map<String, String> source,
      TransferOptions options) {
    Dataset<Row> rows = spark.read().format(AzureMLDataSource.SHORT_NAME).options(readOptions).load();
    AzureMLScan scan = scanOf(SparkInternals.queryExecution(rows).executedPlan());
    ReadPlan plan = scan.plan();
    requireFiles(plan, readOptions, source, options);
    try (ProgressDisplay display = options.showProgress()
        ? ProgressDisplay.of(spark.sparkContext(), "Downloading", scan.progress(), plan.files().size(),
            plan.totalBytes())
        : null) {
      List<FileTransfer> results = toTransfers(rows.collectAsList());
      // An executor lost mid-file left its temporary file; Spark ran its task again elsewhere.
      String folder = scan.request().transfer().outputFolder();
      DownloadTasks.removeLeftovers(folder, plan.files(), OutputFolder.isLocal(folder) ? null : hadoopConf());
      return results;
    }
  }

  private static void requireFiles(ReadPlan plan, Map<String, String> readOptions, Map<String, String> source,
      TransferOptions options) {
    if (!plan.files().isEmpty()) {
      return;
    }
    if (source.containsKey(AmlOptions.PATH)) {
      throw new NoFilesFoundException("No files" + (options.pathGlobFilter() == null ? ""
          : " matching \"" + options.pathGlobFilter() + "\"") + " were found at " + source.get(AmlOptions.PATH)
          + ": " + plan.source() + ". Check the address's path.");
    }
    throw new NoFilesFoundException("No files with prefix \"" + readOptions.get(AmlOptions.PREFIX) + "\""
        + (options.pathGlobFilter() == null ? "" : " matching \"" + options.pathGlobFilter() + "\"")
        + " were found " + (source.containsKey(AmlOptions.RUN_ID) ? "for " : "in ") + plan.source()
        + ". Check the prefix (it is matched against the start of each path"
        + (source.containsKey(AmlOptions.RUN_ID) ? ", relative to the run" : "") + ")"
        + (options.pathGlobFilter() == null ? "" : " and the pathGlobFilter (matched against file names)")
        + ".");
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
    if (credentialHandle != null) {
      options.put(AmlOptions.CREDENTIAL_HANDLE, credentialHandle);
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

  private static List<FileTransfer> toTransfers(List<Row> rows) {
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
    if (failures.stream().anyMatch(DownloadEngine::failedChecksum)) {
      throw new ChecksumMismatchException(message, report);
    }
    throw new TransferException(message, report);
  }
}

package io.github.amlspark.cli;

import io.github.amlspark.AzureMLFiles;
import io.github.amlspark.TransferOptions;
import io.github.amlspark.TransferReport;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The subcommands: each maps its flags onto one operation of the Java API. */
final class Subcommands {
  private Subcommands() {
  }

  @Command(name = "download-run", mixinStandardHelpOptions = true,
      description = "Download a run's files (hi-ml's download_files_from_run_id).")
  static final class DownloadRun extends TransferCommand {
    @Option(names = "--run-id", required = true, paramLabel = "ID", description = "Run id, or experiment:run_id.")
    String runId;
    @Option(names = "--prefix", defaultValue = "", description = "Run-relative path prefix (default: all).")
    String prefix;
    @Option(names = "--output", required = true, paramLabel = "DIR", description = "Local folder or Hadoop URI.")
    String output;

    @Override
    TransferReport run(AzureMLFiles files, TransferOptions options) {
      return files.downloadFilesFromRunId(runId, output, prefix, options);
    }
  }

  @Command(name = "download-checkpoints", mixinStandardHelpOptions = true,
      description = "Download a run's checkpoints, checksums validated (download_checkpoints_from_run_id).")
  static final class DownloadCheckpoints extends TransferCommand {
    @Option(names = "--run-id", required = true, paramLabel = "ID", description = "Run id, or experiment:run_id.")
    String runId;
    @Option(names = "--checkpoint-path", defaultValue = AzureMLFiles.CHECKPOINT_FOLDER, paramLabel = "P",
        description = "Checkpoint file or folder in the run (default: ${DEFAULT-VALUE}).")
    String checkpointPath;
    @Option(names = "--output", required = true, paramLabel = "DIR", description = "Local folder or Hadoop URI.")
    String output;

    @Override
    TransferReport run(AzureMLFiles files, TransferOptions options) {
      return files.downloadCheckpointsFromRunId(runId, checkpointPath, output, options);
    }
  }

  @Command(name = "download-datastore", mixinStandardHelpOptions = true,
      description = "Download files of a datastore (download_from_datastore).")
  static final class DownloadDatastore extends TransferCommand {
    @Option(names = "--datastore", required = true, paramLabel = "DS", description = "Datastore name.")
    String datastore;
    @Option(names = "--prefix", defaultValue = "", description = "Blob-name prefix (default: all).")
    String prefix;
    @Option(names = "--output", required = true, paramLabel = "DIR", description = "Local folder or Hadoop URI.")
    String output;

    @Override
    TransferReport run(AzureMLFiles files, TransferOptions options) {
      return files.downloadFromDatastore(datastore, prefix, output, options);
    }
  }

  @Command(name = "download", mixinStandardHelpOptions = true,
      description = "Download what an Azure ML address names: azureml://datastores/<ds>/paths/<p>, "
          + "azureml://jobs/<job>/outputs/<output>/paths/<p>, azureml:<data asset>:<version> or "
          + "azureml:<data asset>@latest (docs/addresses.md).")
  static final class Download extends TransferCommand {
    @picocli.CommandLine.Parameters(index = "0", paramLabel = "ADDRESS", description = "The Azure ML address.")
    String address;
    @Option(names = "--output", required = true, paramLabel = "DIR", description = "Local folder or Hadoop URI.")
    String output;

    @Override
    TransferReport run(AzureMLFiles files, TransferOptions options) {
      return files.download(address, output, options);
    }
  }

  @Command(name = "upload", mixinStandardHelpOptions = true,
      description = "Upload a folder's files to a datastore (upload_to_datastore).")
  static final class Upload extends TransferCommand {
    @Option(names = "--datastore", required = true, paramLabel = "DS", description = "Datastore name.")
    String datastore;
    @Option(names = "--source", required = true, paramLabel = "DIR",
        description = "Local folder or Hadoop URI; its own name is not part of the remote path.")
    String source;
    @Option(names = "--remote-path", required = true, paramLabel = "P", description = "Folder in the datastore.")
    String remotePath;

    @Override
    TransferReport run(AzureMLFiles files, TransferOptions options) {
      return files.uploadToDatastore(datastore, source, remotePath, options);
    }
  }

  @Command(name = "ls", mixinStandardHelpOptions = true,
      description = "List the files of a datastore, run or address with their sizes and MD5s (no content is "
          + "read).")
  static final class Ls implements Callable<Integer> {
    /** Exactly one of the three. */
    static final class Target {
      @Option(names = "--datastore", required = true, paramLabel = "DS", description = "Datastore name.")
      String datastore;
      @Option(names = "--run-id", required = true, paramLabel = "ID", description = "Run id.")
      String runId;
      @Option(names = "--address", required = true, paramLabel = "ADDRESS",
          description = "An Azure ML address (docs/addresses.md); it carries its own path.")
      String address;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Target target;
    @Option(names = "--prefix", defaultValue = "", description = "Path prefix (default: all).")
    String prefix;
    @Mixin
    SessionOptions common;
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      if (target.address != null && !prefix.isEmpty()) {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(),
            "--prefix cannot be combined with --address: the address carries its own path.");
      }
      SparkSession spark = common.session();
      try {
        var reader = spark.read().format("azureml");
        if (target.address == null) {
          reader = reader.option("prefix", prefix);
          reader = target.datastore != null ? reader.option("datastore", target.datastore)
              : reader.option("runId", target.runId);
        }
        if (common.workspaceConfig != null) {
          reader = reader.option("workspaceConfig", common.workspaceConfig);
        }
        var loaded = target.address == null ? reader.load() : reader.load(target.address);
        List<Row> rows = loaded.select("path", "length", "contentMd5").orderBy("path").collectAsList();
        long bytes = 0;
        for (Row r : rows) {
          spec.commandLine().getOut().printf("%12d  %-32s  %s%n", r.getLong(1),
              r.isNullAt(2) ? "-" : r.getString(2), r.getString(0));
          bytes += r.getLong(1);
        }
        spec.commandLine().getOut().printf("%d files, %,d bytes%n", rows.size(), bytes);
        spec.commandLine().getOut().flush();
        return 0;
      } finally {
        spark.stop();
      }
    }
  }
}

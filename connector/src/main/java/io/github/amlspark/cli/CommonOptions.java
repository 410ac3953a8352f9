package io.github.amlspark.cli;

import io.github.amlspark.OverwriteMode;
import io.github.amlspark.TransferOptions;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** The flags every transfer subcommand shares, mirroring the Java API's options. */
final class CommonOptions {
  @Mixin
  SessionOptions session;

  @Option(names = "--overwrite", paramLabel = "true|false|ifDifferent", converter = OverwriteConverter.class,
      description = "What to do with a file that exists at the destination (default: the operation's, as in "
          + "the Java API).")
  OverwriteMode overwrite;

  /** Parses {@code --overwrite} while the command line is read, so that a bad value is a usage error. */
  static final class OverwriteConverter implements ITypeConverter<OverwriteMode> {
    @Override
    public OverwriteMode convert(String value) {
      try {
        return OverwriteMode.parse(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }

  @Option(names = "--validate-checksum", negatable = true,
      description = "Check every byte against its MD5 (default: on for checkpoints, off otherwise).")
  Boolean validateChecksum;

  @Option(names = "--progress", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Show progress on stderr: a bar on a terminal, plain lines otherwise (default: on).")
  boolean progress;

  /** @return the options for the Java API, with the operation's defaults where no flag was given */
  TransferOptions transferOptions() {
    TransferOptions options = TransferOptions.defaults().showProgress(progress);
    if (overwrite != null) {
      options = options.overwrite(overwrite);
    }
    if (validateChecksum != null) {
      options = options.validateChecksum(validateChecksum);
    }
    return options;
  }
}

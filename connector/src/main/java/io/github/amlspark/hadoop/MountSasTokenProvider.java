package io.github.amlspark.hadoop;

import java.io.IOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.azurebfs.extensions.SASTokenProvider;

/**
 * hadoop-azure ABFS's SAS token provider for the file systems the azureml file system mounts: hands ABFS the
 * container SAS the driver published in the job's Hadoop configuration
 * ({@code fs.azure.sas.<file system>.<account host>}), for every operation. It never signs anything and holds
 * no key: an executor has only that SAS. ABFS makes it by reflection, from
 * {@code fs.azure.sas.token.provider.type.<account host>}.
 */
public class MountSasTokenProvider implements SASTokenProvider {
  private Configuration conf;
  private String accountHost;

  /** ABFS makes instances through this constructor and then calls {@link #initialize}. */
  public MountSasTokenProvider() {
  }

  /**
   * @param fileSystem the ADLS Gen2 file system (container)
   * @param accountHost the account's DFS host
   * @return the configuration key the SAS for that file system is published under
   */
  static String sasKey(String fileSystem, String accountHost) {
    return "fs.azure.sas." + fileSystem + "." + accountHost;
  }

  /**
   * @param configuration the file system's configuration
   * @param accountName the account's full host name, as ABFS passes it here
   */
  @Override
  public void initialize(Configuration configuration, String accountName) {
    conf = configuration;
    accountHost = accountName;
  }

  /**
   * @param account the account's short name, as ABFS passes it here (the host given to {@link #initialize}
   *     is used instead)
   * @param fileSystem the file system
   * @param path the path the operation is on
   * @param operation the operation
   * @return the file system's SAS, without a leading {@code ?}
   * @throws IOException when no SAS for the file system reached this JVM
   */
  @Override
  public String getSASToken(String account, String fileSystem, String path, String operation) throws IOException {
    String sas = conf.get(sasKey(fileSystem, accountHost));
    if (sas == null || sas.isBlank()) {
      throw new IOException("No SAS for file system " + fileSystem + " of " + accountHost + " reached this JVM: "
          + "the driver's azureml file system publishes it when it resolves the datastore. Use the azureml:// "
          + "path in the driver (spark.read / df.write) before tasks open it.");
    }
    return sas.startsWith("?") ? sas.substring(1) : sas;
  }
}

package io.github.amlspark.spark.read;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.github.amlspark.OverwriteMode;
import io.github.amlspark.auth.ContainerAccess;
import io.github.amlspark.auth.SecretString;
import io.github.amlspark.config.TransferSettings;
import io.github.amlspark.transfer.RetryPolicy;
import io.github.amlspark.spark.HadoopConf;
import io.github.amlspark.transfer.BlobEntry;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;

class SerializationTest {

  @SuppressWarnings("unchecked")
  static <T> T roundTrip(T value) throws IOException, ClassNotFoundException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(value);
    }
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      return (T) in.readObject();
    }
  }

  @Test
  void blobInputPartitionRoundTrips() throws Exception {
    List<BlobEntry> files = new ArrayList<>();
    files.add(new BlobEntry("ExperimentRun/dcid.r/outputs/a.txt", "outputs/a.txt", 12, 1_700_000_000_123L,
        "0123456789abcdef0123456789abcdef", "\"0x8DC1\""));
    files.add(new BlobEntry("b", "b", 0, 0L, null, null));
    ContainerAccess access = new ContainerAccess("http://127.0.0.1:10000/devstoreaccount1/azureml",
        SecretString.ofNullable("sv=2024&sig=abc%3D"));
    BlobInputPartition partition = new BlobInputPartition(List.copyOf(files), access, Map.of("a", "refused"));

    BlobInputPartition copy = roundTrip(partition);
    assertNotSame(partition, copy);
    assertEquals(partition, copy);
    assertEquals(files, copy.files());
    assertEquals("sv=2024&sig=abc%3D", copy.access().sas().reveal());
    assertEquals(access.containerUrl(), copy.access().containerUrl());
    assertNull(copy.files().get(1).contentMd5());
    assertEquals("BlobInputPartition(2 files)", copy.toString());
    assertFalse(copy.toString().contains("sig="));

    BlobInputPartition mutableList = new BlobInputPartition(files, access, Map.of());
    assertEquals(mutableList, roundTrip(mutableList));
  }

  @Test
  void transferSettingsRoundTrip() throws Exception {
    for (OverwriteMode mode : OverwriteMode.values()) {
      TransferSettings s = new TransferSettings("abfss://c@a.dfs.core.windows.net/out", mode, true, 17, RetryPolicy.DEFAULT);
      TransferSettings copy = roundTrip(s);
      assertEquals(s, copy);
      assertEquals(mode, copy.overwrite());
    }
    TransferSettings plain = new TransferSettings(null, OverwriteMode.NEVER, false, 8, RetryPolicy.DEFAULT);
    assertEquals(plain, roundTrip(plain));
    assertEquals(TransferSettings.PLAIN_RANGE_BYTES, plain.rangeBytes());
    assertEquals(TransferSettings.MD5_RANGE_BYTES,
        new TransferSettings(null, OverwriteMode.NEVER, true, 8, RetryPolicy.DEFAULT).rangeBytes());
  }

  @Test
  void hadoopConfKeepsValuesAcrossSerialization() throws Exception {
    Configuration conf = new Configuration(false);
    conf.set("fs.azure.account.key.acct.dfs.core.windows.net", "value-1");
    conf.set("amlspark.test.key", "value with spaces and ünïcode");
    conf.setInt("amlspark.test.int", 42);

    HadoopConf copy = roundTrip(new HadoopConf(conf));
    assertEquals("value-1", copy.get().get("fs.azure.account.key.acct.dfs.core.windows.net"));
    assertEquals("value with spaces and ünïcode", copy.get().get("amlspark.test.key"));
    assertEquals(42, copy.get().getInt("amlspark.test.int", 0));
    assertEquals(conf.size(), copy.get().size());
  }

  @Test
  void hadoopConfWithDefaultsRoundTrips() throws Exception {
    Configuration conf = new Configuration();
    conf.set("amlspark.test.key", "v");
    HadoopConf copy = roundTrip(new HadoopConf(conf));
    assertEquals("v", copy.get().get("amlspark.test.key"));
    assertEquals(conf.get("fs.defaultFS"), copy.get().get("fs.defaultFS"));
  }
}

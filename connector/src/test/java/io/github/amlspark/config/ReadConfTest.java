package io.github.amlspark.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.amlspark.OverwriteMode;
import io.github.amlspark.Workspace;
import io.github.amlspark.workspace.AzureMLAddress;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReadConfTest {

  private static ReadRequest parse(Map<String, String> options) {
    return ReadConf.parse(options, Map.of());
  }

  private static IllegalArgumentException parseFails(Map<String, String> options) {
    return assertThrows(IllegalArgumentException.class, () -> parse(options));
  }

  @Test
  void datastoreWithPrefixAndDefaults() {
    ReadRequest r = parse(Map.of("datastore", "ds", "prefix", "foo/bar"));
    assertEquals("ds", r.datastore());
    assertNull(r.runId());
    assertEquals("foo/bar", r.prefix());
    assertNull(r.pathGlobFilter());
    assertFalse(r.isDownload());
    assertNull(r.transfer().outputFolder());
    assertEquals(OverwriteMode.NEVER, r.transfer().overwrite());
    assertFalse(r.transfer().validateChecksum());
    assertEquals(ReadConf.DEFAULT_CONCURRENCY, r.transfer().concurrency());
    assertEquals(128L * 1024 * 1024, r.maxPartitionBytes());
    assertEquals(4L * 1024 * 1024, r.openCostInBytes());
    assertNull(r.workspace().explicit());
    assertNull(r.workspace().configPath());
    assertNull(r.workspace().credentialProvider());
  }

  @Test
  void runIdWithoutPrefixReadsEverything() {
    ReadRequest r = parse(Map.of("runId", "run_1"));
    assertEquals("run_1", r.runId());
    assertNull(r.datastore());
    assertEquals("", r.prefix());
  }

  @Test
  void exactlyOneOfDatastoreAndRunId() {
    IllegalArgumentException neither = parseFails(Map.of("prefix", "x"));
    assertTrue(neither.getMessage().contains("'datastore'"), neither.getMessage());
    assertTrue(neither.getMessage().contains("'runId'"), neither.getMessage());
    assertTrue(neither.getMessage().contains("neither"), neither.getMessage());

    IllegalArgumentException both = parseFails(Map.of("datastore", "ds", "runId", "r"));
    assertTrue(both.getMessage().contains("both"), both.getMessage());
  }

  @Test
  void datastoreMayComeFromSparkConf() {
    ReadRequest r = ReadConf.parse(Map.of("prefix", "p"), Map.of("spark.azureml.datastore", "ds"));
    assertEquals("ds", r.datastore());
    assertEquals("p", r.prefix());
  }

  @Test
  void optionKeysAreCaseInsensitive() {
    ReadRequest r = parse(Map.of("DATASTORE", "ds", "Prefix", "p", "OUTPUTFOLDER", "/tmp/out",
        "Overwrite", "TRUE", "validatechecksum", "true", "TransferConcurrency", "3",
        "MAXPARTITIONBYTES", "1000", "opencostinbytes", "10", "pathglobfilter", "*.ckpt"));
    assertEquals("ds", r.datastore());
    assertEquals("p", r.prefix());
    assertTrue(r.isDownload());
    assertEquals("/tmp/out", r.transfer().outputFolder());
    assertEquals(OverwriteMode.ALWAYS, r.transfer().overwrite());
    assertTrue(r.transfer().validateChecksum());
    assertEquals(3, r.transfer().concurrency());
    assertEquals(1000L, r.maxPartitionBytes());
    assertEquals(10L, r.openCostInBytes());
    assertEquals("*.ckpt", r.pathGlobFilter());
  }

  @Test
  void datastoreUriViaPathOption() {
    ReadRequest r = parse(Map.of("path", "azureml://datastores/ds/paths/foo/bar"));
    assertEquals("ds", r.datastore());
    assertNull(r.runId());
    assertEquals("foo/bar", r.prefix());
    assertNull(r.workspace().explicit());
  }

  @Test
  void workspaceUriSetsTheWorkspace() {
    ReadRequest r = parse(Map.of("path",
        "azureml://subscriptions/S/resourcegroups/R/workspaces/W/datastores/ds/paths/foo"));
    assertEquals("ds", r.datastore());
    assertEquals("foo", r.prefix());
    assertEquals(Workspace.of("S", "R", "W"), r.workspace().explicit());
  }

  @Test
  void jobUriSetsRunId() {
    ReadRequest r = parse(Map.of("PATH", "azureml://jobs/run_1/outputs/artifacts/paths/outputs/"));
    assertEquals("run_1", r.runId());
    assertNull(r.datastore());
    assertEquals("outputs/", r.prefix());
  }

  @Test
  void jobOutputsAndDataAssetsAreResolvedWhenPlanned() {
    ReadRequest output = parse(Map.of("path", "azureml://jobs/j1/outputs/model/paths/w"));
    assertNull(output.datastore());
    assertNull(output.runId());
    assertEquals(AzureMLAddress.Kind.JOB_OUTPUT, output.address().kind());
    assertEquals("model", output.address().output());
    assertTrue(output.describe().contains("address=azureml://jobs/j1/outputs/model/paths/w"), output.describe());
    ReadRequest asset = parse(Map.of("path", "azureml:iris@latest"));
    assertEquals(AzureMLAddress.Kind.DATA_ASSET, asset.address().kind());
    assertEquals("iris", asset.address().asset());
    assertNull(parse(Map.of("datastore", "ds")).address());
  }

  @Test
  void uriPlusDatastoreOrPrefixOptionIsAnError() {
    String uri = "azureml://datastores/ds/paths/foo";
    for (String key : new String[] {"datastore", "runId", "prefix"}) {
      IllegalArgumentException e = parseFails(Map.of("path", uri, key, "x"));
      assertTrue(e.getMessage().contains("not both"), e.getMessage());
    }
  }

  @Test
  void plainPathIsAnErrorPointingAtTheOptions() {
    IllegalArgumentException e = parseFails(Map.of("path", "foo/bar"));
    assertTrue(e.getMessage().contains("foo/bar"), e.getMessage());
    assertTrue(e.getMessage().contains("azureml://"), e.getMessage());
    assertTrue(e.getMessage().contains("datastore"), e.getMessage());
    assertTrue(e.getMessage().contains("prefix"), e.getMessage());
  }

  @Test
  void otherSchemesAreNotAccepted() {
    IllegalArgumentException e = parseFails(Map.of("path", "wasbs://c@a.blob.core.windows.net/x"));
    assertTrue(e.getMessage().contains("azureml://"), e.getMessage());
  }

  @Test
  void malformedAzuremlUriIsAnError() {
    IllegalArgumentException e = parseFails(Map.of("path", "azureml://datastores/ds/files/x"));
    assertTrue(e.getMessage().contains("azureml://datastores/ds"), e.getMessage());
  }

  @Test
  void blankPathIsIgnored() {
    ReadRequest r = parse(Map.of("path", "  ", "datastore", "ds"));
    assertEquals("ds", r.datastore());
  }

  @Test
  void overwriteParsing() {
    assertEquals(OverwriteMode.ALWAYS, parse(Map.of("datastore", "d", "overwrite", "true")).transfer().overwrite());
    assertEquals(OverwriteMode.NEVER, parse(Map.of("datastore", "d", "overwrite", "false")).transfer().overwrite());
    assertEquals(OverwriteMode.IF_DIFFERENT,
        parse(Map.of("datastore", "d", "overwrite", "ifDifferent")).transfer().overwrite());
    assertEquals(OverwriteMode.NEVER, parse(Map.of("datastore", "d")).transfer().overwrite());
    assertEquals(OverwriteMode.IF_DIFFERENT, ReadConf.parse(Map.of("datastore", "d"),
        Map.of("spark.azureml.overwrite", "ifdifferent")).transfer().overwrite());
    IllegalArgumentException e = parseFails(Map.of("datastore", "d", "overwrite", "sometimes"));
    assertTrue(e.getMessage().contains("overwrite"), e.getMessage());
    assertTrue(e.getMessage().contains("ifDifferent"), e.getMessage());
  }

  @Test
  void checkMd5IsOnByDefault() {
    assertTrue(parse(Map.of("datastore", "d")).transfer().checkMd5());
    assertFalse(parse(Map.of("datastore", "d", "checkMd5", "false")).transfer().checkMd5());
    assertFalse(ReadConf.parse(Map.of("datastore", "d"), Map.of("spark.azureml.checkMd5", "false"))
        .transfer().checkMd5());
    assertTrue(parseFails(Map.of("datastore", "d", "checkMd5", "no")).getMessage().contains("checkMd5"));
  }

  @Test
  void badTypedOptionsNameTheOption() {
    assertTrue(parseFails(Map.of("datastore", "d", "validateChecksum", "maybe")).getMessage()
        .contains("validateChecksum"));
    assertTrue(parseFails(Map.of("datastore", "d", "maxPartitionBytes", "0")).getMessage()
        .contains("maxPartitionBytes"));
    assertTrue(parseFails(Map.of("datastore", "d", "openCostInBytes", "-1")).getMessage()
        .contains("openCostInBytes"));
    assertTrue(parseFails(Map.of("datastore", "d", "transferConcurrency", "1000")).getMessage()
        .contains("transferConcurrency"));
  }

  @Test
  void workspaceOptions() {
    ReadRequest r = parse(Map.of("datastore", "d", "subscriptionId", "S", "resourceGroup", "R",
        "workspaceName", "W", "workspaceConfig", "/x/config.json", "credentialProvider", "a.B"));
    assertEquals(Workspace.of("S", "R", "W"), r.workspace().explicit());
    assertEquals("/x/config.json", r.workspace().configPath());
    assertEquals("a.B", r.workspace().credentialProvider());
  }

  @Test
  void workspaceOptionsFromSparkConf() {
    ReadRequest r = ReadConf.parse(Map.of("datastore", "d", "workspaceName", "W2"),
        Map.of("spark.azureml.subscriptionId", "S", "spark.azureml.resourceGroup", "R",
            "spark.azureml.workspaceName", "W"));
    assertEquals(Workspace.of("S", "R", "W2"), r.workspace().explicit());
  }

  @Test
  void partialWorkspaceOptionsAreAnError() {
    Map<String, String> all = Map.of("subscriptionId", "S", "resourceGroup", "R", "workspaceName", "W");
    for (String missing : all.keySet()) {
      Map<String, String> opts = new HashMap<>(all);
      opts.remove(missing);
      opts.put("datastore", "d");
      IllegalArgumentException e = parseFails(opts);
      assertTrue(e.getMessage().contains("subscriptionId"), e.getMessage());
      assertTrue(e.getMessage().contains("resourceGroup"), e.getMessage());
      assertTrue(e.getMessage().contains("workspaceName"), e.getMessage());
    }
    assertThrows(IllegalArgumentException.class, () -> parse(Map.of("datastore", "d", "workspaceName", "W")));
  }

  @Test
  void sessionDefaultsDoNotConflictWithExplicitChoices() {
    Map<String, String> conf = Map.of("spark.azureml.datastore", "default-ds", "spark.azureml.prefix", "p0");
    ReadRequest fromUri = ReadConf.parse(Map.of("path", "azureml://jobs/run_1/outputs/artifacts/paths/x"), conf);
    assertEquals("run_1", fromUri.runId());
    assertEquals("x", fromUri.prefix());
    ReadRequest fromOption = ReadConf.parse(Map.of("datastore", "ds"), Map.of("spark.azureml.runId", "r"));
    assertEquals("ds", fromOption.datastore());
  }

  @Test
  void describeNamesTheReadWithoutSecrets() {
    ReadRequest r = parse(Map.of("datastore", "ds", "prefix", "p", "outputFolder", "/out",
        "overwrite", "ifDifferent", "pathGlobFilter", "*.x"));
    String d = r.describe();
    assertTrue(d.contains("datastore=ds"), d);
    assertTrue(d.contains("prefix=p"), d);
    assertTrue(d.contains("outputFolder=/out"), d);
    assertTrue(d.contains("overwrite=ifDifferent"), d);
    assertTrue(d.contains("pathGlobFilter=*.x"), d);
  }

  @Test
  void severalPathsBecomeOneRequestEach() {
    // What DataFrameReader.load(p1, p2) (PySpark's load([p1, p2])) passes: a JSON array under "paths".
    java.util.List<ReadRequest> rs = ReadConf.parseAll(Map.of("paths",
        "[\"azureml://datastores/a/paths/x/\",\"azureml://jobs/run_1/outputs/artifacts/paths/outputs\"]",
        "outputFolder", "/tmp/out", "checkMd5", "False"), Map.of());
    assertEquals(2, rs.size());
    assertEquals("a", rs.get(0).datastore());
    assertEquals("x/", rs.get(0).prefix());
    assertEquals("run_1", rs.get(1).runId());
    assertEquals("outputs", rs.get(1).prefix());
    for (ReadRequest r : rs) {
      assertEquals("/tmp/out", r.transfer().outputFolder());
      assertFalse(r.transfer().checkMd5());
    }
    assertEquals(1, ReadConf.parseAll(Map.of("datastore", "d"), Map.of()).size());
  }

  @Test
  void badPathsSayWhatIsAccepted() {
    for (String bad : new String[] {"azureml://datastores/a/paths/x", "[]", "{\"a\": 1}", ""}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> ReadConf.parseAll(Map.of("paths", bad), Map.of()), bad);
      assertTrue(e.getMessage().contains("'paths' must be a JSON array of azureml:// URIs"), e.getMessage());
    }
    assertTrue(assertThrows(IllegalArgumentException.class, () -> ReadConf.parseAll(Map.of("paths",
        "[\"azureml://datastores/a/paths/x\"]", "datastore", "b"), Map.of())).getMessage().contains("not both"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> ReadConf.parseAll(Map.of("paths",
        "[\"/local/x\"]"), Map.of())).getMessage().contains("needs an Azure ML address"));
  }

  @Test
  void emptyOverwriteIsAnError() {
    IllegalArgumentException e = parseFails(Map.of("datastore", "d", "overwrite", ""));
    assertTrue(e.getMessage().contains("'overwrite' is empty"), e.getMessage());
    assertTrue(e.getMessage().contains("ifDifferent"), e.getMessage());
  }
}

package io.github.amlspark.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class OptionLookupTest {

  @Test
  void optionBeatsSparkConfWhichBeatsDefault() {
    OptionLookup both = OptionLookup.of(Map.of("prefix", "from-option"),
        Map.of("spark.azureml.prefix", "from-conf"));
    assertEquals(Optional.of("from-option"), both.get(AmlOptions.PREFIX));

    OptionLookup confOnly = OptionLookup.of(Map.of(), Map.of("spark.azureml.prefix", "from-conf"));
    assertEquals(Optional.of("from-conf"), confOnly.get(AmlOptions.PREFIX));

    OptionLookup none = OptionLookup.of(Map.of(), Map.of());
    assertEquals(Optional.empty(), none.get(AmlOptions.PREFIX));
    assertEquals(42L, none.positiveLong(AmlOptions.MAX_PARTITION_BYTES, 42L));
    assertTrue(none.bool(AmlOptions.VALIDATE_CHECKSUM, true));
    assertFalse(none.bool(AmlOptions.VALIDATE_CHECKSUM, false));
  }

  @Test
  void precedenceAppliesToTypedLookups() {
    OptionLookup lookup = OptionLookup.of(Map.of("validateChecksum", "false", "maxPartitionBytes", "10"),
        Map.of("spark.azureml.validateChecksum", "true", "spark.azureml.maxPartitionBytes", "20",
            "spark.azureml.openCostInBytes", "30"));
    assertFalse(lookup.bool(AmlOptions.VALIDATE_CHECKSUM, true));
    assertEquals(10L, lookup.positiveLong(AmlOptions.MAX_PARTITION_BYTES, 1));
    assertEquals(30L, lookup.positiveLong(AmlOptions.OPEN_COST_IN_BYTES, 1));
  }

  @Test
  void keysAreCaseInsensitiveInOptionsAndConf() {
    OptionLookup lookup = OptionLookup.of(Map.of("RUNID", "run_1", "PathGlobFilter", "*.txt"),
        Map.of("spark.azureml.DATASTORE", "ds"));
    assertEquals(Optional.of("run_1"), lookup.get("runId"));
    assertEquals(Optional.of("run_1"), lookup.get("runid"));
    assertEquals(Optional.of("*.txt"), lookup.get(AmlOptions.PATH_GLOB_FILTER));
    assertEquals(Optional.of("ds"), lookup.get("Datastore"));
  }

  @Test
  void onlySparkAzuremlConfEntriesAreUsed() {
    OptionLookup lookup = OptionLookup.of(Map.of(),
        Map.of("datastore", "plain", "spark.sql.datastore", "other"));
    assertEquals(Optional.empty(), lookup.get(AmlOptions.DATASTORE));
  }

  @Test
  void valuesAreTrimmedAndBlankIsUnset() {
    OptionLookup lookup = OptionLookup.of(Map.of("prefix", "  foo/bar  ", "datastore", "   "), Map.of());
    assertEquals(Optional.of("foo/bar"), lookup.get(AmlOptions.PREFIX));
    assertEquals(Optional.empty(), lookup.get(AmlOptions.DATASTORE));
  }

  @Test
  void booleanParsingIsCaseInsensitive() {
    OptionLookup lookup = OptionLookup.of(Map.of("validateChecksum", "TRUE"), Map.of());
    assertTrue(lookup.bool(AmlOptions.VALIDATE_CHECKSUM, false));
    lookup = OptionLookup.of(Map.of("validateChecksum", "False"), Map.of());
    assertFalse(lookup.bool(AmlOptions.VALIDATE_CHECKSUM, true));
  }

  @Test
  void badBooleanNamesTheOption() {
    OptionLookup lookup = OptionLookup.of(Map.of("validateChecksum", "yes"), Map.of());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> lookup.bool(AmlOptions.VALIDATE_CHECKSUM, false));
    assertTrue(e.getMessage().contains("validateChecksum"), e.getMessage());
    assertTrue(e.getMessage().contains("true or false"), e.getMessage());
  }

  @Test
  void badBooleanFromSparkConfNamesTheOption() {
    OptionLookup lookup = OptionLookup.of(Map.of(), Map.of("spark.azureml.validateChecksum", "1"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> lookup.bool(AmlOptions.VALIDATE_CHECKSUM, false));
    assertTrue(e.getMessage().contains("validateChecksum"), e.getMessage());
  }

  @Test
  void nonPositiveOrNonNumericNumbersNameTheOption() {
    for (String bad : new String[] {"0", "-5", "abc", "1.5", "99999999999999999999"}) {
      OptionLookup lookup = OptionLookup.of(Map.of("maxPartitionBytes", bad), Map.of());
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> lookup.positiveLong(AmlOptions.MAX_PARTITION_BYTES, 1), bad);
      assertTrue(e.getMessage().contains("maxPartitionBytes"), e.getMessage());
      assertTrue(e.getMessage().contains("positive"), e.getMessage());
    }
  }

  @Test
  void positiveNumbersParse() {
    OptionLookup lookup = OptionLookup.of(Map.of("maxPartitionBytes", "1", "openCostInBytes", " 4096 "),
        Map.of());
    assertEquals(1L, lookup.positiveLong(AmlOptions.MAX_PARTITION_BYTES, 7));
    assertEquals(4096L, lookup.positiveLong(AmlOptions.OPEN_COST_IN_BYTES, 7));
  }

  @Test
  void positiveIntEnforcesMaximum() {
    OptionLookup ok = OptionLookup.of(Map.of("transferConcurrency", "64"), Map.of());
    assertEquals(64, ok.positiveInt(AmlOptions.TRANSFER_CONCURRENCY, 8, 64));
    OptionLookup tooMany = OptionLookup.of(Map.of("transferConcurrency", "65"), Map.of());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> tooMany.positiveInt(AmlOptions.TRANSFER_CONCURRENCY, 8, 64));
    assertTrue(e.getMessage().contains("transferConcurrency"), e.getMessage());
    assertTrue(e.getMessage().contains("64"), e.getMessage());
    OptionLookup zero = OptionLookup.of(Map.of("transferConcurrency", "0"), Map.of());
    assertThrows(IllegalArgumentException.class,
        () -> zero.positiveInt(AmlOptions.TRANSFER_CONCURRENCY, 8, 64));
    assertEquals(8, OptionLookup.of(Map.of(), Map.of()).positiveInt(AmlOptions.TRANSFER_CONCURRENCY, 8, 64));
  }

  @Test
  void sasTtlTakesSparkTimeStringsWithinBounds() {
    assertEquals(java.time.Duration.ofHours(8), ReadConf.sasTtl(OptionLookup.of(Map.of(), Map.of())));
    assertEquals(java.time.Duration.ofMinutes(30),
        ReadConf.sasTtl(OptionLookup.of(Map.of("sasttl", "30m"), Map.of())));
    assertEquals(java.time.Duration.ofDays(2),
        ReadConf.sasTtl(OptionLookup.of(Map.of(), Map.of("spark.azureml.sasTtl", "2d"))));
    IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class,
        () -> ReadConf.sasTtl(OptionLookup.of(Map.of("sasTtl", "8d"), Map.of())));
    assertTrue(tooLong.getMessage().contains("sasTtl") && tooLong.getMessage().contains("7 days"),
        tooLong.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> ReadConf.sasTtl(OptionLookup.of(Map.of("sasTtl", "1m"), Map.of())));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> ReadConf.sasTtl(OptionLookup.of(Map.of("sasTtl", "soon"), Map.of()))).getMessage()
        .contains("30m, 8h or 2d"));
  }
}

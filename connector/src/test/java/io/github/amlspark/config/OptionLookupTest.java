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

  @Test
  void booleansAcceptWhatPySparkSendsInAnyCase() {
    // PySpark sends option("checkMd5", False) as "false"; users also write the Python spelling as a string.
    for (String yes : new String[] {"true", "True", "TRUE", " true "}) {
      assertTrue(OptionLookup.of(Map.of("checkMd5", yes), Map.of()).bool(AmlOptions.CHECK_MD5, false), yes);
    }
    for (String no : new String[] {"false", "False", "FALSE", " false "}) {
      assertFalse(OptionLookup.of(Map.of(), Map.of("spark.azureml.checkMd5", no)).bool(AmlOptions.CHECK_MD5, true),
          no);
    }
    for (String bad : new String[] {"yes", "1", "0", "t", "on"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> OptionLookup.of(Map.of("checkMd5", bad), Map.of()).bool(AmlOptions.CHECK_MD5, true), bad);
      assertEquals("Option 'checkMd5' must be true or false (in any case), but was '" + bad + "'.", e.getMessage());
    }
  }

  @Test
  void sizesTakeBytesOrSparkSizeStrings() {
    Map<String, Long> good = Map.of("1048576", 1048576L, " 8 ", 8L, "64k", 65536L, "1m", 1048576L,
        "1MB", 1048576L, "2g", 2L << 30, "512KB", 524288L);
    good.forEach((text, bytes) -> assertEquals(bytes,
        OptionLookup.of(Map.of("maxPartitionBytes", text), Map.of()).bytes(AmlOptions.MAX_PARTITION_BYTES, 1), text));
    for (String bad : new String[] {"1 MB", "1.5m", "0", "-1", "abc", "1MiB"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> OptionLookup.of(Map.of("openCostInBytes", bad), Map.of()).bytes(AmlOptions.OPEN_COST_IN_BYTES, 1), bad);
      assertEquals("Option 'openCostInBytes' must be a positive size in bytes such as 1048576, 64k, 1m, 1MB or 2g, "
          + "but was '" + bad + "'.", e.getMessage());
    }
  }

  @Test
  void emptyTypedValuesAreErrorsNamingWhereTheyCameFrom() {
    IllegalArgumentException option = assertThrows(IllegalArgumentException.class,
        () -> OptionLookup.of(Map.of("checkMd5", ""), Map.of()).bool(AmlOptions.CHECK_MD5, true));
    assertEquals("Option 'checkMd5' is empty: it must be true or false (in any case) (or be left unset for its "
        + "default).", option.getMessage());
    IllegalArgumentException conf = assertThrows(IllegalArgumentException.class,
        () -> OptionLookup.of(Map.of(), Map.of("spark.azureml.transferConcurrency", " "))
            .positiveInt(AmlOptions.TRANSFER_CONCURRENCY, 16, 64));
    assertTrue(conf.getMessage().startsWith("Spark conf entry 'spark.azureml.transferConcurrency' is empty"),
        conf.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> OptionLookup.of(Map.of("maxPartitionBytes", ""), Map.of()).bytes(AmlOptions.MAX_PARTITION_BYTES, 1));
    assertThrows(IllegalArgumentException.class,
        () -> ReadConf.sasTtl(OptionLookup.of(Map.of("sasTtl", ""), Map.of())));
    // Plain strings stay as they were: blank is unset.
    assertEquals(Optional.empty(), OptionLookup.of(Map.of("prefix", ""), Map.of()).get(AmlOptions.PREFIX));
  }

  @Test
  void badNumbersFromSparkConfNameTheEntry() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> OptionLookup.of(Map.of(), Map.of("spark.azureml.transferConcurrency", "eight"))
            .positiveInt(AmlOptions.TRANSFER_CONCURRENCY, 16, 64));
    assertEquals("Spark conf entry 'spark.azureml.transferConcurrency' must be a positive whole number, but was "
        + "'eight'.", e.getMessage());
  }
}

package io.github.amlspark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class OverwriteModeTest {

  @Test
  void parsesTheOptionValuesCaseInsensitively() {
    assertEquals(OverwriteMode.ALWAYS, OverwriteMode.parse("true"));
    assertEquals(OverwriteMode.ALWAYS, OverwriteMode.parse("TRUE"));
    assertEquals(OverwriteMode.NEVER, OverwriteMode.parse("false"));
    assertEquals(OverwriteMode.NEVER, OverwriteMode.parse(" False "));
    assertEquals(OverwriteMode.IF_DIFFERENT, OverwriteMode.parse("ifDifferent"));
    assertEquals(OverwriteMode.IF_DIFFERENT, OverwriteMode.parse("IFDIFFERENT"));
  }

  @Test
  void rejectsOtherValuesNamingTheAcceptedOnes() {
    for (String bad : new String[] {"", "yes", "1", "if different", "skip"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OverwriteMode.parse(bad));
      assertTrue(e.getMessage().contains("'overwrite'"), e.getMessage());
      assertTrue(e.getMessage().contains("true, false or ifDifferent"), e.getMessage());
    }
  }

  @Test
  void optionValueRoundTrips() {
    for (OverwriteMode m : OverwriteMode.values()) {
      assertEquals(m, OverwriteMode.parse(m.optionValue()));
    }
    assertEquals("true", OverwriteMode.ALWAYS.optionValue());
    assertEquals("false", OverwriteMode.NEVER.optionValue());
    assertEquals("ifDifferent", OverwriteMode.IF_DIFFERENT.optionValue());
  }

  @Test
  void booleanShortForm() {
    assertEquals(OverwriteMode.ALWAYS, OverwriteMode.of(true));
    assertEquals(OverwriteMode.NEVER, OverwriteMode.of(false));
  }
}

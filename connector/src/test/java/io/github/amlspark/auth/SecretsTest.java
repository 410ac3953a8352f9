package io.github.amlspark.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import org.junit.jupiter.api.Test;

class SecretsTest {
  private static final String SAS = "sv=2024-01-01&se=2030&sp=rl&sig=TOPSECRETsignature%3D";

  @Test
  void secretStringNeverShowsItself() {
    SecretString s = SecretString.ofNullable("hunter2");
    assertEquals("***", s.toString());
    assertEquals("***", String.valueOf(s));
    assertEquals("key=***", "key=" + s);
    assertEquals("hunter2", s.reveal());
  }

  @Test
  void secretStringOfNullableTrimsAndDropsBlank() {
    assertNull(SecretString.ofNullable(null));
    assertNull(SecretString.ofNullable(""));
    assertNull(SecretString.ofNullable("   "));
    assertEquals("abc", SecretString.ofNullable("  abc \n").reveal());
  }

  @Test
  void secretStringEquality() {
    assertEquals(SecretString.ofNullable("a"), SecretString.ofNullable("a"));
    assertEquals(SecretString.ofNullable("a").hashCode(), SecretString.ofNullable("a").hashCode());
    assertNotEquals(SecretString.ofNullable("a"), SecretString.ofNullable("b"));
    assertNotEquals(SecretString.ofNullable("a"), "a");
  }

  @Test
  void containerAccessToStringHasNoSas() {
    ContainerAccess access = new ContainerAccess("https://acct.blob.core.windows.net/data",
        SecretString.ofNullable(SAS));
    String text = access.toString();
    assertFalse(text.contains(SAS), text);
    assertFalse(text.contains("TOPSECRET"), text);
    assertFalse(text.contains("sig="), text);
    assertTrue(text.contains("https://acct.blob.core.windows.net/data"), text);
    assertEquals(SAS, access.sas().reveal());
  }

  @Test
  void secretSurvivesSerialization() throws Exception {
    ContainerAccess access = new ContainerAccess("https://acct.blob.core.windows.net/data",
        SecretString.ofNullable(SAS));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(access);
    }
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      ContainerAccess copy = (ContainerAccess) in.readObject();
      assertEquals(access, copy);
      assertEquals(SAS, copy.sas().reveal());
      assertEquals("***", copy.sas().toString());
    }
  }
}

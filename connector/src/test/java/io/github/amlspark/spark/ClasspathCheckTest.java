package io.github.amlspark.spark;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.amlspark.AzureMLException;
import org.junit.jupiter.api.Test;

class ClasspathCheckTest {
  private static final ClassLoader LOADER = ClasspathCheckTest.class.getClassLoader();

  @Test
  void theBuildsOwnClasspathPasses() {
    assertDoesNotThrow(ClasspathCheck::verify);
  }

  @Test
  void aClassWithoutTheNeededMethodNamesItsJarAndVersion() {
    String junitVersion = Test.class.getPackage().getImplementationVersion();
    AzureMLException e = assertThrows(AzureMLException.class, () -> ClasspathCheck.check(
        new ClasspathCheck.Need("JUnit 9", Test.class.getName(), "timeout", String.class), LOADER));
    String m = e.getMessage();
    assertTrue(m.contains(Test.class.getName() + ".timeout(String)"), m);
    assertTrue(m.contains("JUnit 9"), m);
    assertTrue(m.contains("junit-jupiter-api-" + junitVersion + ".jar"), m);
    assertTrue(m.contains("(version " + junitVersion + ")"), m);
  }

  @Test
  void aMissingClassSaysWhatToRunOn() {
    AzureMLException e = assertThrows(AzureMLException.class, () -> ClasspathCheck.check(
        new ClasspathCheck.Need("Hadoop 3.3", "org.apache.hadoop.fs.NoSuchThing", "x"), LOADER));
    assertTrue(e.getMessage().contains("not on the classpath") && e.getMessage().contains("Hadoop 3.3"),
        e.getMessage());
  }

  @Test
  void anotherScalaBinaryVersionNamesTheArtifactToUse() {
    String actual = scala.util.Properties.versionNumberString();
    AzureMLException e = assertThrows(AzureMLException.class, () -> ClasspathCheck.checkScala(LOADER, "2.13"));
    String m = e.getMessage();
    assertTrue(m.contains("built for Scala 2.13") && m.contains(actual) && m.contains("scala-library"), m);
    assertTrue(m.contains("artifact for Scala " + actual.substring(0, actual.lastIndexOf('.'))), m);
    assertDoesNotThrow(() -> ClasspathCheck.checkScala(LOADER, actual.substring(0, actual.lastIndexOf('.'))));
  }
}

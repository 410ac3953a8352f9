package io.github.amlspark.it;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/** Stops the shared Azurite and Spark session when the test run ends, whatever its outcome. */
public final class TestEnvironmentListener implements LauncherSessionListener {
  @Override
  public void launcherSessionClosed(LauncherSession session) {
    TestEnvironment.stop();
  }
}

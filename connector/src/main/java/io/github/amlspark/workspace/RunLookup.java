package io.github.amlspark.workspace;

import io.github.amlspark.RunNotFoundException;
import io.github.amlspark.arm.ArmClient;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks that a run exists before its files are read: through ARM's job lookup ({@code GET jobs/{id}}),
 * which also tells whether it is still running. Offline workspaces have no control plane to ask; there a
 * run is known when it has files (checked by the planner).
 */
public final class RunLookup {
  /** The datastore that holds every run's own files. */
  public static final String ARTIFACT_STORE = "workspaceartifactstore";
  private static final Logger LOGGER = LoggerFactory.getLogger(RunLookup.class);
  /** Job states in which files may still be added. */
  private static final Set<String> ACTIVE = Set.of("NotStarted", "Queued", "Preparing", "Provisioning",
      "Starting", "Running", "Finalizing", "CancelRequested");

  private RunLookup() {
  }

  /**
   * @param runId a run (job name)
   * @return the folder of the run's own files in {@link #ARTIFACT_STORE}
   */
  public static String runRoot(String runId) {
    return "ExperimentRun/dcid." + runId + "/";
  }

  /**
   * @param workspace the workspace, not offline
   * @param runId the run (job name)
   * @return the job's status, or null when ARM gave none
   * @throws RunNotFoundException when the workspace has no such run
   */
  public static String check(ResolvedWorkspace workspace, String runId) {
    return status(job(workspace, runId));
  }

  /**
   * Looks a job up, warning when it is still running (its files are not all there yet).
   *
   * @param workspace the workspace, not offline
   * @param runId the run (job name)
   * @return the job as ARM returns it
   * @throws RunNotFoundException when the workspace has no such run
   */
  static Map<String, Object> job(ResolvedWorkspace workspace, String runId) {
    Map<String, Object> job = workspace.arm().get("jobs/" + ArmClient.segment(runId),
        () -> new RunNotFoundException("Run " + runId + " was not found in workspace "
            + workspace.workspace().name() + " (" + workspace.foundBy() + "). Check the run id (the job's "
            + "name in Azure ML studio, or 'az ml job list'), and that the workspace is the one the run "
            + "belongs to."));
    String status = status(job);
    if (status != null && ACTIVE.contains(status)) {
      LOGGER.warn("Run {} is still {}: downloading the files it has so far; files it writes later are not "
          + "included.", runId, status);
    }
    return job;
  }

  private static String status(Map<String, Object> job) {
    return job.get("properties") instanceof Map<?, ?> p && p.get("status") instanceof String s ? s : null;
  }
}

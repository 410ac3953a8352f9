package io.github.amlspark.planning;

import io.github.amlspark.RunNotFoundException;
import io.github.amlspark.config.ReadRequest;
import io.github.amlspark.transfer.BlobEntry;
import io.github.amlspark.storage.BlobLister;
import io.github.amlspark.storage.SasIssuer;
import io.github.amlspark.workspace.AddressResolver;
import io.github.amlspark.workspace.DatastoreResolver;
import io.github.amlspark.workspace.DatastoreSpec;
import io.github.amlspark.workspace.ResolvedWorkspace;
import io.github.amlspark.workspace.RunLookup;
import io.github.amlspark.workspace.WorkspaceLocator;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Driver-side planning of a read: workspace, datastore, executors' access, listing. */
public final class ReadPlanner {
  private ReadPlanner() {
  }

  /**
   * @param request the parsed read
   * @param locator how to find the workspace
   * @return the plan
   */
  public static ReadPlan plan(ReadRequest request, WorkspaceLocator locator) {
    ResolvedWorkspace workspace = locator.locate(request.workspace());
    if (request.address() != null || request.datastore() != null) {
      // A datastore and a prefix are a datastore path as an address names one.
      AddressResolver.DatastorePath location = request.address() != null
          ? AddressResolver.resolve(workspace, request.address())
          : new AddressResolver.DatastorePath(request.datastore(), request.prefix(), false,
              "datastore " + request.datastore());
      SasIssuer.ReadAccess access = readAccess(workspace, location.datastore(), request);
      List<BlobEntry> files = BlobLister.list(access.listing(), "", location.path(), request.pathGlobFilter());
      if (location.file()) {
        // A file is its own name only, not every name that starts with it.
        files = files.stream().filter(f -> f.path().equals(location.path())).toList();
      }
      return new ReadPlan(access.executors(), files, location.source());
    }
    String runId = runIdOf(request.runId());
    if (!workspace.offline()) {
      RunLookup.check(workspace, runId);
    }
    String root = RunLookup.runRoot(runId);
    SasIssuer.ReadAccess access = readAccess(workspace, RunLookup.ARTIFACT_STORE, request);
    List<BlobEntry> files = BlobLister.list(access.listing(), root, request.prefix(), request.pathGlobFilter());
    // Offline, a run exists when it has files; otherwise ARM has already said it exists.
    if (files.isEmpty() && workspace.offline() && BlobLister.noneUnder(access.listing(), root)) {
      throw new RunNotFoundException("Run " + runId + " was not found in workspace "
          + workspace.workspace().name() + " (" + workspace.foundBy() + "): it has no files in datastore "
          + RunLookup.ARTIFACT_STORE + ". Check the run id.");
    }
    return new ReadPlan(access.executors(), files, "run with ID " + runId);
  }

  /**
   * Plans a read of several sources ({@code load(p1, p2, ...)}) as the union of their files: a blob that
   * two overlapping paths both list is read once. Sources in the same container share one plan.
   *
   * @param requests the parsed reads, one per path, with the same options otherwise
   * @param locator how to find the workspaces
   * @return one plan per container, in the order the paths were given
   * @throws IllegalArgumentException for a download whose sources hold different files with the same path,
   *     which would land at the same place in the output folder
   */
  public static List<ReadPlan> planAll(List<ReadRequest> requests, WorkspaceLocator locator) {
    Map<String, List<ReadPlan>> byContainer = new LinkedHashMap<>();
    // For downloads: which blob each path lands from, so that two different blobs never share a path.
    Map<String, Owner> owners = new HashMap<>();
    for (ReadRequest request : requests) {
      ReadPlan plan = plan(request, locator);
      for (BlobEntry f : request.isDownload() ? plan.files() : List.<BlobEntry>of()) {
        Owner mine = new Owner(plan.access().containerUrl() + "/" + f.name(), plan.source());
        Owner owner = owners.putIfAbsent(f.path(), mine);
        if (owner != null && !owner.blob().equals(mine.blob())) {
          throw new IllegalArgumentException("The paths given to load() hold two different files at "
              + f.path() + " (in " + owner.source() + " and in " + mine.source() + "), which would land at "
              + "the same place in outputFolder. Download them into different output folders.");
        }
      }
      byContainer.computeIfAbsent(plan.access().containerUrl(), k -> new ArrayList<>()).add(plan);
    }
    return byContainer.values().stream().map(ReadPlanner::union).toList();
  }

  private record Owner(String blob, String source) {
  }

  private static ReadPlan union(List<ReadPlan> plans) {
    if (plans.size() == 1) {
      return plans.get(0);
    }
    Map<String, BlobEntry> files = new LinkedHashMap<>();
    plans.forEach(p -> p.files().forEach(f -> files.putIfAbsent(f.name(), f)));
    return new ReadPlan(plans.get(0).access(), List.copyOf(files.values()),
        String.join(" and ", plans.stream().map(ReadPlan::source).distinct().toList()));
  }

  /**
   * @param runId a run id or an {@code experiment_name:run_id} recovery id
   * @return the run id
   */
  public static String runIdOf(String runId) {
    int colon = runId.lastIndexOf(':');
    return colon >= 0 ? runId.substring(colon + 1) : runId;
  }

  /** Only the driver lists: executors get a SAS that can read blobs and nothing else. */
  private static SasIssuer.ReadAccess readAccess(ResolvedWorkspace workspace, String datastore,
      ReadRequest request) {
    DatastoreSpec spec = DatastoreResolver.resolve(workspace, datastore);
    return SasIssuer.issueRead(spec, request.sasTtl());
  }
}

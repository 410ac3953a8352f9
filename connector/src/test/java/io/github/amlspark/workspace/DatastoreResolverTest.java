package io.github.amlspark.workspace;

import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.amlspark.DatastoreNotFoundException;
import io.github.amlspark.Workspace;
import io.github.amlspark.auth.NamedCredential;
import io.github.amlspark.auth.SecretString;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class DatastoreResolverTest {
  private static final Workspace WS = Workspace.of("s", "r", "myws");
  /** Inline and offline resolution must never ask for a credential. */
  private static final Supplier<NamedCredential> NO_CREDENTIAL = () -> {
    throw new AssertionError("no credential may be needed");
  };

  private static ResolvedWorkspace withInline(String... names) {
    Map<String, DatastoreSpec> datastores = new LinkedHashMap<>();
    for (String n : names) {
      datastores.put(n, new DatastoreSpec(n, "http://acct", "c-" + n, null,
          SecretString.ofNullable("sig=SECRETSAS")));
    }
    WorkspaceConfig config = new WorkspaceConfig(Path.of("/x/config.json"), WS, true, datastores, null,
        Map.of());
    return new ResolvedWorkspace(WS, config, "workspace config /x/config.json", NO_CREDENTIAL);
  }

  @Test
  void resolvesAnInlineDatastore() {
    ResolvedWorkspace ws = withInline("workspaceblobstore", "other");
    assertSame(ws.config().datastores().get("other"), DatastoreResolver.resolve(ws, "other"));
  }

  @Test
  void unknownNameListsTheKnownOnes() {
    ResolvedWorkspace ws = withInline("workspaceblobstore", "workspaceartifactstore");
    DatastoreNotFoundException e = assertThrows(DatastoreNotFoundException.class,
        () -> DatastoreResolver.resolve(ws, "nosuch"));
    String m = e.getMessage();
    assertTrue(m.contains("'nosuch'"), m);
    assertTrue(m.contains("myws"), m);
    assertTrue(m.contains("workspaceblobstore, workspaceartifactstore"), m);
    assertTrue(!m.contains("SECRETSAS"), m);
  }

  @Test
  void anOfflineWorkspaceNeverAsksAzure() {
    ResolvedWorkspace ws = withInline();
    DatastoreNotFoundException e = assertThrows(DatastoreNotFoundException.class,
        () -> DatastoreResolver.resolve(ws, "ds"));
    assertTrue(e.getMessage().contains("Known datastores: none"), e.getMessage());
    assertTrue(e.getMessage().contains("offline"), e.getMessage());
    assertTrue(e.getMessage().contains("workspace config /x/config.json"), e.getMessage());
  }
}

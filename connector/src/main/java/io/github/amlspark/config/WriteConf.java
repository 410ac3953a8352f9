package io.github.amlspark.config;

import io.github.amlspark.OverwriteMode;
import io.github.amlspark.workspace.AzureMLAddress;
import java.util.Map;

/** Parses and validates the options of a write, with the precedence of {@link OptionLookup}. */
public final class WriteConf {
  private WriteConf() {
  }

  /**
   * @param options the write's options, {@code path} included (a remote path or an azureml:// URI)
   * @param sparkConf the session's conf entries
   * @return the validated request
   * @throws IllegalArgumentException naming the option that is wrong
   */
  public static WriteRequest parse(Map<String, String> options, Map<String, String> sparkConf) {
    OptionLookup lookup = OptionLookup.of(options, sparkConf);
    OptionLookup own = OptionLookup.of(options, Map.of());
    String datastore = own.get(AmlOptions.DATASTORE).orElse(null);
    String path = own.get(AmlOptions.PATH).orElse("");
    io.github.amlspark.Workspace uriWorkspace = null;
    if (AzureMLAddress.isAddress(path)) {
      AzureMLAddress uri = AzureMLAddress.parse(path);
      if (uri.kind() != AzureMLAddress.Kind.DATASTORE) {
        throw new IllegalArgumentException("Writes go to a datastore: use "
            + "azureml://datastores/<datastore>/paths/<path>, not a job or data asset address.");
      }
      if (datastore != null && !datastore.equals(uri.datastore())) {
        throw new IllegalArgumentException("Option 'datastore' (" + datastore + ") and the URI's datastore ("
            + uri.datastore() + ") differ; give one of them.");
      }
      datastore = uri.datastore();
      path = uri.path();
      uriWorkspace = uri.workspace();
    }
    if (datastore == null) {
      datastore = lookup.get(AmlOptions.DATASTORE).orElseThrow(() -> new IllegalArgumentException(
          "Set the option 'datastore' (and 'path' for the remote folder), or save(\"azureml://datastores/"
              + "<datastore>/paths/<path>\")."));
    }
    return new WriteRequest(ReadConf.workspaceRequest(lookup, uriWorkspace), datastore, path,
        lookup.typed(AmlOptions.OVERWRITE, OverwriteMode.ACCEPTED).map(OverwriteMode::parse)
            .orElse(OverwriteMode.NEVER),
        lookup.bool(AmlOptions.VALIDATE_CHECKSUM, false),
        lookup.positiveInt(AmlOptions.TRANSFER_CONCURRENCY, ReadConf.DEFAULT_CONCURRENCY, ReadConf.MAX_CONCURRENCY),
        ReadConf.sasTtl(lookup), ReadConf.retryPolicy(lookup));
  }
}

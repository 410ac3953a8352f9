package io.github.amlspark.config;

import io.github.amlspark.Workspace;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses Azure ML's {@code azureml://} URIs, the forms the Azure ML SDK v2 prints:
 * {@code azureml://datastores/<ds>/paths/<p>},
 * {@code azureml://subscriptions/<s>/resourcegroups/<rg>/workspaces/<w>/datastores/<ds>/paths/<p>} and
 * {@code azureml://jobs/<run>/outputs/artifacts/paths/<p>}.
 *
 * @param workspace the workspace the URI names, or null when it names none
 * @param datastore the datastore, or null for a run
 * @param runId the run, or null for a datastore
 * @param path the path part, used exactly as the {@code prefix} option is
 */
public record AzureMLUri(Workspace workspace, String datastore, String runId, String path) {
  private static final Pattern WORKSPACE = Pattern.compile(
      "subscriptions/([^/]+)/resourcegroups/([^/]+)/workspaces/([^/]+)/(.*)", Pattern.CASE_INSENSITIVE);
  private static final Pattern DATASTORE = Pattern.compile("datastores/([^/]+)/paths(?:/(.*))?",
      Pattern.CASE_INSENSITIVE);
  private static final Pattern JOB = Pattern.compile("jobs/([^/]+)/outputs/artifacts/paths(?:/(.*))?",
      Pattern.CASE_INSENSITIVE);

  /** The URI scheme. */
  public static final String SCHEME = "azureml://";

  /**
   * @param value a string that may be an azureml URI
   * @return whether it starts with the azureml scheme
   */
  public static boolean isAzureMLUri(String value) {
    return value != null && value.toLowerCase(Locale.ROOT).startsWith(SCHEME);
  }

  /**
   * @param uri the URI
   * @return its parts
   * @throws IllegalArgumentException when it has none of the supported forms, listing them
   */
  public static AzureMLUri parse(String uri) {
    if (!isAzureMLUri(uri)) {
      throw invalid(uri);
    }
    String rest = uri.substring(SCHEME.length());
    Workspace workspace = null;
    Matcher ws = WORKSPACE.matcher(rest);
    if (ws.matches()) {
      workspace = Workspace.of(decode(ws.group(1)), decode(ws.group(2)), decode(ws.group(3)));
      rest = ws.group(4);
    }
    Matcher ds = DATASTORE.matcher(rest);
    if (ds.matches()) {
      return new AzureMLUri(workspace, decode(ds.group(1)), null, pathPart(ds.group(2)));
    }
    Matcher job = JOB.matcher(rest);
    if (job.matches()) {
      return new AzureMLUri(workspace, null, decode(job.group(1)), pathPart(job.group(2)));
    }
    throw invalid(uri);
  }

  private static String pathPart(String raw) {
    return raw == null ? "" : decode(raw);
  }

  private static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  private static IllegalArgumentException invalid(String uri) {
    return new IllegalArgumentException("'" + uri + "' is not a supported azureml URI. Use "
        + "azureml://datastores/<datastore>/paths/<path>, "
        + "azureml://subscriptions/<sub>/resourcegroups/<rg>/workspaces/<ws>/datastores/<datastore>/paths/<path> "
        + "or azureml://jobs/<run id>/outputs/artifacts/paths/<path>.");
  }
}

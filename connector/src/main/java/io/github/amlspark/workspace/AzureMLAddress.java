package io.github.amlspark.workspace;

import io.github.amlspark.Workspace;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An Azure ML v2 address, parsed: the forms the Azure ML SDK v2 and CLI print and accept.
 * <ul>
 *   <li>{@code azureml://datastores/<ds>/paths/<p>}: a datastore path ({@code azureml://datastores/<ds>}:
 *       its root);</li>
 *   <li>{@code azureml://jobs/<job>/outputs/artifacts/paths/<p>}: a job's own files (its artifacts);</li>
 *   <li>{@code azureml://jobs/<job>/outputs/<name>/paths/<p>}: a job's named output;</li>
 *   <li>{@code azureml://data/<name>/versions/<v>}, {@code azureml:<name>:<v>} and
 *       {@code azureml:<name>@latest}: a data asset version ({@code azureml://data/<name>}: its latest);</li>
 * </ul>
 * each of the {@code azureml://} forms also workspace-qualified:
 * {@code azureml://subscriptions/<s>/resourcegroups/<rg>/[providers/Microsoft.MachineLearningServices/]workspaces/<w>/…},
 * keywords in any case. Parsing never calls Azure; {@link AddressResolver} maps an address to a datastore path.
 *
 * @param kind which form
 * @param workspace the workspace the address names, or null when it names none
 * @param datastore the datastore ({@link Kind#DATASTORE}), else null
 * @param job the job ({@link Kind#ARTIFACTS}, {@link Kind#JOB_OUTPUT}), else null
 * @param output the output's name ({@link Kind#JOB_OUTPUT}), else null
 * @param asset the data asset ({@link Kind#DATA_ASSET}), else null
 * @param version the asset's version, null for its latest ({@link Kind#DATA_ASSET}), else null
 * @param path the path part after {@code paths/}, "" when none; used exactly as the {@code prefix} option is
 */
public record AzureMLAddress(Kind kind, Workspace workspace, String datastore, String job, String output,
    String asset, String version, String path) {

  /** The address forms. */
  public enum Kind {
    /** A datastore path. */
    DATASTORE,
    /** A job's own files, the {@code artifacts} output. */
    ARTIFACTS,
    /** A job's named output. */
    JOB_OUTPUT,
    /** A version of a data asset. */
    DATA_ASSET
  }

  /** The URI scheme. */
  public static final String SCHEME = "azureml://";
  /** The prefix of every address, the short data asset forms included. */
  public static final String PREFIX = "azureml:";
  /** The output name that stands for a job's own files. */
  public static final String ARTIFACTS_OUTPUT = "artifacts";

  private static final Pattern WORKSPACE = Pattern.compile("subscriptions/([^/]+)/resourcegroups/([^/]+)/"
      + "(?:providers/Microsoft\\.MachineLearningServices/)?workspaces/([^/]+)/(.*)", Pattern.CASE_INSENSITIVE);
  // azureml-fsspec's forms too: "paths/<p>" may be left out for the datastore's root.
  private static final Pattern DATASTORE = Pattern.compile("datastores/([^/]+)(?:/paths(?:/(.*))?|/)?",
      Pattern.CASE_INSENSITIVE);
  // How Azure ML itself writes some locations (a job's default output): no "paths" segment.
  private static final Pattern DATASTORE_LOCATION = Pattern.compile("datastores/([^/]+)(?:/(.*))?",
      Pattern.CASE_INSENSITIVE);
  private static final Pattern JOB = Pattern.compile("jobs/([^/]+)/outputs/([^/]+)/paths(?:/(.*))?",
      Pattern.CASE_INSENSITIVE);
  // As in azureml-fsspec, a data asset without "versions/<v>" is its latest version.
  private static final Pattern DATA = Pattern.compile("data/([^/]+)(?:/versions/([^/]+))?/?",
      Pattern.CASE_INSENSITIVE);
  private static final Pattern SHORT_ASSET = Pattern.compile("([^:@/]+)(?::([^:@/]+)|@([^:@/]+))?");

  /**
   * @param value a string that may be an address
   * @return whether it starts with {@code azureml:} (any case), as every address does
   */
  public static boolean isAddress(String value) {
    return value != null && value.toLowerCase(Locale.ROOT).startsWith(PREFIX);
  }

  /**
   * @param address the address
   * @return its parts
   * @throws IllegalArgumentException when it has none of the supported forms, listing them
   */
  public static AzureMLAddress parse(String address) {
    return parse(address, false);
  }

  /**
   * Parses a location as Azure ML returns it in a job output's {@code uri} or a data version's
   * {@code dataUri}: every form {@link #parse} accepts, and {@code azureml://datastores/<ds>/<p>} without
   * the {@code paths} segment.
   *
   * @param location the location
   * @return its parts
   * @throws IllegalArgumentException when it has none of those forms
   */
  static AzureMLAddress parseLocation(String location) {
    return parse(location, true);
  }

  private static AzureMLAddress parse(String address, boolean lenient) {
    if (!isAddress(address)) {
      throw invalid(address);
    }
    if (!address.toLowerCase(Locale.ROOT).startsWith(SCHEME)) {
      return shortAsset(address);
    }
    String rest = address.substring(SCHEME.length());
    Workspace workspace = null;
    Matcher ws = WORKSPACE.matcher(rest);
    if (ws.matches()) {
      workspace = Workspace.of(decode(ws.group(1)), decode(ws.group(2)), decode(ws.group(3)));
      rest = ws.group(4);
    }
    Matcher ds = DATASTORE.matcher(rest);
    if (ds.matches() || lenient && (ds = DATASTORE_LOCATION.matcher(rest)).matches()) {
      return new AzureMLAddress(Kind.DATASTORE, workspace, decode(ds.group(1)), null, null, null, null,
          pathPart(ds.group(2)));
    }
    Matcher job = JOB.matcher(rest);
    if (job.matches()) {
      String output = decode(job.group(2));
      boolean artifacts = ARTIFACTS_OUTPUT.equalsIgnoreCase(output);
      return new AzureMLAddress(artifacts ? Kind.ARTIFACTS : Kind.JOB_OUTPUT, workspace, null,
          decode(job.group(1)), artifacts ? null : output, null, null, pathPart(job.group(3)));
    }
    if (rest.toLowerCase(Locale.ROOT).startsWith("registries/")) {
      throw new IllegalArgumentException("'" + address + "' names an Azure ML registry, which amlspark does not "
          + "read; read the asset's datastore path or a workspace data asset instead.");
    }
    Matcher data = DATA.matcher(rest);
    if (data.matches()) {
      return new AzureMLAddress(Kind.DATA_ASSET, workspace, null, null, null, decode(data.group(1)),
          data.group(2) == null ? null : decode(data.group(2)), "");
    }
    throw invalid(address);
  }

  private static AzureMLAddress shortAsset(String address) {
    Matcher m = SHORT_ASSET.matcher(address.substring(PREFIX.length()));
    if (!m.matches()) {
      throw invalid(address);
    }
    if (m.group(2) == null && m.group(3) == null) {
      throw new IllegalArgumentException("'" + address + "' names a data asset but no version: use "
          + address + ":<version> or " + address + "@latest.");
    }
    if (m.group(3) != null && !"latest".equals(m.group(3))) {
      throw new IllegalArgumentException("'" + address + "' asks for label '" + m.group(3) + "'; amlspark "
          + "supports only @latest (or a version: azureml:" + m.group(1) + ":<version>).");
    }
    return new AzureMLAddress(Kind.DATA_ASSET, null, null, null, null, m.group(1), m.group(2), "");
  }

  /** @return the address in its short {@code azureml://} form (or {@code azureml:name:version}), for messages */
  public String describe() {
    return switch (kind) {
      case DATASTORE -> SCHEME + "datastores/" + datastore + "/paths/" + path;
      case ARTIFACTS -> SCHEME + "jobs/" + job + "/outputs/" + ARTIFACTS_OUTPUT + "/paths/" + path;
      case JOB_OUTPUT -> SCHEME + "jobs/" + job + "/outputs/" + output + "/paths/" + path;
      case DATA_ASSET -> PREFIX + asset + (version == null ? "@latest" : ":" + version);
    };
  }

  private static String pathPart(String raw) {
    return raw == null ? "" : decode(raw);
  }

  private static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  private static IllegalArgumentException invalid(String address) {
    return new IllegalArgumentException("'" + address + "' is not a supported Azure ML address. Use "
        + "azureml://datastores/<datastore>/paths/<path>, "
        + "azureml://jobs/<job>/outputs/<output, or artifacts>/paths/<path>, "
        + "azureml:<data asset>:<version>, azureml:<data asset>@latest or "
        + "azureml://subscriptions/<sub>/resourcegroups/<rg>/workspaces/<ws>/ followed by "
        + "datastores/<datastore>/paths/<path>, jobs/... or data/<data asset>/versions/<version> "
        + "(see docs/addresses.md).");
  }
}

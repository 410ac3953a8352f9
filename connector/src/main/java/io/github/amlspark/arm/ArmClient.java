package io.github.amlspark.arm;

import com.azure.core.http.HttpClient;
import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpMethod;
import com.azure.core.http.HttpPipeline;
import com.azure.core.http.HttpPipelineBuilder;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.http.policy.ExponentialBackoffOptions;
import com.azure.core.http.policy.RetryOptions;
import com.azure.core.http.policy.RetryPolicy;
import com.azure.core.http.policy.UserAgentPolicy;
import com.azure.core.util.Context;
import com.azure.core.util.HttpClientOptions;
import com.azure.json.JsonProviders;
import com.azure.json.JsonReader;
import io.github.amlspark.AzureMLException;
import io.github.amlspark.Workspace;
import io.github.amlspark.auth.NamedCredential;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Azure Resource Manager calls for one Azure ML workspace, through azure-core's HTTP pipeline: a bearer
 * token from the driver's credential, retries with exponential back-off that honour {@code Retry-After}
 * on 429 and 5xx answers, and timeouts. Answers are JSON objects; failures are {@link ArmException}s that
 * carry ARM's error code and message, never a token.
 */
public final class ArmClient {
  /** The public cloud's Resource Manager. */
  public static final String PUBLIC_CLOUD = "https://management.azure.com";
  /** A stable Azure ML API version with datastores, secrets and jobs. */
  static final String API_VERSION = "2024-10-01";
  private static final int MAX_NAMES = 500;
  private static final int MAX_PAGES = 20;
  private static final HttpClient HTTP = HttpClient.createDefault(new HttpClientOptions()
      .setConnectTimeout(Duration.ofSeconds(30)).setResponseTimeout(Duration.ofSeconds(60))
      .setReadTimeout(Duration.ofSeconds(60)));

  private final String endpoint;
  private final String workspaceBase;
  private final HttpPipeline pipeline;
  private final NamedCredential credential;

  /**
   * @param armEndpoint the cloud's Resource Manager, or null for the public cloud
   * @param workspace the workspace
   * @param credential the driver's credential
   */
  public ArmClient(String armEndpoint, Workspace workspace, NamedCredential credential) {
    this.endpoint = (armEndpoint == null ? PUBLIC_CLOUD : armEndpoint).replaceAll("/+$", "");
    this.credential = credential;
    this.workspaceBase = endpoint + "/subscriptions/" + encode(workspace.subscriptionId()) + "/resourceGroups/"
        + encode(workspace.resourceGroup()) + "/providers/Microsoft.MachineLearningServices/workspaces/"
        + encode(workspace.name());
    this.pipeline = new HttpPipelineBuilder().httpClient(HTTP)
        .policies(new UserAgentPolicy("amlspark"),
            new RetryPolicy(new RetryOptions(new ExponentialBackoffOptions().setMaxRetries(4)
                .setBaseDelay(Duration.ofMillis(500)).setMaxDelay(Duration.ofSeconds(30)))),
            new ArmTokenPolicy(credential, endpoint))
        .build();
  }

  /**
   * @param path a path under the workspace, e.g. {@code datastores/ds}
   * @return the answer's JSON object
   * @throws ArmException when ARM answers with an error (after retries)
   */
  public Map<String, Object> get(String path) {
    return send(HttpMethod.GET, path, Map.of());
  }

  /**
   * @param path a path under the workspace, e.g. {@code jobs/train_1}
   * @param notFound what to throw when ARM answers 404: the caller's message naming what is missing
   * @return the answer's JSON object
   * @throws ArmException when ARM answers with another error (after retries)
   */
  public Map<String, Object> get(String path, Supplier<? extends AzureMLException> notFound) {
    try {
      return get(path);
    } catch (ArmException e) {
      if (e.status() == 404) {
        throw notFound.get();
      }
      throw e;
    }
  }

  /**
   * @param path a path under the workspace, e.g. {@code datastores}
   * @param query query parameters besides {@code api-version}, e.g. {@code isDefault=true}
   * @return the answer's JSON object
   * @throws ArmException when ARM answers with an error (after retries)
   */
  public Map<String, Object> get(String path, Map<String, String> query) {
    return send(HttpMethod.GET, path, query);
  }

  /**
   * @param path a path under the workspace, e.g. {@code datastores/ds/listSecrets}
   * @return the answer's JSON object
   * @throws ArmException when ARM answers with an error (after retries)
   */
  public Map<String, Object> post(String path) {
    return send(HttpMethod.POST, path, Map.of());
  }

  /**
   * The names in an ARM list answer, page after page ({@code nextLink}), for "not found" messages: a
   * workspace can have more datastores, jobs or assets than ARM puts on one page. A {@code nextLink} is
   * followed only on this client's Resource Manager, since the request carries a token.
   *
   * @param path a list under the workspace, e.g. {@code datastores}
   * @return at most {@value #MAX_NAMES} names; empty when the list cannot be read (the names are only a
   *     hint in a message about another failure)
   */
  public List<String> names(String path) {
    List<String> names = new ArrayList<>();
    try {
      Map<String, Object> page = get(path);
      for (int pages = 1; ; pages++) {
        if (page.get("value") instanceof List<?> values) {
          for (Object v : values) {
            if (v instanceof Map<?, ?> item && item.get("name") instanceof String n && names.size() < MAX_NAMES) {
              names.add(n);
            }
          }
        }
        if (!(page.get("nextLink") instanceof String next) || names.size() >= MAX_NAMES || pages >= MAX_PAGES
            || !sameEndpoint(next)) {
          return names;
        }
        page = exchange(HttpMethod.GET, next);
      }
    } catch (AzureMLException | IllegalArgumentException e) {
      return names;
    }
  }

  private boolean sameEndpoint(String url) {
    URI next = URI.create(url);
    URI ours = URI.create(endpoint);
    return ours.getScheme().equalsIgnoreCase(next.getScheme()) && ours.getHost().equalsIgnoreCase(next.getHost())
        && ours.getPort() == next.getPort();
  }

  /** @return the credential's description, for messages */
  public String credentialDescription() {
    return credential.description();
  }

  private Map<String, Object> send(HttpMethod method, String path, Map<String, String> query) {
    StringBuilder url = new StringBuilder(workspaceBase).append('/').append(path).append("?api-version=")
        .append(API_VERSION);
    query.forEach((k, v) -> url.append('&').append(encode(k)).append('=').append(encode(v)));
    return exchange(method, url.toString());
  }

  private Map<String, Object> exchange(HttpMethod method, String url) {
    HttpRequest request = new HttpRequest(method, url).setHeader(HttpHeaderName.ACCEPT, "application/json");
    if (method == HttpMethod.POST) {
      request.setHeader(HttpHeaderName.CONTENT_TYPE, "application/json").setBody("{}");
    }
    try (HttpResponse response = pipeline.sendSync(request, Context.NONE)) {
      String body = response.getBodyAsBinaryData().toString();
      if (response.getStatusCode() / 100 != 2) {
        throw ArmException.of(method + " " + URI.create(url).getPath(), response.getStatusCode(), body);
      }
      return parse(body, url);
    } catch (ArmCredentialException e) {
      throw new AzureMLException("Could not get a token for Azure Resource Manager (" + endpoint + ") with "
          + credential.description() + ": " + e.getCause().getMessage() + " Sign in (for example 'az login'), "
          + "set a service principal in HIML_SERVICE_PRINCIPAL_ID, HIML_TENANT_ID and "
          + "HIML_SERVICE_PRINCIPAL_PASSWORD, or give a credential to AzureMLFiles.builder().credential(...).",
          e.getCause());
    } catch (UncheckedIOException e) {
      throw new AzureMLException("Azure Resource Manager at " + endpoint + " could not be reached: "
          + e.getCause().getMessage(), e);
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> parse(String body, String url) {
    try (JsonReader reader = JsonProviders.createReader(body)) {
      reader.nextToken();
      Object root = reader.readUntyped();
      if (root instanceof Map<?, ?> map) {
        return (Map<String, Object>) map;
      }
    } catch (IOException | RuntimeException e) {
      // reported below
    }
    throw new AzureMLException("Azure Resource Manager answered " + URI.create(url).getPath()
        + " with something that is not a JSON object.", null);
  }

  /**
   * @param segment a name that goes into a path under the workspace (a job, a data asset, a version)
   * @return it percent-encoded, so that no name can reach another path
   */
  public static String segment(String segment) {
    return encode(segment);
  }

  private static String encode(String segment) {
    return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
  }
}

package io.github.amlspark.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import io.github.amlspark.Workspace;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Azure Resource Manager for one Azure ML workspace, served by WireMock on a loopback port with the JSON
 * shapes the real service returns (datastores, their secrets, jobs, errors). The code under test talks
 * to it with its production HTTP client.
 */
final class ArmStub implements AutoCloseable {
  static final Workspace WORKSPACE = Workspace.of("6f8e2a3b-0000-4000-8000-00000000abcd", "ml-rg", "ml-ws");

  private final WireMockServer server;

  ArmStub() {
    server = new WireMockServer(WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort());
    server.start();
  }

  WireMockServer server() {
    return server;
  }

  /** @return the stub's base URL, for {@code arm_endpoint} */
  String endpoint() {
    return "http://127.0.0.1:" + server.port();
  }

  /** @return the workspace's ARM path */
  static String workspacePath() {
    return "/subscriptions/" + WORKSPACE.subscriptionId() + "/resourceGroups/" + WORKSPACE.resourceGroup()
        + "/providers/Microsoft.MachineLearningServices/workspaces/" + WORKSPACE.name();
  }

  static String datastorePath(String name) {
    return workspacePath() + "/datastores/" + name;
  }

  static MappingBuilder getDatastore(String name) {
    return get(urlPathEqualTo(datastorePath(name)));
  }

  static MappingBuilder listSecrets(String name) {
    return post(urlPathEqualTo(datastorePath(name) + "/listSecrets"));
  }

  /** Serves a blob (or ADLS Gen2) datastore and, unless its credentials are None, its secrets. */
  void datastore(String name, String type, String account, String container, String credentialsType,
      String secretsJson) {
    String location = "AzureDataLakeGen2".equals(type) ? "\"filesystem\": \"" + container + "\""
        : "\"containerName\": \"" + container + "\"";
    server.stubFor(getDatastore(name).willReturn(okJson(datastoreJson(name, type, location, account,
        "{\"credentialsType\": \"" + credentialsType + "\"}"))));
    if (secretsJson != null) {
      server.stubFor(listSecrets(name).willReturn(okJson(secretsJson)));
    }
  }

  /** @return a datastore as {@code GET …/datastores/{name}} returns it (api-version 2024-10-01) */
  static String datastoreJson(String name, String type, String location, String account, String credentials) {
    return "{\"id\": \"" + datastorePath(name) + "\", \"name\": \"" + name + "\", "
        + "\"type\": \"Microsoft.MachineLearningServices/workspaces/datastores\", "
        + "\"systemData\": {\"createdAt\": \"2026-01-05T10:00:00.000Z\", \"createdBy\": \"someone\", "
        + "\"createdByType\": \"User\"}, "
        + "\"properties\": {\"description\": null, \"tags\": {}, \"properties\": {}, \"isDefault\": false, "
        + "\"credentials\": " + credentials + ", \"datastoreType\": \"" + type + "\", "
        + "\"accountName\": \"" + account + "\", " + location + ", \"endpoint\": \"core.windows.net\", "
        + "\"protocol\": \"https\", \"serviceDataAccessAuthIdentity\": \"None\"}}";
  }

  /** Serves a job as {@code GET …/jobs/{name}} returns it (a command job in the given state). */
  void job(String runId, String experiment, String status) {
    job(runId, experiment, status, "{\"default\": " + output("uri_folder",
        "azureml://datastores/workspaceartifactstore/ExperimentRun/dcid." + runId) + "}");
  }

  /**
   * Serves a job with the given outputs.
   *
   * @param outputsJson its {@code properties.outputs} object: output name to {@link #output}
   */
  void job(String runId, String experiment, String status, String outputsJson) {
    server.stubFor(get(urlPathEqualTo(workspacePath() + "/jobs/" + runId)).willReturn(okJson(
        "{\"id\": \"" + workspacePath() + "/jobs/" + runId + "\", \"name\": \"" + runId + "\", "
            + "\"type\": \"Microsoft.MachineLearningServices/workspaces/jobs\", \"properties\": {"
            + "\"jobType\": \"Command\", \"status\": \"" + status + "\", \"experimentName\": \""
            + experiment + "\", \"displayName\": \"" + runId + "\", \"computeId\": \"" + workspacePath()
            + "/computes/cpu-cluster\", \"outputs\": " + outputsJson + "}}")));
  }

  /**
   * @param type its {@code jobOutputType}: uri_folder, uri_file, mlflow_model, ...
   * @param uri its location, or null when the job gave it none (Azure ML's default applies)
   * @return a job output as the job's {@code properties.outputs} holds it (api-version 2024-10-01)
   */
  static String output(String type, String uri) {
    return "{\"jobOutputType\": \"" + type + "\", \"mode\": \"ReadWriteMount\", \"description\": null"
        + (uri == null ? "" : ", \"uri\": \"" + uri + "\"") + "}";
  }

  /**
   * Serves {@code GET …/datastores} (whatever its query, {@code isDefault=true} included): the one
   * datastore given, marked as the workspace's default.
   */
  void defaultDatastore(String name, String account, String container) {
    String json = datastoreJson(name, "AzureBlob", "\"containerName\": \"" + container + "\"", account,
        "{\"credentialsType\": \"AccountKey\"}").replace("\"isDefault\": false", "\"isDefault\": true");
    server.stubFor(get(urlPathEqualTo(workspacePath() + "/datastores")).willReturn(okJson(
        "{\"value\": [" + json + "]}")));
  }

  /**
   * Serves a data asset: its container ({@code GET …/data/{name}}, with {@code latestVersion}), each
   * version ({@code GET …/data/{name}/versions/{v}}) and the versions' list, as api-version 2024-10-01
   * returns them.
   *
   * @param dataType uri_folder, uri_file or mltable
   * @param versionsToUris version to {@code dataUri}, in creation order; the last is the latest
   */
  void dataAsset(String name, String dataType, java.util.LinkedHashMap<String, String> versionsToUris) {
    String path = workspacePath() + "/data/" + name;
    String latest = null;
    java.util.List<String> versions = new java.util.ArrayList<>();
    for (var e : versionsToUris.entrySet()) {
      String json = "{\"id\": \"" + path + "/versions/" + e.getKey() + "\", \"name\": \"" + e.getKey() + "\", "
          + "\"type\": \"Microsoft.MachineLearningServices/workspaces/data/versions\", \"properties\": {"
          + "\"dataType\": \"" + dataType + "\", \"dataUri\": \"" + e.getValue() + "\", \"description\": null, "
          + "\"tags\": {}, \"properties\": {}, \"isAnonymous\": false, \"isArchived\": false}, "
          + SYSTEM_DATA + "}";
      server.stubFor(get(urlPathEqualTo(path + "/versions/" + e.getKey())).willReturn(okJson(json)));
      versions.add(json);
      latest = e.getKey();
    }
    server.stubFor(get(urlPathEqualTo(path + "/versions")).willReturn(okJson(
        "{\"value\": [" + String.join(", ", versions) + "]}")));
    String container = "{\"id\": \"" + path + "\", \"name\": \"" + name + "\", "
        + "\"type\": \"Microsoft.MachineLearningServices/workspaces/data\", \"properties\": {"
        + "\"dataType\": \"" + dataType + "\", \"description\": null, \"tags\": {}, \"properties\": {}, "
        + "\"isArchived\": false, \"latestVersion\": \"" + latest + "\", \"nextVersion\": \"" + (versions.size() + 1)
        + "\"}, " + SYSTEM_DATA + "}";
    server.stubFor(get(urlPathEqualTo(path)).willReturn(okJson(container)));
    server.stubFor(get(urlPathEqualTo(workspacePath() + "/data")).willReturn(okJson(
        "{\"value\": [" + container + "]}")));
  }

  private static final String SYSTEM_DATA = "\"systemData\": {\"createdAt\": \"2026-01-05T10:00:00.000Z\", "
      + "\"createdBy\": \"someone\", \"createdByType\": \"User\", \"lastModifiedAt\": "
      + "\"2026-01-05T10:00:00.000Z\", \"lastModifiedBy\": \"someone\", \"lastModifiedByType\": \"User\"}";

  /** Answers {@code GET …/<path>} with ARM's 404 (what it says for a job, data asset or version it lacks). */
  void notFound(String path, String message) {
    server.stubFor(get(urlPathEqualTo(workspacePath() + "/" + path)).willReturn(error(404, "UserError", message)));
  }

  /** @return an ARM error body */
  static String errorJson(String code, String message) {
    return "{\"error\": {\"code\": \"" + code + "\", \"message\": \"" + message + "\"}}";
  }

  static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder error(int status, String code,
      String message) {
    return aResponse().withStatus(status).withHeader("Content-Type", "application/json")
        .withBody(errorJson(code, message));
  }

  /**
   * @param dir where to write it
   * @return a config.json for the stub's workspace, not offline, its storage account mapped to Azurite
   */
  Path workspaceConfig(Path dir) {
    return workspaceConfig(dir, TestEnvironment.azurite().accountUrl());
  }

  /**
   * @param dir where to write it
   * @param accountUrl where the storage account is served (e.g. the WASB emulator)
   * @return a config.json for the stub's workspace, not offline, its storage account mapped to accountUrl
   */
  Path workspaceConfig(Path dir, String accountUrl) {
    String json = "{\"subscription_id\": \"" + WORKSPACE.subscriptionId() + "\", \"resource_group\": \""
        + WORKSPACE.resourceGroup() + "\", \"workspace_name\": \"" + WORKSPACE.name() + "\", "
        + "\"arm_endpoint\": \"" + endpoint() + "\", "
        + "\"storage_endpoints\": {\"devstoreaccount1\": \"" + accountUrl + "\"}}";
    try {
      Files.createDirectories(dir);
      return Files.writeString(dir.resolve("config.json"), json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    server.stop();
  }
}

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
    server.stubFor(get(urlPathEqualTo(workspacePath() + "/jobs/" + runId)).willReturn(okJson(
        "{\"id\": \"" + workspacePath() + "/jobs/" + runId + "\", \"name\": \"" + runId + "\", "
            + "\"type\": \"Microsoft.MachineLearningServices/workspaces/jobs\", \"properties\": {"
            + "\"jobType\": \"Command\", \"status\": \"" + status + "\", \"experimentName\": \""
            + experiment + "\", \"displayName\": \"" + runId + "\", \"computeId\": \"" + workspacePath()
            + "/computes/cpu-cluster\", \"outputs\": {\"default\": {\"jobOutputType\": \"uri_folder\", "
            + "\"mode\": \"ReadWriteMount\", \"uri\": \"azureml://datastores/workspaceartifactstore/"
            + "ExperimentRun/dcid." + runId + "\"}}}}")));
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

package io.github.amlspark;

import java.io.Serializable;
import java.util.Objects;

/**
 * Identifies an Azure ML workspace by subscription, resource group and name.
 *
 * @param subscriptionId the Azure subscription id
 * @param resourceGroup the resource group holding the workspace
 * @param name the workspace name
 */
public record Workspace(String subscriptionId, String resourceGroup, String name) implements Serializable {

  /** Rejects missing parts: a workspace is only usable with all three. */
  public Workspace {
    requirePart(subscriptionId, "subscriptionId");
    requirePart(resourceGroup, "resourceGroup");
    requirePart(name, "name");
  }

  /**
   * @param subscriptionId the Azure subscription id
   * @param resourceGroup the resource group holding the workspace
   * @param name the workspace name
   * @return the workspace
   */
  public static Workspace of(String subscriptionId, String resourceGroup, String name) {
    return new Workspace(subscriptionId, resourceGroup, name);
  }

  private static void requirePart(String value, String part) {
    if (Objects.requireNonNull(value, "'" + part + "' cannot be null.").isBlank()) {
      throw new IllegalArgumentException("Workspace '" + part + "' cannot be blank.");
    }
  }

  @Override
  public String toString() {
    return "Workspace(subscription=" + subscriptionId + ", resourceGroup=" + resourceGroup
        + ", name=" + name + ")";
  }
}

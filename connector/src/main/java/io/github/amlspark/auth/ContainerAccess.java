package io.github.amlspark.auth;

import java.io.Serializable;

/**
 * All that an executor receives to reach one blob container: its URL and a SAS scoped to that container
 * with only the permissions the operation needs. Never an account key, client secret or bearer token.
 *
 * @param containerUrl the container's URL, without query
 * @param sas the SAS token (query string without the leading {@code ?})
 */
public record ContainerAccess(String containerUrl, SecretString sas) implements Serializable {
  @Override
  public String toString() {
    return "ContainerAccess(" + containerUrl + ")";
  }
}

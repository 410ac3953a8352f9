package io.github.amlspark.auth;

import com.azure.core.credential.TokenCredential;

/**
 * A credential and how it was chosen, for messages ("the service principal from HIML_SERVICE_PRINCIPAL_ID",
 * "Azure Identity's default chain"). Driver-only: executors never receive a credential.
 *
 * @param credential the credential
 * @param description how it was chosen; never holds a secret
 */
public record NamedCredential(TokenCredential credential, String description) {
  @Override
  public String toString() {
    return "Credential(" + description + ")";
  }
}

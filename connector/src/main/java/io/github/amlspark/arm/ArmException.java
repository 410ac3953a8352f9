package io.github.amlspark.arm;

import com.azure.json.JsonProviders;
import com.azure.json.JsonReader;
import io.github.amlspark.AzureMLException;
import java.util.Map;

/**
 * An error answer from Azure Resource Manager: its status, ARM's error code and message, and what to do.
 */
public final class ArmException extends AzureMLException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String code;

  private ArmException(String message, int status, String code) {
    super(message, null);
    this.status = status;
    this.code = code;
  }

  /** @return the HTTP status */
  public int status() {
    return status;
  }

  /** @return ARM's error code, or null */
  public String code() {
    return code;
  }

  static ArmException of(String request, int status, String body) {
    String code = null;
    String message = null;
    try (JsonReader reader = JsonProviders.createReader(body)) {
      reader.nextToken();
      if (reader.readUntyped() instanceof Map<?, ?> root && root.get("error") instanceof Map<?, ?> error) {
        code = error.get("code") instanceof String c ? c : null;
        message = error.get("message") instanceof String m ? m : null;
      }
    } catch (Exception notJson) {
      // the status alone is reported
    }
    String hint = switch (status) {
      case 401 -> "the token was not accepted: check the credential's tenant and that it is for this cloud";
      case 403 -> "the identity lacks permission on the workspace: it needs a role such as AzureML Data "
          + "Scientist (reading datastores and their secrets) or Reader (jobs)";
      case 404 -> "not found";
      case 429 -> "throttled, and still throttled after retries: try again later";
      default -> status >= 500 ? "Azure Resource Manager failed, and still failed after retries"
          : "the request was refused";
    };
    return new ArmException("Azure Resource Manager answered " + request + " with HTTP " + status
        + (code == null ? "" : " " + code) + (message == null ? "" : ": " + message) + " (" + hint + ").",
        status, code);
  }
}

package io.github.amlspark.transfer;

import java.io.IOException;

/**
 * The service refused a request with a status that another try cannot change (400, 403, 404, 409, 412,
 * ...): unlike a {@link TransientFailure}, it is never retried. Carries the status and the service's error
 * code so that callers can tell "the blob exists" from "the blob is leased".
 */
public final class RequestRefusedException extends IOException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String errorCode;

  /**
   * @param message status, error code and what to do
   * @param status the HTTP status
   * @param errorCode the service's error code ({@code x-ms-error-code}), or null
   */
  public RequestRefusedException(String message, int status, String errorCode) {
    super(message);
    this.status = status;
    this.errorCode = errorCode;
  }

  /** @return the HTTP status */
  public int status() {
    return status;
  }

  /** @return the service's error code, or null */
  public String errorCode() {
    return errorCode;
  }
}

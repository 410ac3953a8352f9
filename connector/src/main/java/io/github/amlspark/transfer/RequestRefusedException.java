package io.github.amlspark.transfer;

import java.io.IOException;

/**
 * The service answered a request with an error status (after the HTTP pipeline's own retries): fetching
 * the same bytes again cannot help, unlike a connection that broke mid-body.
 */
public final class RequestRefusedException extends IOException {
  private static final long serialVersionUID = 1L;

  /** @param message status, error code and what to do */
  public RequestRefusedException(String message) {
    super(message);
  }
}

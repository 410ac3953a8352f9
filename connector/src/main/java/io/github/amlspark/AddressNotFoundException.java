package io.github.amlspark;

/**
 * An Azure ML address names something its workspace does not have: a job output, a data asset or a version
 * of one. The message names what exists.
 */
public class AddressNotFoundException extends AzureMLException {
  private static final long serialVersionUID = 1L;

  /** @param message what was asked, what was found and what to do */
  public AddressNotFoundException(String message) {
    super(message);
  }
}

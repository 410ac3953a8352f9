package io.github.amlspark.arm;

/** The credential could not get a token; {@link ArmClient} turns it into a message naming the credential. */
final class ArmCredentialException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  ArmCredentialException(RuntimeException cause) {
    super(cause);
  }
}

package io.github.amlspark.it;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import java.time.OffsetDateTime;
import reactor.core.publisher.Mono;

/** A credential with a fixed token, as a {@code credentialProvider} class names it (public, no-arg). */
public class StaticTokenCredential implements TokenCredential {
  /** The token it hands out: a secret that must never appear in logs or messages. */
  public static final String TOKEN = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.provider-token-7f3c9a";

  @Override
  public Mono<AccessToken> getToken(TokenRequestContext request) {
    return Mono.just(getTokenSync(request));
  }

  @Override
  public AccessToken getTokenSync(TokenRequestContext request) {
    return new AccessToken(TOKEN, OffsetDateTime.now().plusHours(1));
  }
}

package io.github.amlspark.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import com.azure.identity.ClientSecretCredential;
import com.azure.identity.DefaultAzureCredential;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

class CredentialsTest {
  private static final UnaryOperator<String> NO_ENV = name -> null;
  private static final Map<String, String> SP = Map.of(Credentials.SP_ID, "app-id", Credentials.SP_TENANT,
      "tenant-id", Credentials.SP_PASSWORD, "s3cret-value");

  /** A credential class as {@code credentialProvider} names it. */
  public static final class Provided implements TokenCredential {
    @Override
    public Mono<AccessToken> getToken(TokenRequestContext request) {
      return Mono.empty();
    }
  }

  @Test
  void theBuildersCredentialWinsOverEverything() {
    TokenCredential mine = new Provided();
    NamedCredential c = Credentials.resolve(Credentials.register(mine), Provided.class.getName(), SP::get);
    assertSame(mine, c.credential());
    assertTrue(c.description().contains("builder().credential"), c.description());
  }

  @Test
  void aProviderClassBeatsTheServicePrincipal() {
    NamedCredential c = Credentials.resolve(null, Provided.class.getName(), SP::get);
    assertEquals(Provided.class, c.credential().getClass());
    assertTrue(c.description().contains(Provided.class.getName()));
  }

  @Test
  void aServicePrincipalFromHimlVariablesBeatsTheDefaultChain() {
    NamedCredential c = Credentials.resolve(null, null, SP::get);
    assertEquals(ClientSecretCredential.class, c.credential().getClass());
    assertTrue(c.description().contains("app-id"), c.description());
    assertFalse(c.description().contains("s3cret-value") || c.toString().contains("s3cret-value"));
  }

  @Test
  void otherwiseAzureIdentitysDefaultChain() {
    NamedCredential c = Credentials.resolve(null, null, NO_ENV);
    assertEquals(DefaultAzureCredential.class, c.credential().getClass());
    assertTrue(c.description().contains("default chain"), c.description());
  }

  @Test
  void aPartialServicePrincipalNamesTheMissingVariablesWithoutTheSecret() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Credentials.resolve(null,
        null, Map.of(Credentials.SP_ID, "app-id", Credentials.SP_PASSWORD, "s3cret-value")::get));
    assertTrue(e.getMessage().contains(Credentials.SP_TENANT), e.getMessage());
    assertFalse(e.getMessage().contains("s3cret-value"), e.getMessage());
  }

  @Test
  void unusableProviderClassesSayWhy() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Credentials.resolve(null, "no.such.Cred",
        NO_ENV)).getMessage().contains("was not found"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Credentials.resolve(null,
        String.class.getName(), NO_ENV)).getMessage().contains("is not a"));
  }

  @Test
  void anUnknownHandleSaysTheCredentialLivesOnTheDriver() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Credentials.resolve("amlspark-credential-x",
        null, NO_ENV)).getMessage().contains("driver"));
  }
}

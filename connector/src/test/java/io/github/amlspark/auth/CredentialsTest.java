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
import java.time.OffsetDateTime;
import java.util.List;
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

  /** A request context of another azure-core copy: only its shape is known. */
  public static final class OtherContext {
    private List<String> scopes;
    private String tenant;

    /** @param scopes the scopes asked for */
    public void setScopes(List<String> scopes) {
      this.scopes = scopes;
    }

    /** @param tenant the tenant asked for */
    public void setTenantId(String tenant) {
      this.tenant = tenant;
    }
  }

  /** A token of another azure-core copy. */
  public record OtherToken(String getToken, OffsetDateTime getExpiresAt) {
  }

  /** A Mono of another Reactor copy. */
  public record OtherMono(OtherToken block) {
  }

  /** A TokenCredential of another (older, unrelocated) azure-core: no getTokenSync, a reactive getToken. */
  public static final class OtherCredential {
    /**
     * @param context what is asked for
     * @return a token naming the scopes and tenant it was asked for
     */
    public OtherMono getToken(OtherContext context) {
      return new OtherMono(new OtherToken(String.join(",", context.scopes) + "@" + context.tenant, EXPIRY));
    }
  }

  /** The same, as a credentialProvider class names it; its getTokenSync wins over getToken. */
  public static final class OtherSyncCredential {
    /**
     * @param context what is asked for
     * @return a token
     */
    public OtherToken getTokenSync(OtherContext context) {
      return new OtherToken("sync:" + String.join(",", context.scopes), EXPIRY);
    }

    /**
     * @param context what is asked for
     * @return nothing: never called while getTokenSync is there
     */
    public OtherMono getToken(OtherContext context) {
      throw new AssertionError("getTokenSync is preferred");
    }
  }

  private static final OffsetDateTime EXPIRY = OffsetDateTime.parse("2030-01-02T03:04:05Z");

  private static final TokenRequestContext ARM = new TokenRequestContext()
      .addScopes("https://management.azure.com/.default").setTenantId("t1");

  @Test
  void aCredentialOfAnotherAzureCoreIsAdaptedByItsShape() {
    TokenCredential c = Credentials.resolve(Credentials.register(new OtherCredential()), null, NO_ENV).credential();
    AccessToken token = c.getTokenSync(ARM);
    assertEquals("https://management.azure.com/.default@t1", token.getToken());
    assertEquals(EXPIRY, token.getExpiresAt());
    assertEquals("https://management.azure.com/.default@t1", c.getToken(ARM).block().getToken());
  }

  @Test
  void aProviderClassOfAnotherAzureCoreIsAdaptedToo() {
    NamedCredential c = Credentials.resolve(null, OtherSyncCredential.class.getName(), NO_ENV);
    assertEquals("sync:https://management.azure.com/.default", c.credential().getTokenSync(ARM).getToken());
  }

  @Test
  void aLambdaCredentialWorksThroughItsInterface() {
    TokenCredential lambda = request -> Mono.just(new AccessToken("lambda", EXPIRY));
    Object viaObject = lambda;
    assertEquals("lambda", Credentials.resolve(Credentials.register(viaObject), null, NO_ENV).credential()
        .getTokenSync(ARM).getToken());
  }

  @Test
  void anObjectWithoutTheShapeIsRefusedAtRegistration() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Credentials.register("not a credential"));
    assertTrue(e.getMessage().contains("java.lang.String") && e.getMessage().contains("getToken"), e.getMessage());
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

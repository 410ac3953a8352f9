package io.github.amlspark.auth;

import com.azure.core.credential.TokenCredential;
import com.azure.identity.ClientSecretCredentialBuilder;
import com.azure.identity.DefaultAzureCredentialBuilder;
import java.lang.reflect.InvocationTargetException;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/**
 * Chooses the credential for Azure calls made on the driver, first that applies: one given to
 * {@code AzureMLFiles.builder().credential(...)}; a {@code credentialProvider} class; a service principal
 * from {@code HIML_SERVICE_PRINCIPAL_ID}, {@code HIML_TENANT_ID} and {@code HIML_SERVICE_PRINCIPAL_PASSWORD};
 * Azure Identity's default chain.
 *
 * <p>The shaded jar relocates the Azure SDK it bundles, so a caller's own TokenCredential (built against
 * their azure-core) is adapted to the connector's by its shape ({@link ForeignCredential}).
 *
 * <p>A credential object cannot travel in string options, so the builder's one is registered here under
 * a random handle that the options carry instead; the handle is no secret and resolves only in the JVM
 * that registered it (the driver).
 */
public final class Credentials {
  /** Service principal variables, as hi-ml names them. */
  public static final String SP_ID = "HIML_SERVICE_PRINCIPAL_ID";
  /** The service principal's tenant. */
  public static final String SP_TENANT = "HIML_TENANT_ID";
  /** The service principal's secret. */
  public static final String SP_PASSWORD = "HIML_SERVICE_PRINCIPAL_PASSWORD";

  private static final String NOT_A_CREDENTIAL = "TokenCredential: it needs a public getTokenSync(TokenRequestContext) "
      + "or getToken(TokenRequestContext) method, as azure-core's TokenCredential has.";

  private static final Map<String, TokenCredential> REGISTERED = new ConcurrentHashMap<>();

  private Credentials() {
  }

  /**
   * @param credential a caller's credential: a TokenCredential of any azure-core version, or any object of its
   *     shape (see {@link ForeignCredential})
   * @return the handle that names it in options
   * @throws IllegalArgumentException when it is not of a TokenCredential's shape
   */
  public static String register(Object credential) {
    TokenCredential adapted = ForeignCredential.adapt(credential).orElseThrow(() -> new IllegalArgumentException(
        "AzureMLFiles.builder().credential(...) got a " + credential.getClass().getName() + ", which is not a "
        + NOT_A_CREDENTIAL));
    String handle = "amlspark-credential-" + UUID.randomUUID();
    REGISTERED.put(handle, adapted);
    return handle;
  }

  /**
   * @param handle a handle from {@link #register}, or null
   * @param providerClass class name of a TokenCredential with a public no-arg constructor, or null
   * @param env environment variable lookup
   * @return the credential to use
   * @throws IllegalArgumentException when the handle or class is unusable, or the service principal
   *     variables are set only in part
   */
  public static NamedCredential resolve(String handle, String providerClass, UnaryOperator<String> env) {
    if (handle != null) {
      TokenCredential registered = REGISTERED.get(handle);
      if (registered == null) {
        throw new IllegalArgumentException("The credential given to AzureMLFiles.builder().credential(...) "
            + "is known only on the driver that built it; plan reads and writes there.");
      }
      return new NamedCredential(registered, "the credential given to AzureMLFiles.builder().credential(...)");
    }
    if (providerClass != null) {
      return new NamedCredential(instantiate(providerClass), "credentialProvider " + providerClass);
    }
    String id = env.apply(SP_ID);
    String tenant = env.apply(SP_TENANT);
    String password = env.apply(SP_PASSWORD);
    if (isSet(id) || isSet(tenant) || isSet(password)) {
      if (!isSet(id) || !isSet(tenant) || !isSet(password)) {
        String missing = String.join(", ", java.util.stream.Stream.of(isSet(id) ? null : SP_ID,
            isSet(tenant) ? null : SP_TENANT, isSet(password) ? null : SP_PASSWORD)
            .filter(java.util.Objects::nonNull).toList());
        throw new IllegalArgumentException("Service principal variables are set only in part: " + missing
            + " missing. Set " + SP_ID + ", " + SP_TENANT + " and " + SP_PASSWORD + " together (or none, "
            + "to use Azure Identity's default chain).");
      }
      return new NamedCredential(new ClientSecretCredentialBuilder().clientId(id).tenantId(tenant)
          .clientSecret(password).build(), "the service principal " + id + " from " + SP_ID);
    }
    return new NamedCredential(new DefaultAzureCredentialBuilder().build(), "Azure Identity's default chain "
        + "(environment variables, workload identity, managed identity, Azure CLI, Azure PowerShell, "
        + "Azure Developer CLI)");
  }

  private static TokenCredential instantiate(String className) {
    try {
      Class<?> type = Class.forName(className, true, contextLoader());
      Object instance = type.getConstructor().newInstance();
      return ForeignCredential.adapt(instance).orElseThrow(() -> new IllegalArgumentException(
          "credentialProvider " + className + " is not a " + NOT_A_CREDENTIAL));
    } catch (ClassNotFoundException e) {
      throw new IllegalArgumentException("credentialProvider class " + className + " was not found; put "
          + "its jar on the driver's classpath.", e);
    } catch (NoSuchMethodException | InstantiationException | IllegalAccessException e) {
      throw new IllegalArgumentException("credentialProvider " + className + " needs a public no-argument "
          + "constructor.", e);
    } catch (InvocationTargetException e) {
      throw new IllegalArgumentException("credentialProvider " + className + " failed in its constructor: "
          + e.getCause(), e.getCause());
    }
  }

  private static ClassLoader contextLoader() {
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    return loader != null ? loader : Credentials.class.getClassLoader();
  }

  private static boolean isSet(String v) {
    return v != null && !v.isBlank();
  }
}

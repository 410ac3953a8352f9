package io.github.amlspark.auth;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import reactor.core.publisher.Mono;

/**
 * A caller's credential seen through the connector's own {@link TokenCredential}. The shaded jar relocates
 * the Azure SDK it bundles, so a user's {@code com.azure.core.credential.TokenCredential} (compiled against
 * their own azure-core, any version) is a different type here. Any object of its shape is accepted: a
 * public {@code getTokenSync(context)} or {@code getToken(context)} (the latter returning something with
 * {@code block()}, such as a Reactor {@code Mono}), where the context type has a public no-argument
 * constructor and {@code setScopes(List)}, and the token has {@code getToken()} and {@code getExpiresAt()}.
 *
 * <p>No class is named in strings here: the shade plugin rewrites string constants that look like the
 * relocated package, which would make a by-name lookup find the connector's own copy instead.
 */
final class ForeignCredential implements TokenCredential {
  private final Object target;
  private final Method fetch;
  private final boolean reactive;
  private final Constructor<?> newContext;
  private final Method setScopes;
  private final Method setTenantId;
  private final Method setClaims;
  private final Method setCaeEnabled;

  private ForeignCredential(Object target, Method fetch, boolean reactive) throws NoSuchMethodException {
    this.target = target;
    this.fetch = fetch;
    this.reactive = reactive;
    Class<?> context = fetch.getParameterTypes()[0];
    this.newContext = context.getConstructor();
    this.setScopes = context.getMethod("setScopes", List.class);
    this.setTenantId = optional(context, "setTenantId", String.class);
    this.setClaims = optional(context, "setClaims", String.class);
    this.setCaeEnabled = optional(context, "setCaeEnabled", boolean.class);
  }

  /**
   * @param candidate any object
   * @return the connector's credential for it: the object itself when it already is one, an adapter when it
   *     has a TokenCredential's shape, empty otherwise
   */
  static Optional<TokenCredential> adapt(Object candidate) {
    if (candidate instanceof TokenCredential own) {
      return Optional.of(own);
    }
    Class<?> type = candidate.getClass();
    for (String name : List.of("getTokenSync", "getToken")) {
      Method m = publicMethod(type, name, 1);
      if (m == null) {
        continue;
      }
      boolean reactive = name.equals("getToken");
      if (reactive && publicMethod(m.getReturnType(), "block", 0) == null) {
        continue;
      }
      try {
        return Optional.of(new ForeignCredential(candidate, m, reactive));
      } catch (NoSuchMethodException e) {
        // Not a token request context: try the next method, else not a credential.
      }
    }
    return Optional.empty();
  }

  /**
   * A public method reachable through a public type: a lambda's or a private class's own method object
   * cannot be invoked from here, its interface's or public superclass's can.
   */
  private static Method publicMethod(Class<?> type, String name, int arity) {
    List<Class<?>> types = new ArrayList<>();
    for (Class<?> c = type; c != null; c = c.getSuperclass()) {
      types.add(c);
    }
    for (int i = 0; i < types.size(); i++) {
      for (Class<?> in : types.get(i).getInterfaces()) {
        if (!types.contains(in)) {
          types.add(in);
        }
      }
    }
    for (Class<?> c : types) {
      if (!Modifier.isPublic(c.getModifiers())) {
        continue;
      }
      for (Method m : c.getMethods()) {
        if (m.getName().equals(name) && m.getParameterCount() == arity) {
          return m;
        }
      }
    }
    return null;
  }

  private static Method optional(Class<?> type, String name, Class<?> parameter) {
    try {
      return type.getMethod(name, parameter);
    } catch (NoSuchMethodException e) {
      return null;
    }
  }

  @Override
  public Mono<AccessToken> getToken(TokenRequestContext request) {
    return Mono.fromCallable(() -> getTokenSync(request));
  }

  @Override
  public AccessToken getTokenSync(TokenRequestContext request) {
    try {
      Object context = newContext.newInstance();
      setScopes.invoke(context, new ArrayList<>(request.getScopes()));
      if (setTenantId != null && request.getTenantId() != null) {
        setTenantId.invoke(context, request.getTenantId());
      }
      if (setClaims != null && request.getClaims() != null) {
        setClaims.invoke(context, request.getClaims());
      }
      if (setCaeEnabled != null) {
        setCaeEnabled.invoke(context, request.isCaeEnabled());
      }
      Object token = fetch.invoke(target, context);
      if (reactive && token != null) {
        token = call(token, "block");
      }
      if (token == null) {
        throw new IllegalStateException("The credential " + target.getClass().getName() + " returned no token.");
      }
      return new AccessToken((String) call(token, "getToken"), (OffsetDateTime) call(token, "getExpiresAt"));
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException("The credential " + target.getClass().getName() + " failed: "
          + e.getCause(), e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("The credential " + target.getClass().getName() + " does not have the "
          + "shape of a TokenCredential: " + e, e);
    }
  }

  private static Object call(Object on, String name) throws ReflectiveOperationException {
    Method m = publicMethod(on.getClass(), name, 0);
    if (m == null) {
      throw new NoSuchMethodException(on.getClass().getName() + "." + name + "()");
    }
    return m.invoke(on);
  }

  @Override
  public String toString() {
    return "ForeignCredential(" + target.getClass().getName() + ")";
  }
}

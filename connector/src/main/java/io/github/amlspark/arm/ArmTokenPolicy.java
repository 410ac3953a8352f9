package io.github.amlspark.arm;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenRequestContext;
import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpPipelineCallContext;
import com.azure.core.http.policy.HttpPipelineSyncPolicy;
import io.github.amlspark.auth.NamedCredential;
import java.net.InetAddress;
import java.net.URL;
import java.net.UnknownHostException;
import java.time.OffsetDateTime;

/**
 * Adds the driver's bearer token to each ARM request, cached until five minutes before it expires. A token
 * only travels over HTTPS, or over plain HTTP to a loopback address (a local stub in tests).
 */
final class ArmTokenPolicy extends HttpPipelineSyncPolicy {
  private final NamedCredential credential;
  private final TokenRequestContext scope;
  private AccessToken token;

  ArmTokenPolicy(NamedCredential credential, String endpoint) {
    this.credential = credential;
    this.scope = new TokenRequestContext().addScopes(endpoint + "/.default");
  }

  @Override
  protected void beforeSendingRequest(HttpPipelineCallContext context) {
    URL url = context.getHttpRequest().getUrl();
    if (!"https".equals(url.getProtocol()) && !isLoopback(url.getHost())) {
      throw new IllegalStateException("Refusing to send a token over plain HTTP to " + url.getHost()
          + "; arm_endpoint must be an https:// URL.");
    }
    context.getHttpRequest().setHeader(HttpHeaderName.AUTHORIZATION, "Bearer " + token().getToken());
  }

  private synchronized AccessToken token() {
    if (token == null || token.getExpiresAt().isBefore(OffsetDateTime.now().plusMinutes(5))) {
      try {
        token = credential.credential().getTokenSync(scope);
      } catch (RuntimeException e) {
        throw new ArmCredentialException(e);
      }
      if (token == null) {
        throw new ArmCredentialException(new IllegalStateException("the credential returned no token."));
      }
    }
    return token;
  }

  private static boolean isLoopback(String host) {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }
}

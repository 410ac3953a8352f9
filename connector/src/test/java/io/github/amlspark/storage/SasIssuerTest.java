package io.github.amlspark.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.core.credential.AccessToken;
import com.azure.storage.blob.BlobContainerClientBuilder;
import com.azure.storage.blob.sas.BlobContainerSasPermission;
import com.azure.storage.blob.sas.BlobServiceSasSignatureValues;
import com.azure.storage.common.StorageSharedKeyCredential;
import io.github.amlspark.AzureMLException;
import io.github.amlspark.OverwriteMode;
import io.github.amlspark.auth.ContainerAccess;
import io.github.amlspark.auth.NamedCredential;
import io.github.amlspark.auth.SecretString;
import io.github.amlspark.workspace.DatastoreSpec;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Mono;

class SasIssuerTest {
  private static final String KEY =
      "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
  private static final DatastoreSpec KEYED = new DatastoreSpec("ds", "https://acct.blob.core.windows.net",
      "data", SecretString.ofNullable(KEY), null);

  private static Map<String, String> query(ContainerAccess access) {
    Map<String, String> q = new LinkedHashMap<>();
    for (String pair : access.sas().reveal().split("&")) {
      String[] kv = pair.split("=", 2);
      q.put(kv[0], URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
    }
    return q;
  }

  @Test
  void executorsGetTheLeastPermissionsEachOperationNeeds() {
    SasIssuer.ReadAccess read = SasIssuer.issueRead(KEYED, Duration.ofHours(1));
    // Only the driver lists; download and read tasks only GET blobs.
    assertEquals("r", query(read.executors()).get("sp"));
    assertEquals("rl", query(read.listing()).get("sp"));
    assertEquals("r", query(SasIssuer.issue(KEYED, SasIssuer.read(), Duration.ofHours(1))).get("sp"));
    assertEquals("rcw", query(SasIssuer.issue(KEYED, SasIssuer.upload(OverwriteMode.NEVER), Duration.ofHours(1)))
        .get("sp"));
    assertEquals("cw", query(SasIssuer.issue(KEYED, SasIssuer.upload(OverwriteMode.ALWAYS), Duration.ofHours(1)))
        .get("sp"));
    assertEquals("rcw", query(SasIssuer.issue(KEYED, SasIssuer.upload(OverwriteMode.IF_DIFFERENT),
        Duration.ofHours(1))).get("sp"));
  }

  @Test
  void signingWithAKeyStartsNoHttpClientPerCall() {
    SasIssuer.issueRead(KEYED, Duration.ofHours(1));
    long before = selectorThreads();
    for (int i = 0; i < 5; i++) {
      SasIssuer.issueRead(KEYED, Duration.ofHours(1));
    }
    // Each JDK HTTP client runs a selector thread until it is collected: one per call once cost a warm
    // download a client's start-up and threads.
    assertEquals(before, selectorThreads());
  }

  private static long selectorThreads() {
    return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().endsWith("-SelectorManager"))
        .count();
  }

  @Test
  void aKeySignsAServiceSasScopedToTheContainerThatExpiresAfterTheTtl() {
    ContainerAccess access = SasIssuer.issue(KEYED, SasIssuer.read(), Duration.ofMinutes(30));
    Map<String, String> q = query(access);
    assertEquals("c", q.get("sr"), "container scope");
    assertEquals("https://acct.blob.core.windows.net/data", access.containerUrl());
    OffsetDateTime expiry = OffsetDateTime.parse(q.get("se"));
    assertTrue(expiry.isAfter(OffsetDateTime.now().plusMinutes(29)) && expiry.isBefore(OffsetDateTime.now()
        .plusMinutes(31)), q.get("se"));
    assertTrue(!access.sas().reveal().contains(KEY) && !access.toString().contains("sig"), access.toString());
  }

  @Test
  void aDatastoresOwnSasIsPassedOnAsItIs() {
    SecretString sas = SecretString.ofNullable("sv=2024-01-01&sp=rl&sig=abc");
    DatastoreSpec spec = new DatastoreSpec("ds", "https://acct.blob.core.windows.net", "data", null, sas);
    assertSame(sas, SasIssuer.issue(spec, SasIssuer.read(), Duration.ofHours(1)).sas());
    SasIssuer.ReadAccess read = SasIssuer.issueRead(spec, Duration.ofHours(1));
    assertSame(sas, read.listing().sas());
    assertSame(sas, read.executors().sas());
  }

  /** Hosts with a port are "IP style" to the SDK's URL parser, which then takes a path segment for the account. */
  @ParameterizedTest
  @ValueSource(strings = {"https://acct.blob.core.windows.net:8443", "http://proxy.corp:8080",
      "http://127.0.0.1:10000/acct", "https://acct.privatelink.blob.core.windows.net"})
  void theSasIsSignedForTheDatastoresAccountWhateverItsUrlLooksLike(String accountUrl) {
    DatastoreSpec spec = new DatastoreSpec("ds", "acct", accountUrl, "data", SecretString.ofNullable(KEY), null,
        null);
    ContainerAccess access = SasIssuer.issue(spec, SasIssuer.read(), Duration.ofHours(1));
    Map<String, String> q = query(access);
    assertEquals(accountUrl + "/data", access.containerUrl());

    // The same SAS fields signed for account "acct", container "data" by the SDK itself.
    String reference = new BlobContainerClientBuilder().endpoint("https://acct.blob.core.windows.net/data")
        .credential(new StorageSharedKeyCredential("acct", KEY)).buildClient()
        .generateSas(new BlobServiceSasSignatureValues(OffsetDateTime.parse(q.get("se")),
            BlobContainerSasPermission.parse(q.get("sp"))).setStartTime(OffsetDateTime.parse(q.get("st"))));
    assertEquals(q.get("sv"), query(new ContainerAccess("", SecretString.ofNullable(reference))).get("sv"));
    assertEquals(query(new ContainerAccess("", SecretString.ofNullable(reference))).get("sig"), q.get("sig"),
        "signed for account acct and container data");
  }

  @Test
  void anIdentityNeedsAnHttpsEndpointAndIsNeverAskedOverHttp() {
    NamedCredential identity = new NamedCredential(request -> Mono.<AccessToken>error(
        new AssertionError("no token may be requested")), "the caller's identity");
    DatastoreSpec spec = new DatastoreSpec("ds", null, "http://127.0.0.1:1/acct", "data", null, null, identity);
    AzureMLException e = assertThrows(AzureMLException.class,
        () -> SasIssuer.issue(spec, SasIssuer.read(), Duration.ofHours(1)));
    assertTrue(e.getMessage().contains("https://") && e.getMessage().contains("the caller's identity"),
        e.getMessage());
  }
}

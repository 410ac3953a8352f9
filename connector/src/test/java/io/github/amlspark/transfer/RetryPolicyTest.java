package io.github.amlspark.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
  private final AtomicInteger retries = new AtomicInteger();
  private final TransferListener listener = new TransferListener() {
    @Override
    public void retried() {
      retries.incrementAndGet();
    }
  };

  @Test
  void transientFailuresAreRetriedUntilTheRequestSucceeds() throws IOException {
    RetryPolicy policy = new RetryPolicy(5, 1, 4, 10_000, 1_000);
    AtomicInteger tries = new AtomicInteger();
    String result = policy.run(listener, attempt -> {
      assertEquals(tries.incrementAndGet(), attempt);
      if (attempt < 3) {
        throw new TransientFailure("HTTP 503 ServerBusy", null, null);
      }
      return "ok";
    });
    assertEquals("ok", result);
    assertEquals(3, tries.get());
    assertEquals(2, retries.get());
  }

  @Test
  void aRefusalIsNeverRetried() {
    RetryPolicy policy = new RetryPolicy(5, 1, 4, 10_000, 1_000);
    AtomicInteger tries = new AtomicInteger();
    RequestRefusedException refused = new RequestRefusedException("HTTP 403", 403, "AuthorizationFailure");
    assertSame(refused, assertThrows(RequestRefusedException.class, () -> policy.run(listener, attempt -> {
      tries.incrementAndGet();
      throw refused;
    })));
    assertEquals(1, tries.get());
    assertEquals(0, retries.get());
  }

  @Test
  void givingUpSaysHowOftenItTriedAndKeepsTheCause() {
    RetryPolicy policy = new RetryPolicy(3, 1, 4, 10_000, 1_000);
    TransientFailure busy = new TransientFailure("GET of a.bin: HTTP 503 ServerBusy", null, null);
    IOException e = assertThrows(IOException.class, () -> policy.run(listener, attempt -> {
      throw busy;
    }));
    assertTrue(e.getMessage().startsWith("GET of a.bin: HTTP 503 ServerBusy (gave up after 3 tries over "),
        e.getMessage());
    assertSame(busy, e.getCause());
    assertEquals(2, retries.get());
  }

  @Test
  void retryAfterIsHonouredAndTheBudgetBoundsTheTotalTime() {
    RetryPolicy policy = new RetryPolicy(100, 1, 4, 1_500, 1_000);
    AtomicInteger tries = new AtomicInteger();
    long start = System.nanoTime();
    assertThrows(IOException.class, () -> policy.run(listener, attempt -> {
      tries.incrementAndGet();
      throw new TransientFailure("HTTP 503", Duration.ofMillis(400), null);
    }));
    long millis = (System.nanoTime() - start) / 1_000_000;
    // Waits of 400 ms fit three times into 1.5 s: the fourth would start after the budget.
    assertEquals(4, tries.get());
    assertTrue(millis >= 1_200 && millis < 1_500, "took " + millis + " ms");
  }

  @Test
  void delaysGrowExponentiallyWithJitterUpToTheCap() {
    RetryPolicy policy = RetryPolicy.DEFAULT;
    Set<Long> seen = new HashSet<>();
    for (int i = 0; i < 50; i++) {
      long first = policy.delayMillis(1, null);
      assertTrue(first >= 400 && first <= 800, "first delay " + first);
      seen.add(first);
      long fourth = policy.delayMillis(4, null);
      assertTrue(fourth >= 3_200 && fourth <= 6_400, "fourth delay " + fourth);
      long late = policy.delayMillis(30, null);
      assertTrue(late >= 15_000 && late <= 30_000, "capped delay " + late);
    }
    assertTrue(seen.size() > 10, "delays are jittered: " + seen);
    assertEquals(7_000, policy.delayMillis(1, Duration.ofSeconds(7)));
  }

  @Test
  void anInterruptedWaitEndsTheRequest() {
    RetryPolicy policy = new RetryPolicy(5, 5_000, 5_000, 60_000, 1_000);
    Thread.currentThread().interrupt();
    IOException e = assertThrows(IOException.class, () -> policy.run(listener, attempt -> {
      throw new TransientFailure("HTTP 500", null, null);
    }));
    assertInstanceOf(TransientFailure.class, e.getCause());
    assertTrue(Thread.interrupted());
  }
}

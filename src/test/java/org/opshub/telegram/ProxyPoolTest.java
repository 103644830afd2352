package org.opshub.telegram;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.opshub.checks.MutableClock;

/** The pool's order, back-off and names, on a clock of its own. */
class ProxyPoolTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-07T10:00:00Z"));

    private ProxyPool pool(URI... ways) {
        return new ProxyPool(Arrays.asList(ways), Duration.ofMinutes(1), new SimpleMeterRegistry(), clock);
    }

    @Test
    void theWaysAreReadInOrderWithDirectAndTheSingleProxyAsAPoolOfOne() {
        List<URI> ways = ProxyPool.ways(Map.of(
                "telegram.proxies",
                "socks5://ops:s3cret@10.0.0.2:1080, https://10.0.0.4:8443,direct ,http://10.0.0.3:3128")::get);
        assertEquals(4, ways.size());
        assertNull(ways.get(2));
        ProxyPool p = new ProxyPool(ways, Duration.ofMinutes(1), new SimpleMeterRegistry(), clock);
        assertEquals(
                List.of("socks5://10.0.0.2:1080", "https://10.0.0.4:8443", "direct", "http://10.0.0.3:3128"),
                p.proxies().stream().map(ProxyPool.Proxy::name).toList(),
                "named without credentials");
        assertEquals(
                List.of(URI.create("http://10.0.0.9:3128")),
                ProxyPool.ways(Map.of("telegram.proxy", "http://10.0.0.9:3128")::get));
        assertEquals(Arrays.asList((URI) null), ProxyPool.ways(Map.<String, String>of()::get), "nothing: direct");
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> ProxyPool.ways(Map.of("telegram.proxies", "socks4://ops:hunter2@10.0.0.1:1080")::get));
        assertTrue(e.getMessage().startsWith("telegram.proxies entries must be"), e.getMessage());
        assertTrue(!e.getMessage().contains("hunter2") && e.getMessage().endsWith("socks4://***@10.0.0.1:1080"));
    }

    @Test
    void aFailedWayIsSkippedForItsBackOffAndTheSoonestBackIsTriedWhenAllAreDown() throws Exception {
        ProxyPool p = pool(URI.create("socks5://10.0.0.2:1080"), URI.create("http://10.0.0.3:3128"));
        ProxyPool.Proxy first = p.proxies().get(0);
        ProxyPool.Proxy second = p.proxies().get(1);

        ProxyPool.Attempt a = p.begin();
        assertSame(first, a.proxy());
        p.failed(a, new ConnectException("refused"));
        assertSame(second, a.proxy(), "the same call, at once through the next");
        p.answered(a);
        assertSame(second, p.inUse());
        assertSame(second, p.begin().proxy(), "the first is down for its back-off");

        clock.advance(Duration.ofSeconds(20));
        ProxyPool.Attempt b = p.begin();
        p.failed(b, new ConnectException("refused"));
        assertNull(b.proxy(), "every way failed");
        IOException last = assertThrows(IOException.class, () -> p.giveUp(b));
        assertEquals("refused", last.getMessage());
        assertSame(first, p.begin().proxy(), "all down: the one whose back-off ends first");

        clock.advance(Duration.ofSeconds(45));
        assertSame(first, p.begin().proxy(), "its back-off is over: tried again first");
        assertEquals(
                List.of(first, second),
                p.probes().stream().map(ProxyPool.Attempt::proxy).toList());
        p.probed(p.probes().get(0));
        assertTrue(
                p.describe().get(0).equals("socks5://10.0.0.2:1080: up"),
                p.describe().toString());
        assertSame(second, p.inUse(), "a probe brings a way back, a call makes it the one in use");
    }
}

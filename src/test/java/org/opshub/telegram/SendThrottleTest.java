package org.opshub.telegram;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Telegram's limits, on a clock the test controls (epoch ms passed in). */
class SendThrottleTest {

    @Test
    void onePerSecondToAPrivateChat() {
        SendThrottle t = new SendThrottle();
        assertTrue(t.tryAcquire(5, 10_000));
        assertFalse(t.tryAcquire(5, 10_999));
        assertTrue(t.tryAcquire(6, 10_999), "other chats are not held back");
        assertTrue(t.tryAcquire(5, 11_000));
    }

    @Test
    void twentyPerMinuteToAGroup() {
        SendThrottle t = new SendThrottle();
        int sent = 0;
        for (long now = 0; now < 60_000; now += 100) {
            if (t.tryAcquire(-100, now)) {
                sent++;
            }
        }
        assertEquals(20, sent);
        assertTrue(t.tryAcquire(-100, 60_001), "the window slides");
    }

    @Test
    void thirtyPerSecondOverall() {
        SendThrottle t = new SendThrottle();
        int sent = 0;
        for (int chat = 1; chat <= 100; chat++) {
            if (t.tryAcquire(chat, 5_000)) {
                sent++;
            }
        }
        assertEquals(30, sent);
        assertFalse(t.tryAcquire(1000, 5_999));
        assertTrue(t.tryAcquire(1000, 6_000));
    }

    @Test
    void limitsFromThePropertiesReplaceTelegramsDefaults() {
        SendThrottle t = new SendThrottle();
        SendThrottle.Limits slow = new SendThrottle.Limits(3, 2, 1);
        assertTrue(t.tryAcquire(7, 1_000, slow));
        assertTrue(t.tryAcquire(7, 1_100, slow), "two a second to one private chat");
        assertFalse(t.tryAcquire(7, 1_200, slow));
        assertTrue(t.tryAcquire(-7, 1_300, slow));
        assertFalse(t.tryAcquire(8, 1_400, slow), "three a second over all chats");
        assertFalse(t.tryAcquire(-7, 30_000, slow), "one a minute to a group");
        assertTrue(t.tryAcquire(-7, 61_300, slow));
    }

    @Test
    void theWaitAtSendTimeKeepsItsMarginSoArrivalsStayWithinTheLimits() {
        SendThrottle t = new SendThrottle(200);
        SendThrottle.Limits limits = new SendThrottle.Limits(2, 1, 20);
        assertEquals(0, t.wait(5, 10_000, limits));
        t.sent(5, 10_000);
        assertEquals(1201, t.wait(5, 10_000, limits), "one a second to a private chat, plus 200 ms of room");
        assertEquals(0, t.wait(6, 10_000, limits), "another chat may go");
        t.sent(6, 10_100);
        assertEquals(
                1101, t.wait(7, 10_100, limits), "two a second overall: the next after the first leaves the window");
        assertEquals(0, t.wait(7, 11_201, limits));
    }
}

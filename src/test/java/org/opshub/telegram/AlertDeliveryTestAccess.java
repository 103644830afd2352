package org.opshub.telegram;

import java.io.IOException;

/** Test payloads of {@link AlertDeliveryTest} for tests in other packages. */
public final class AlertDeliveryTestAccess {
    private AlertDeliveryTestAccess() {}

    /** A firing v4 payload with one alert of that name, severity info. */
    public static byte[] payload(String alertname, String startsAt) throws IOException {
        return AlertDeliveryTest.payload(alertname, "firing", "info", startsAt, null);
    }
}

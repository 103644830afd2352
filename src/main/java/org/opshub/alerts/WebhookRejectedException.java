package org.opshub.alerts;

/**
 * A webhook request refused with a 4xx status (Alertmanager never retries those): the body is
 * not JSON (400), not a version 4 payload (400, naming the field), has the wrong content type
 * (415), is too large (413), or lacks the bearer token (401).
 */
public class WebhookRejectedException extends RuntimeException {
    private final int status;

    public WebhookRejectedException(int status, String message) {
        super(message);
        this.status = status;
    }

    /** The HTTP status to answer. */
    public int status() {
        return status;
    }
}

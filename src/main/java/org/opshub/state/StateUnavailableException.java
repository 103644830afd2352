package org.opshub.state;

/**
 * The state store could not be read or written (database down, disk full, schema broken).
 * Callers that accept work from outside answer 503 so that the sender retries.
 */
public class StateUnavailableException extends RuntimeException {
    public StateUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}

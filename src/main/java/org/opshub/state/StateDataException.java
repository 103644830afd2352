package org.opshub.state;

/**
 * The database refused the data itself (SQLState class {@code 22} data exception, {@code 23}
 * integrity constraint violation, or any other class that retrying cannot fix): the same work
 * would fail again, so callers give up on this one item (log it, confirm it, answer 4xx) and go
 * on, instead of retrying it forever as they do for {@link StateUnavailableException}.
 */
public class StateDataException extends RuntimeException {
    private final String sqlState;

    public StateDataException(String message, String sqlState, Throwable cause) {
        super(message, cause);
        this.sqlState = sqlState;
    }

    /** The five-character SQLState the database gave, or null. */
    public String sqlState() {
        return sqlState;
    }
}

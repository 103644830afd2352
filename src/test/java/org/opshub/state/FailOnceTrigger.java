package org.opshub.state;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;
import org.h2.api.Trigger;

/** An H2 trigger that refuses the next {@link #ARMED} statements it fires for, then lets all pass. */
public final class FailOnceTrigger implements Trigger {
    public static final AtomicInteger ARMED = new AtomicInteger();
    public static final AtomicInteger FAILED = new AtomicInteger();

    @Override
    public void fire(Connection conn, Object[] oldRow, Object[] newRow) throws SQLException {
        if (ARMED.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            FAILED.incrementAndGet();
            throw new SQLException("test: the database connection broke", "08006");
        }
    }
}

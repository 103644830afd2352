package org.opshub.state;

import org.apache.camel.NamedNode;
import org.apache.camel.Processor;
import org.apache.camel.Route;
import org.apache.camel.RuntimeCamelException;
import org.apache.camel.spi.Policy;

/**
 * The {@code policy} of route steps whose state store transactions are committed together: the
 * steps run inside {@link StateStore#inOneCommit}, on the calling thread (they must not hand the
 * exchange to another thread). Registered as {@code oneCommit}; in YAML:
 * {@code - policy: {ref: oneCommit, steps: [...]}}.
 */
public final class OneCommitPolicy implements Policy {
    private final StateStore store;

    public OneCommitPolicy(StateStore store) {
        this.store = store;
    }

    @Override
    public void beforeWrap(Route route, NamedNode definition) {
        // nothing to prepare
    }

    @Override
    public Processor wrap(Route route, Processor processor) {
        return exchange -> store.inOneCommit(() -> {
            try {
                processor.process(exchange);
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new RuntimeCamelException(e);
            }
        });
    }
}

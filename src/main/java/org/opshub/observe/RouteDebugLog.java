package org.opshub.observe;

import java.util.Comparator;
import java.util.List;
import org.apache.camel.Exchange;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.opshub.config.Secrets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Debug logging for every route, switched on with {@code OPSHUB_LOG_LEVEL=DEBUG} (or
 * {@code -Dopshub.log.level=DEBUG}): one line per finished exchange on the logger
 * {@code org.opshub.route.<route id>}, with its duration and, when it failed, the exception. Bodies
 * and headers are never logged (they carry tokens and patient data), and the configured secrets
 * are masked in exception messages. Off (no events at all) when debug is off at start.
 */
public final class RouteDebugLog extends EventNotifierSupport {
    private static final Logger LOG = LoggerFactory.getLogger("org.opshub.route");
    private final List<String> secrets;

    /** @param secrets values never to print (tokens, passwords); blanks are ignored */
    public RouteDebugLog(List<String> secrets) {
        // longest first: a proxy URL is masked whole before the password inside it
        this.secrets = secrets.stream()
                .filter(s -> s != null && s.strip().length() >= 4)
                .map(String::strip)
                .distinct()
                .sorted(Comparator.comparingInt(String::length).reversed())
                .toList();
        boolean on = LOG.isDebugEnabled();
        setIgnoreExchangeEvents(!on);
        setIgnoreExchangeCreatedEvent(true);
        setIgnoreExchangeSendingEvents(true);
        setIgnoreExchangeSentEvents(true);
        setIgnoreExchangeRedeliveryEvents(true);
        setIgnoreExchangeAsyncProcessingStartedEvents(true);
        setIgnoreCamelContextEvents(true);
        setIgnoreRouteEvents(true);
        setIgnoreServiceEvents(true);
        setIgnoreStepEvents(true);
    }

    @Override
    public boolean isEnabled(CamelEvent event) {
        return event instanceof CamelEvent.ExchangeCompletedEvent || event instanceof CamelEvent.ExchangeFailedEvent;
    }

    @Override
    public void notify(CamelEvent event) {
        Exchange exchange = ((CamelEvent.ExchangeEvent) event).getExchange();
        String route = exchange.getFromRouteId();
        Logger log = LoggerFactory.getLogger("org.opshub.route." + route);
        if (!log.isDebugEnabled()) {
            return;
        }
        long ms = exchange.getClock().elapsed();
        Exception e = exchange.getException();
        if (e == null) {
            log.debug("{} completed in {} ms", route, ms);
        } else {
            log.debug("{} failed after {} ms: {}: {}", route, ms, e.getClass().getSimpleName(), mask(e.getMessage()));
        }
    }

    /** {@code text} with every configured secret replaced by {@code ***}. */
    public String mask(String text) {
        if (text == null) {
            return "";
        }
        String out = text;
        for (String s : secrets) {
            out = out.replace(s, "***");
        }
        return Secrets.mask(out);
    }
}

package org.opshub.observe;

import ch.qos.logback.classic.pattern.MessageConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import org.opshub.config.Secrets;

/**
 * Logback's {@code %msg} through {@link Secrets#forLog}: every log line, Camel's and the libraries'
 * included, has its secrets masked and its control and bidi characters escaped (one record, one
 * line). Installed by {@code logback.xml}.
 */
public final class MaskedMessageConverter extends MessageConverter {
    @Override
    public String convert(ILoggingEvent event) {
        return Secrets.forLog(super.convert(event));
    }
}

package org.opshub;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.AppenderBase;
import ch.qos.logback.core.Layout;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.LoggerFactory;

/** Every log event of the whole process while attached (to the root logger). */
public final class AllLogs extends AppenderBase<ILoggingEvent> implements AutoCloseable {
    public final List<ILoggingEvent> events = new CopyOnWriteArrayList<>();
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

    public AllLogs() {
        start();
        root.addAppender(this);
    }

    @Override
    protected void append(ILoggingEvent e) {
        events.add(e);
    }

    /** The formatted messages of the logger named after {@code type}. */
    public List<String> from(Class<?> type) {
        return events.stream()
                .filter(e -> e.getLoggerName().equals(type.getName()))
                .map(ILoggingEvent::getFormattedMessage)
                .toList();
    }

    public boolean anyContains(String s) {
        return events.stream()
                .anyMatch(e -> e.getFormattedMessage().contains(s)
                        || (e.getThrowableProxy() != null
                                && String.valueOf(e.getThrowableProxy().getMessage())
                                        .contains(s)));
    }

    /**
     * Every event as the hub prints it: through the STDOUT appender's layout of logback.xml (its
     * masking message and exception converters), message and stack trace.
     */
    public List<String> rendered() {
        Appender<ILoggingEvent> out = root.getAppender("STDOUT");
        @SuppressWarnings("unchecked")
        Layout<ILoggingEvent> layout = ((LayoutWrappingEncoder<ILoggingEvent>)
                        ((OutputStreamAppender<ILoggingEvent>) out).getEncoder())
                .getLayout();
        return events.stream().map(layout::doLayout).toList();
    }

    @Override
    public void close() {
        root.detachAppender(this);
    }
}

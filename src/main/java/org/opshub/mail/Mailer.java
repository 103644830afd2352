package org.opshub.mail;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.activation.DataHandler;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.opshub.alerts.AlertStore;
import org.opshub.state.StateStore;
import org.opshub.telegram.SendAnswers;
import org.opshub.telegram.TelegramMetrics;
import org.opshub.telegram.outbox.Html;
import org.opshub.telegram.outbox.OutboxMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The e-mail outbox (bean {@code mailer}): the {@code mail-outbox} route claims the e-mails due
 * ({@link #due}), renders an e-mail's panel when it has one, sends it ({@link #send}) and, on a failure,
 * decides by the SMTP reply code ({@link #replyCode}, RFC 5321 section 4.2.1): 5xx is permanent (the
 * e-mail is dropped with an ERROR), anything else (4xx, no connection, a timeout) is tried again with
 * back-off. Each e-mail is multipart/alternative (the text plain and as HTML) with the panel's PNG
 * attached when there is one. An alert's first delivery on any channel is timed in {@code
 * alert_delivery_seconds{channel="email"}}. Metrics: {@code mail_messages_sent_total}, {@code mail_send_errors_total{code}},
 * {@code mail_messages_dropped_total}, and the oldest waiting e-mail in {@code
 * alert_delivery_oldest_undelivered_seconds{channel="email"}}.
 */
public final class Mailer {
    private static final Logger LOG = LoggerFactory.getLogger(Mailer.class);
    private final MailSettings settings;
    private final MailStore store;
    private final Clock clock;
    private final MeterRegistry registry;
    private final Counter sent;
    private final Counter dropped;
    private final Deque<Long> lastMinute = new ArrayDeque<>();
    private volatile long[] pending = {0, 0};

    private final StateStore state;

    public Mailer(MailSettings settings, MailStore store, StateStore state, MeterRegistry registry, Clock clock) {
        this.settings = settings;
        this.store = store;
        this.clock = clock;
        this.registry = registry;
        this.sent = Counter.builder("mail_messages_sent_total")
                .description("E-mails the SMTP server accepted")
                .register(registry);
        this.dropped = Counter.builder("mail_messages_dropped_total")
                .description("E-mails given up: the SMTP server refused them for good (5xx)")
                .register(registry);
        for (String code : List.of("4xx", "5xx", "network")) {
            errors(code);
        }
        this.state = state;
        for (String outcome : List.of("first_attempt", "after_retries")) {
            TelegramMetrics.deliveryTimer(registry, "email", outcome);
        }
        Gauge.builder("alert_delivery_oldest_undelivered_seconds", this, m -> m.oldestAgeSeconds())
                .tag("channel", "email")
                .description("Age of the oldest message not yet delivered on the channel, seconds; 0 when none waits")
                .register(registry);
    }

    private Counter errors(String code) {
        return Counter.builder("mail_send_errors_total")
                .tag("code", code)
                .description("Failed e-mail sends by cause: the SMTP reply class (4xx, 5xx) or network")
                .register(registry);
    }

    private double oldestAgeSeconds() {
        long[] p = pending;
        return p[0] == 0 ? 0 : Math.max(0, clock.millis() - p[1]) / 1000.0;
    }

    public boolean enabled() {
        return settings.enabled();
    }

    /** The e-mails due now, within {@code mail.max-per-minute}, claimed for a minute. */
    public synchronized List<MailStore.Mail> due() {
        if (!settings.enabled()) {
            return List.of();
        }
        long now = clock.millis();
        pending = store.pending();
        while (!lastMinute.isEmpty() && lastMinute.peekFirst() <= now - 60_000) {
            lastMinute.removeFirst();
        }
        int room = settings.perMinute() - lastMinute.size();
        if (room <= 0) {
            return List.of();
        }
        List<MailStore.Mail> due = store.claimDue(now, now + 60_000, room);
        for (int i = 0; i < due.size(); i++) {
            lastMinute.addLast(now);
        }
        return due;
    }

    /** An e-mail's panel as a photo message of the outbox, for the {@code render-panel} route. */
    public OutboxMessage asPhoto(MailStore.Mail m) {
        return new OutboxMessage(
                m.id(), 0, "photo", m.ref(), m.subject(), "HTML", m.createdAt(), 0, "{\"panel\":" + m.panel() + "}");
    }

    /**
     * Sends one e-mail: the text plain and as HTML, the PNG attached when not null.
     *
     * @throws MessagingException as the SMTP server or the connection failed (see {@link #replyCode})
     */
    public void send(MailStore.Mail m, byte[] png) throws MessagingException {
        Session session = Session.getInstance(settings.session());
        MimeMessage msg = new MimeMessage(session);
        msg.setFrom(new InternetAddress(settings.from()));
        msg.setRecipients(Message.RecipientType.TO, InternetAddress.parse(m.address(), true));
        msg.setSubject(m.subject(), "UTF-8");
        MimeMultipart alternative = new MimeMultipart("alternative");
        MimeBodyPart plain = new MimeBodyPart();
        plain.setText(Html.toPlain(m.body()), "UTF-8");
        alternative.addBodyPart(plain);
        MimeBodyPart html = new MimeBodyPart();
        html.setContent(
                "<html><body><div style=\"white-space: pre-wrap; font-family: sans-serif\">" + m.body()
                        + "</div></body></html>",
                "text/html; charset=UTF-8");
        alternative.addBodyPart(html);
        if (png == null) {
            msg.setContent(alternative);
        } else {
            MimeMultipart mixed = new MimeMultipart("mixed");
            MimeBodyPart text = new MimeBodyPart();
            text.setContent(alternative);
            mixed.addBodyPart(text);
            MimeBodyPart picture = new MimeBodyPart();
            picture.setDataHandler(new DataHandler(new ByteArrayDataSource(png, "image/png")));
            picture.setFileName("panel.png");
            mixed.addBodyPart(picture);
            msg.setContent(mixed);
        }
        msg.saveChanges();
        try (Transport t = session.getTransport(settings.protocol())) {
            if (settings.user().isEmpty()) {
                t.connect();
            } else {
                t.connect(settings.host(), settings.port(), settings.user(), settings.password());
            }
            t.sendMessage(msg, msg.getAllRecipients());
        }
    }

    /**
     * The SMTP reply code of a failed send (RFC 5321 section 4.2): the server's ({@code 550}, {@code 451}),
     * {@code 535} for refused credentials, 0 when no server answered (refused, timeout, TLS).
     */
    public static int replyCode(Exception e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SMTPSendFailedException s) {
                return s.getReturnCode();
            }
            if (t instanceof SMTPAddressFailedException s) {
                return s.getReturnCode();
            }
            if (t instanceof AuthenticationFailedException) {
                return 535;
            }
            if (t instanceof MessagingException me && me.getNextException() != null && me.getNextException() != t) {
                int code = replyCode(me.getNextException());
                if (code != 0) {
                    return code;
                }
            }
        }
        return 0;
    }

    /** The server's own reply in a failure ({@code 550 5.1.1 no such user}), else the failure's message. */
    static String reply(Exception e) {
        String text = e.getMessage();
        for (Throwable t = e; t != null; t = t instanceof MessagingException me ? me.getNextException() : null) {
            if (t instanceof SMTPAddressFailedException || t instanceof SMTPSendFailedException) {
                text = t.getMessage();
            }
        }
        return text == null ? e.getClass().getSimpleName() : text.strip();
    }

    /** The server took the e-mail. */
    public void sent(MailStore.Mail m) {
        store.delete(m.id());
        sent.increment();
        // an alert's first delivery on any channel: its time from arrival, once per alert
        long now = clock.millis();
        Long arrived = AlertStore.firstDelivery(state, m.ref().replaceFirst("#topic\\d+$", ""), now);
        if (arrived != null) {
            TelegramMetrics.deliveryTimer(registry, "email", m.attempts() == 0 ? "first_attempt" : "after_retries")
                    .record(Duration.ofMillis(Math.max(0, now - arrived)));
        }
    }

    /** The server refused the e-mail for good (5xx): dropped, with an ERROR naming the address and the reply. */
    public void refused(MailStore.Mail m, int code, Exception e) {
        errors("5xx").increment();
        dropped.increment();
        store.delete(m.id());
        LOG.error("E-mail to {} refused by the SMTP server ({}); dropped", m.address(), reply(e));
    }

    /** A 4xx or no answer: the same e-mail again after a back-off (1 s doubling, at most 5 min). */
    public void later(MailStore.Mail m, int code, Exception e) {
        errors(code == 0 ? "network" : "4xx").increment();
        long delay = SendAnswers.backoff(m.attempts());
        String what = reply(e);
        LOG.warn("E-mail to {} not sent ({}): retrying in {} s", m.address(), what, delay / 1000);
        store.retryAt(m.id(), clock.millis() + delay, what);
    }
}

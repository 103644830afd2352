package org.opshub.mail;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.opshub.alerts.Alert;
import org.opshub.alerts.AlertChannel;
import org.opshub.alerts.SubscriptionPattern;
import org.opshub.telegram.outbox.Texts;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Subscriptions that name an e-mail address instead of a chat, for teams without Telegram ({@code
 * mail.subscriptions.<name>.address}, {@code .pattern}, {@code .urgent}): a new alert whose alertname (or
 * label, {@code severity=critical}) matches the pattern, as {@code /subscribe} takes it, is queued as an
 * e-mail once (the inbox's de-duplication holds for it too), resolved ones as well with {@code
 * telegram.send-resolved}. While quiet hours hold ({@code telegram.quiet-hours}), a subscription that is
 * not urgent gets nothing; its firing alerts are counted, and when the quiet hours end the address gets
 * one digest e-mail of them (route {@code mail-digest}).
 */
public final class EmailSubscriptions implements AlertChannel {
    private static final Logger LOG = LoggerFactory.getLogger(EmailSubscriptions.class);
    /** The keys of one subscription, after {@code mail.subscriptions.<name>.}. */
    public static final List<String> KEYS = List.of("address", "pattern", "urgent");

    /**
     * One e-mail subscription.
     *
     * @param name    its name in the properties
     * @param urgent  also during quiet hours
     */
    public record Subscription(String name, String address, SubscriptionPattern pattern, boolean urgent) {}

    private final List<Subscription> subscriptions;
    private final MailStore store;
    private final boolean sendResolved;
    private final Texts texts;
    private final String language;
    private volatile BooleanSupplier quiet = () -> false;

    public EmailSubscriptions(
            List<Subscription> subscriptions, MailStore store, boolean sendResolved, Texts texts, String language) {
        this.subscriptions = List.copyOf(subscriptions);
        this.store = store;
        this.sendResolved = sendResolved;
        this.texts = texts;
        this.language = language;
    }

    /**
     * The subscriptions of {@code mail.subscriptions.<name>.*} among {@code keys}.
     *
     * @throws IllegalArgumentException naming the property of a missing or bad address or pattern
     */
    public static List<Subscription> from(Set<String> keys, Function<String, String> property) {
        Map<String, Subscription> out = new TreeMap<>();
        for (String key : keys) {
            if (!key.startsWith("mail.subscriptions.") || !key.endsWith(".address") && !key.endsWith(".pattern")) {
                continue;
            }
            String rest = key.substring("mail.subscriptions.".length());
            String name = rest.substring(0, rest.lastIndexOf('.'));
            String prefix = "mail.subscriptions." + name + ".";
            String address = Objects.requireNonNullElse(property.apply(prefix + "address"), "")
                    .strip();
            if (!MailFallback.isAddress(address)) {
                throw new IllegalArgumentException(prefix + "address must be an e-mail address: " + address);
            }
            String pattern = Objects.requireNonNullElse(property.apply(prefix + "pattern"), "")
                    .strip();
            SubscriptionPattern parsed;
            try {
                parsed = SubscriptionPattern.parse(pattern.isEmpty() ? "*" : pattern);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(prefix + "pattern: " + e.getMessage());
            }
            String urgent = Objects.requireNonNullElse(property.apply(prefix + "urgent"), "")
                    .strip();
            if (!urgent.matches("|true|false")) {
                throw new IllegalArgumentException(prefix + "urgent: \"" + urgent + "\" is not true or false");
            }
            out.put(name, new Subscription(name, address, parsed, urgent.equals("true")));
        }
        return List.copyOf(out.values());
    }

    public List<Subscription> subscriptions() {
        return subscriptions;
    }

    /** Whether quiet hours hold alerts now (the inbox's). */
    public void quietHours(BooleanSupplier holds) {
        this.quiet = holds;
    }

    @Override
    public void record(Connection c, Alert alert, String text, String panel, boolean hold, long now)
            throws SQLException {
        if (!alert.firing() && !sendResolved) {
            return;
        }
        for (Subscription s : subscriptions) {
            if (!s.pattern().matches(alert)) {
                continue;
            }
            if (hold && !s.urgent()) {
                if (alert.firing()) {
                    MailStore.held(c, s.address(), alert.alertname(), now);
                }
                continue;
            }
            MailStore.enqueue(c, s.address(), MailFallback.subject(text), text, panel, alert.key(), now);
        }
    }

    /**
     * When quiet hours do not hold: one digest e-mail to each address with held alerts (how many of each
     * alertname), the held rows gone with it.
     *
     * @return the digests queued
     */
    public int digests() {
        if (quiet.getAsBoolean()) {
            return 0;
        }
        Map<String, Map<String, Integer>> held = store.takeHeld(System.currentTimeMillis(), (address, counts) -> {
            int total = counts.values().stream().mapToInt(Integer::intValue).sum();
            List<String> lines = new ArrayList<>();
            counts.forEach((name, n) -> lines.add(texts.t(language, "mail.digest.line", name, n)));
            return new String[] {
                texts.t(language, "mail.digest.subject", total),
                texts.t(language, "mail.digest.body", total) + "\n" + String.join("\n", lines)
            };
        });
        if (!held.isEmpty()) {
            LOG.info("Quiet hours over: a digest e-mail to {} address(es)", held.size());
        }
        return held.size();
    }
}

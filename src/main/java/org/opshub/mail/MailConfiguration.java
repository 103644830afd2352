package org.opshub.mail;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.camel.CamelContext;
import org.opshub.alerts.AlertInbox;
import org.opshub.config.GivenKeys;
import org.opshub.config.Settings;
import org.opshub.state.StateStore;
import org.opshub.telegram.outbox.ChatTexts;
import org.opshub.telegram.outbox.TelegramSettings;
import org.opshub.telegram.outbox.Texts;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * E-mail ({@code mail.*}, {@code telegram.fallback-after}, {@code telegram.fallback.<chat>}, {@code
 * mail.subscriptions.<name>.*}): binds {@code mailer}, {@code mailFallback} and {@code emailSubscriptions}
 * for the {@code mail-outbox}, {@code mail-fallback} and {@code mail-digest} routes, and adds the e-mail
 * subscriptions to the inbox's channels.
 */
public final class MailConfiguration {
    private static final Logger LOG = LoggerFactory.getLogger(MailConfiguration.class);
    private static final String FALLBACK = "telegram.fallback.";
    private static final String SUBSCRIPTIONS = "mail.subscriptions.";

    private MailConfiguration() {}

    /** @throws IllegalArgumentException naming the property of a bad value */
    public static MailFallback bind(
            CamelContext context,
            MeterRegistry registry,
            Function<String, String> property,
            TelegramSettings telegram,
            StateStore store,
            ChatTexts texts,
            AlertInbox inbox,
            Texts messages) {
        MailSettings settings = MailSettings.from(property);
        MailStore mails = new MailStore(store);
        // telegram.fallback.<chat>: from the property files, the override properties and -D system properties
        Set<String> keys = GivenKeys.startingWith(context.getPropertiesComponent(), FALLBACK, SUBSCRIPTIONS);
        Map<String, String> fallbackKeys = new TreeMap<>();
        keys.stream().filter(k -> k.startsWith(FALLBACK)).forEach(k -> fallbackKeys.put(k, property.apply(k)));
        Map<Long, List<String>> configured = MailFallback.configured(fallbackKeys);
        for (Long chat : configured.keySet()) {
            if (!telegram.allowedChats().contains(chat)) {
                throw new IllegalArgumentException(
                        "telegram.fallback." + chat + ": chat " + chat + " is not in telegram.allowed-chats");
            }
        }
        MailFallback fallback = new MailFallback(
                mails,
                configured,
                Settings.duration(property, "telegram.fallback-after"),
                telegram.zone(),
                // the outboxes' times are the system's (the opshub clock is for thresholds and quiet hours)
                Clock.systemUTC(),
                settings.enabled());
        fallback.languages(texts);
        List<EmailSubscriptions.Subscription> subscribed = EmailSubscriptions.from(keys, property);
        if (!subscribed.isEmpty() && !settings.enabled()) {
            throw new IllegalArgumentException(
                    "mail.subscriptions." + subscribed.get(0).name() + ".address: e-mail subscriptions need mail.host");
        }
        EmailSubscriptions subscriptions = new EmailSubscriptions(
                subscribed,
                mails,
                telegram.sendResolved(),
                messages,
                Settings.text(property, "telegram.language").strip());
        subscriptions.quietHours(inbox::quietHolds);
        inbox.channels(List.of(subscriptions));
        // read by the mail-digest route
        Settings.duration(property, "mail.digest-interval");
        context.getRegistry().bind("emailSubscriptions", subscriptions);
        context.getRegistry().bind("mailer", new Mailer(settings, mails, store, registry, Clock.systemUTC()));
        context.getRegistry().bind("mailFallback", fallback);
        LOG.info(
                "E-mail: {}; fallback for {} chat(s) from the properties; {} e-mail subscription(s)",
                settings,
                configured.size(),
                subscribed.size());
        return fallback;
    }
}

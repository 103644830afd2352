package org.opshub.mail;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.PropertiesComponent;
import org.opshub.config.Settings;
import org.opshub.state.StateStore;
import org.opshub.telegram.outbox.ChatTexts;
import org.opshub.telegram.outbox.TelegramSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * E-mail ({@code mail.*}, {@code telegram.fallback-after}, {@code telegram.fallback.<chat>}): binds
 * {@code mailer} and {@code mailFallback} for the {@code mail-outbox} and {@code mail-fallback} routes.
 */
public final class MailConfiguration {
    private static final Logger LOG = LoggerFactory.getLogger(MailConfiguration.class);
    private static final String FALLBACK = "telegram.fallback.";

    private MailConfiguration() {}

    /** @throws IllegalArgumentException naming the property of a bad value */
    public static MailFallback bind(
            CamelContext context,
            MeterRegistry registry,
            Function<String, String> property,
            TelegramSettings telegram,
            StateStore store,
            ChatTexts texts,
            Clock clock) {
        MailSettings settings = MailSettings.from(property);
        MailStore mails = new MailStore(store);
        // telegram.fallback.<chat>: from the property files, the override properties and -D system properties
        Set<String> keys = new TreeSet<>();
        PropertiesComponent pc = context.getPropertiesComponent();
        keys.addAll(pc.loadProperties(k -> k.startsWith(FALLBACK)).stringPropertyNames());
        if (pc instanceof org.apache.camel.component.properties.PropertiesComponent impl
                && impl.getOverrideProperties() != null) {
            keys.addAll(impl.getOverrideProperties().stringPropertyNames());
        }
        keys.addAll(System.getProperties().stringPropertyNames());
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
                clock,
                settings.enabled());
        fallback.languages(texts);
        context.getRegistry().bind("mailer", new Mailer(settings, mails, registry, clock));
        context.getRegistry().bind("mailFallback", fallback);
        LOG.info("E-mail: {}; fallback for {} chat(s) from the properties", settings, configured.size());
        return fallback;
    }
}

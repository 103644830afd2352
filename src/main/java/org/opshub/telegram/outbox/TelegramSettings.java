package org.opshub.telegram.outbox;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.Function;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.opshub.config.Settings;

/**
 * The {@code telegram.*} properties.
 *
 * @param token          bot token; empty: console mode (messages are logged, nothing is polled)
 * @param apiUrl         Bot API base URL, without trailing slash
 * @param proxy          {@code http://[user:pass@]host:port} or {@code socks5://[user:pass@]host:port}; null: direct
 * @param allowedChats   chat ids allowed to use the bot and receive alerts
 * @param zone           zone for times in messages
 * @param maxDeliveryAge a message still undelivered after this is dropped (ERROR log + counter)
 * @param sendResolved   whether resolved alerts are delivered too
 * @param botUsername    the bot's username; when set, commands addressed to another bot are ignored
 * @param pollTimeout    long-polling timeout of getUpdates
 * @param httpTimeout    connect and response timeout of one Bot API call (above pollTimeout)
 * @param webhookUrl     public https URL Telegram pushes updates to (webhook mode); empty: long polling
 * @param webhookSecret  the {@code secret_token} Telegram sends in {@code X-Telegram-Bot-Api-Secret-Token}
 *                       (core.telegram.org/bots/api#setwebhook): {@code telegram.webhook-secret}, or derived
 *                       from the token when that is empty; never log it
 * @param missingDetails {@code telegram.missing-details}: {@code /missing} lists StudyInstanceUIDs and
 *                       accession numbers (and patients, with {@code pacs.missing.include-patient});
 *                       false: per pair only the counts and the oldest missing study's age
 * @param resendChats    {@code telegram.resend-chats}: chats (also in {@code allowed-chats}) whose
 *                       {@code /missing} view and missing-studies alerts carry Resend buttons (C-MOVE);
 *                       default none
 * @param resendAlertnames {@code telegram.resend-alertnames}: the alerts (by alertname, with {@code source}
 *                       and {@code target} labels naming a pair) that carry "Resend missing" in those chats;
 *                       default {@code StudiesNotForwarded,StudiesIncomplete}, the shipped rules
 */
public record TelegramSettings(
        String token,
        String apiUrl,
        URI proxy,
        Set<Long> allowedChats,
        ZoneId zone,
        Duration maxDeliveryAge,
        boolean sendResolved,
        String botUsername,
        Duration pollTimeout,
        Duration httpTimeout,
        String webhookUrl,
        String webhookSecret,
        boolean missingDetails,
        Set<Long> resendChats,
        Set<String> resendAlertnames) {

    /** Ports the Bot API calls webhooks on (core.telegram.org/bots/api#setwebhook). */
    private static final Set<Integer> WEBHOOK_PORTS = Set.of(443, 80, 88, 8443);

    /**
     * Reads the settings through {@code property} (a key → value lookup, null when unset).
     *
     * @throws IllegalArgumentException naming the property when a value is malformed
     */
    public static TelegramSettings from(Function<String, String> property) {
        String token = value(property, "telegram.token", "");
        String api =
                value(property, "telegram.api-url", "https://api.telegram.org").replaceAll("/+$", "");
        String proxyText = value(property, "telegram.proxy", "");
        URI proxy = null;
        if (!proxyText.isBlank()) {
            proxy = URI.create(proxyText.strip());
            String scheme = proxy.getScheme() == null ? "" : proxy.getScheme().toLowerCase();
            if (!Set.of("http", "socks5", "socks").contains(scheme) || proxy.getHost() == null || proxy.getPort() < 0) {
                throw new IllegalArgumentException("telegram.proxy must be http://host:port or socks5://host:port");
            }
        }
        Set<Long> allowed = chatIds("telegram.allowed-chats", value(property, "telegram.allowed-chats", ""));
        String webhookUrl =
                webhookUrl(value(property, "telegram.webhook-url", "").strip());
        String secret = value(property, "telegram.webhook-secret", "").strip();
        if (!secret.isEmpty() && !secret.matches("[A-Za-z0-9_-]{1,256}")) {
            throw new IllegalArgumentException(
                    "telegram.webhook-secret must be 1-256 characters of A-Z, a-z, 0-9, _ and -");
        }
        return new TelegramSettings(
                token.strip(),
                api,
                proxy,
                Set.copyOf(allowed),
                Settings.zone(property, "telegram.timezone", ZoneId.systemDefault()),
                Settings.duration(property, "telegram.max-delivery-age"),
                Settings.bool(property, "telegram.send-resolved"),
                value(property, "telegram.bot-username", "").strip().replaceFirst("^@", ""),
                Settings.duration(property, "telegram.poll-timeout"),
                Settings.duration(property, "telegram.http-timeout"),
                webhookUrl,
                secret.isEmpty() ? derivedSecret(token.strip()) : secret,
                Settings.bool(property, "telegram.missing-details"),
                resendChats(allowed, chatIds("telegram.resend-chats", value(property, "telegram.resend-chats", ""))),
                Set.copyOf(Arrays.stream(
                                value(property, "telegram.resend-alertnames", "StudiesNotForwarded,StudiesIncomplete")
                                        .split("[,\\s]+"))
                        .filter(n -> !n.isBlank())
                        .toList()));
    }

    private static Set<Long> resendChats(Set<Long> allowed, Set<Long> resend) {
        for (Long chat : resend) {
            if (!allowed.contains(chat)) {
                throw new IllegalArgumentException("telegram.resend-chats: chat " + chat
                        + " is not in telegram.allowed-chats (only allowed chats may re-send studies)");
            }
        }
        return Set.copyOf(resend);
    }

    /** Webhook mode: a token and a {@code telegram.webhook-url}; updates are pushed, not polled. */
    public boolean webhookMode() {
        return !consoleMode() && !webhookUrl.isEmpty();
    }

    private static String webhookUrl(String text) {
        if (text.isEmpty()) {
            return "";
        }
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("telegram.webhook-url is not a URL: " + e.getMessage());
        }
        if (!"https".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
            throw new IllegalArgumentException(
                    "telegram.webhook-url must be a public https:// URL (Telegram calls webhooks over HTTPS only)");
        }
        if (uri.getPort() >= 0 && !WEBHOOK_PORTS.contains(uri.getPort())) {
            throw new IllegalArgumentException(
                    "telegram.webhook-url: Telegram calls webhooks on ports 443, 80, 88 and 8443 only, not "
                            + uri.getPort());
        }
        return text;
    }

    /** HMAC-SHA256 of a fixed label under the token, hex: stable across restarts, new with a new token. */
    private static String derivedSecret(String token) {
        if (token.isEmpty()) {
            return "";
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(token.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal("opshub telegram webhook".getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JDK", e);
        }
    }

    /** Console mode: no token, messages are logged instead of sent. */
    public boolean consoleMode() {
        return token.isEmpty();
    }

    /**
     * Chat ids written comma- or space-separated (a property such as {@code telegram.allowed-chats}
     * or {@code checks.chats}), in order, without repeats; empty for an empty text.
     *
     * @throws IllegalArgumentException naming {@code key} when an entry is not a chat id
     */
    public static Set<Long> chatIds(String key, String text) {
        return ids(key, text, "a chat id");
    }

    /**
     * A property's list of Telegram ids (chats or users), comma- or blank-separated.
     *
     * @param what what an id is, for the error ("a user id")
     * @throws IllegalArgumentException naming {@code key} and the entry that is not a number
     */
    public static Set<Long> ids(String key, String text, String what) {
        Set<Long> ids = new LinkedHashSet<>();
        for (String id : (text == null ? "" : text).split("[,\\s]+")) {
            if (!id.isBlank()) {
                try {
                    ids.add(Long.parseLong(id.strip()));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(key + ": not " + what + ": " + id);
                }
            }
        }
        return ids;
    }

    @Override
    public String toString() {
        return "TelegramSettings[api=" + apiUrl + ", token=" + (token.isEmpty() ? "none (console mode)" : "***")
                + ", proxy="
                + (proxy == null ? "none" : proxy.getScheme() + "://" + proxy.getHost() + ":" + proxy.getPort())
                + ", allowedChats=" + Arrays.toString(allowedChats.toArray()) + ", zone=" + zone
                + ", updates=" + (consoleMode() ? "none" : webhookMode() ? "webhook " + webhookUrl : "long polling")
                + "]";
    }

    private static String value(Function<String, String> property, String key, String dflt) {
        String v = property.apply(key);
        return v == null ? dflt : v;
    }
}

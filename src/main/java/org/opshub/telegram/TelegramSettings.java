package org.opshub.telegram;

import java.net.URI;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.Function;

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
 */
public record TelegramSettings(String token, String apiUrl, URI proxy, Set<Long> allowedChats, ZoneId zone,
        Duration maxDeliveryAge, boolean sendResolved, String botUsername, Duration pollTimeout, Duration httpTimeout) {

    /**
     * Reads the settings through {@code property} (a key → value lookup, null when unset).
     *
     * @throws IllegalArgumentException naming the property when a value is malformed
     */
    public static TelegramSettings from(Function<String, String> property) {
        String token = value(property, "telegram.token", "");
        String api = value(property, "telegram.api-url", "https://api.telegram.org").replaceAll("/+$", "");
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
        String zone = value(property, "telegram.timezone", "");
        return new TelegramSettings(token.strip(), api, proxy, Set.copyOf(allowed),
                zone.isBlank() ? ZoneId.systemDefault() : ZoneId.of(zone.strip()),
                Duration.parse(value(property, "telegram.max-delivery-age", "PT24H")),
                Boolean.parseBoolean(value(property, "telegram.send-resolved", "true")),
                value(property, "telegram.bot-username", "").strip().replaceFirst("^@", ""),
                Duration.parse(value(property, "telegram.poll-timeout", "PT25S")),
                Duration.parse(value(property, "telegram.http-timeout", "PT60S")));
    }

    /** Console mode: no token, messages are logged instead of sent. */
    public boolean consoleMode() {
        return token.isEmpty();
    }

    /** The URL of a Bot API method, token included: never log it. */
    public String methodUrl(String method) {
        return apiUrl + "/bot" + token + "/" + method;
    }

    /**
     * Chat ids written comma- or space-separated (a property such as {@code telegram.allowed-chats}
     * or {@code checks.chats}), in order, without repeats; empty for an empty text.
     *
     * @throws IllegalArgumentException naming {@code key} when an entry is not a chat id
     */
    public static Set<Long> chatIds(String key, String text) {
        Set<Long> ids = new LinkedHashSet<>();
        for (String id : (text == null ? "" : text).split("[,\\s]+")) {
            if (!id.isBlank()) {
                try {
                    ids.add(Long.parseLong(id.strip()));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(key + ": not a chat id: " + id);
                }
            }
        }
        return ids;
    }

    @Override
    public String toString() {
        return "TelegramSettings[api=" + apiUrl + ", token=" + (token.isEmpty() ? "none (console mode)" : "***")
                + ", proxy=" + (proxy == null ? "none" : proxy.getScheme() + "://" + proxy.getHost() + ":" + proxy.getPort())
                + ", allowedChats=" + Arrays.toString(allowedChats.toArray()) + ", zone=" + zone + "]";
    }

    private static String value(Function<String, String> property, String key, String dflt) {
        String v = property.apply(key);
        return v == null ? dflt : v;
    }
}

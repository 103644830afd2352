package org.opshub.config;

import java.util.Set;
import java.util.TreeSet;
import org.apache.camel.spi.PropertiesComponent;

/**
 * The property keys given for a per-name family ({@code mail.subscriptions.<name>.*},
 * {@code checks.maintenance.<name>.*}, …): from the property files, the override properties and
 * {@code -D} system properties, the places a family's names can come from.
 */
public final class GivenKeys {
    private GivenKeys() {}

    /** Every given key that starts with one of {@code prefixes}, sorted. */
    public static Set<String> startingWith(PropertiesComponent pc, String... prefixes) {
        Set<String> keys =
                new TreeSet<>(pc.loadProperties(k -> starts(k, prefixes)).stringPropertyNames());
        if (pc instanceof org.apache.camel.component.properties.PropertiesComponent impl
                && impl.getOverrideProperties() != null) {
            keys.addAll(impl.getOverrideProperties().stringPropertyNames());
        }
        keys.addAll(System.getProperties().stringPropertyNames());
        keys.removeIf(k -> !starts(k, prefixes));
        return keys;
    }

    private static boolean starts(String key, String... prefixes) {
        for (String p : prefixes) {
            if (key.startsWith(p)) {
                return true;
            }
        }
        return false;
    }
}

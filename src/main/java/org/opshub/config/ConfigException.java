package org.opshub.config;

/**
 * A property (or a file it names) that opshub cannot run with. Startup stops with one ERROR line
 * that names the key and the value's problem, and exit code 78 ({@code EX_CONFIG} of BSD
 * {@code sysexits.h}), so that a broken configuration never becomes a "healthy" hub that fails
 * later. Values that are secrets are never part of the message.
 */
public class ConfigException extends RuntimeException {
    /** Exit code of a process stopped by a configuration error ({@code EX_CONFIG}). */
    public static final int EXIT_CODE = 78;

    private final String key;

    /**
     * @param key     the property (or file field) at fault, e.g. {@code state.jdbc-url}
     * @param problem what is wrong with its value, for an operator
     */
    public ConfigException(String key, String problem) {
        super(key + ": " + problem);
        this.key = key;
    }

    /** For a settings class that already names the property in its message. */
    public ConfigException(String message, Throwable cause) {
        super(message, cause);
        this.key = "";
    }

    /** The property at fault; empty when the message alone names it. */
    public String key() {
        return key;
    }

    /** The first {@link ConfigException} in {@code e}'s cause chain, or null. */
    public static ConfigException in(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ConfigException c) {
                return c;
            }
        }
        return null;
    }
}

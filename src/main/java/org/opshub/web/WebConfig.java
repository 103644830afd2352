package org.opshub.web;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.opshub.config.ConfigException;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * The web configuration file of {@code opshub.web-config-file}, in the format of the Prometheus
 * exporter-toolkit ({@code prometheus/exporter-toolkit}, docs/web-configuration.md), so that the
 * file Prometheus, Alertmanager and the exporters take works here too:
 * <pre>
 * tls_server_config:
 *   cert_file: server.crt      # PEM, the certificate (chain) the hub presents
 *   key_file: server.key       # PEM, its private key (PKCS#8, PKCS#1 or SEC1)
 * basic_auth_users:
 *   prometheus: $2y$10$...     # bcrypt hash, as htpasswd -nBC 10 writes it
 * </pre>
 * Relative file names are resolved against the web config file's directory, as exporter-toolkit
 * does. Unknown keys are refused (a typo must not switch authentication off). Client
 * certificates ({@code client_ca_file}, {@code client_auth_type} other than {@code NoClientCert})
 * are refused too: Camel's embedded server cannot ask for them.
 *
 * @param file  the file read
 * @param tls   the certificate and key, or null for plain HTTP
 * @param users user name to bcrypt hash; empty: no authentication
 */
public record WebConfig(Path file, Tls tls, Map<String, String> users) {
    /** The property naming the file. */
    public static final String PROPERTY = "opshub.web-config-file";

    /** PEM certificate and key files of {@code tls_server_config}. */
    public record Tls(Path certFile, Path keyFile) {
    }

    private static final Set<String> TOP = Set.of("tls_server_config", "basic_auth_users", "http_server_config");
    private static final Set<String> TLS_KEYS = Set.of("cert_file", "key_file", "client_auth_type", "client_ca_file",
            "min_version", "max_version", "cipher_suites", "curve_preferences", "prefer_server_cipher_suites");

    /** No file: no TLS, no users. */
    public static WebConfig none() {
        return new WebConfig(null, null, Map.of());
    }

    /** Whether {@code basic_auth_users} lists anyone. */
    public boolean hasUsers() {
        return !users.isEmpty();
    }

    /**
     * Reads the file named by {@code opshub.web-config-file}; empty or null: {@link #none()}.
     *
     * @throws ConfigException naming the property or the file's field when the file cannot be
     *                         read, is not YAML of this format, names files that cannot be read,
     *                         or holds a value that is not a bcrypt hash
     */
    public static WebConfig load(String fileName) {
        if (fileName == null || fileName.isBlank()) {
            return none();
        }
        Path file = Path.of(fileName.strip()).toAbsolutePath();
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new ConfigException(PROPERTY, "cannot read " + file + " (" + e.getClass().getSimpleName() + ")");
        }
        Object root;
        try {
            root = new Load(LoadSettings.builder().setAllowDuplicateKeys(false).build()).loadFromString(text);
        } catch (YamlEngineException e) {
            throw new ConfigException(PROPERTY, file + " is not valid YAML: " + firstLine(e.getMessage()));
        }
        if (root == null) {
            return new WebConfig(file, null, Map.of());
        }
        Map<String, Object> top = map(root, file, "the top level");
        unknown(top, TOP, file, "");
        Tls tls = tls(top.get("tls_server_config"), file);
        Map<String, String> users = users(top.get("basic_auth_users"), file);
        return new WebConfig(file, tls, Map.copyOf(users));
    }

    private static Tls tls(Object node, Path file) {
        if (node == null) {
            return null;
        }
        Map<String, Object> m = map(node, file, "tls_server_config");
        unknown(m, TLS_KEYS, file, "tls_server_config.");
        String auth = string(m.get("client_auth_type"), file, "tls_server_config.client_auth_type");
        if (auth != null && !auth.equals("NoClientCert")) {
            throw new ConfigException(PROPERTY, file + ": tls_server_config.client_auth_type=" + auth
                    + " is not supported (the embedded server cannot request client certificates); use NoClientCert");
        }
        if (m.get("client_ca_file") != null) {
            throw new ConfigException(PROPERTY, file + ": tls_server_config.client_ca_file is not supported"
                    + " (the embedded server cannot request client certificates)");
        }
        String cert = string(m.get("cert_file"), file, "tls_server_config.cert_file");
        String key = string(m.get("key_file"), file, "tls_server_config.key_file");
        if (cert == null || key == null) {
            throw new ConfigException(PROPERTY, file + ": tls_server_config needs both cert_file and key_file");
        }
        return new Tls(readable(file, cert, "tls_server_config.cert_file"), readable(file, key, "tls_server_config.key_file"));
    }

    private static Map<String, String> users(Object node, Path file) {
        Map<String, String> users = new LinkedHashMap<>();
        if (node == null) {
            return users;
        }
        for (Map.Entry<String, Object> e : map(node, file, "basic_auth_users").entrySet()) {
            String hash = string(e.getValue(), file, "basic_auth_users." + e.getKey());
            if (e.getKey().contains(":")) {
                throw new ConfigException(PROPERTY, file + ": basic_auth_users: a user name cannot contain ':'");
            }
            if (hash == null || !hash.matches("\\$2[abxy]?\\$\\d\\d\\$[./A-Za-z0-9]{53}")) {
                throw new ConfigException(PROPERTY, file + ": basic_auth_users." + e.getKey()
                        + " is not a bcrypt hash ($2y$10$ followed by 53 characters, e.g. from htpasswd -nBC 10 user)");
            }
            users.put(e.getKey(), hash);
        }
        return users;
    }

    private static Path readable(Path file, String name, String field) {
        Path p = file.getParent() == null ? Path.of(name) : file.getParent().resolve(name);
        if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
            throw new ConfigException(PROPERTY, file + ": " + field + "=" + p + " cannot be read");
        }
        return p;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object node, Path file, String where) {
        if (!(node instanceof Map<?, ?> m)) {
            throw new ConfigException(PROPERTY, file + ": " + where + " must be a mapping");
        }
        for (Object k : m.keySet()) {
            if (!(k instanceof String)) {
                throw new ConfigException(PROPERTY, file + ": " + where + " has a key that is not a string: " + k);
            }
        }
        return (Map<String, Object>) m;
    }

    private static void unknown(Map<String, Object> m, Set<String> known, Path file, String prefix) {
        for (String k : m.keySet()) {
            if (!known.contains(k)) {
                throw new ConfigException(PROPERTY, file + ": unknown field " + prefix + k + " (known: "
                        + String.join(", ", known.stream().sorted().toList()) + ")");
            }
        }
    }

    private static String string(Object v, Path file, String field) {
        if (v == null) {
            return null;
        }
        if (v instanceof List<?> || v instanceof Map<?, ?>) {
            throw new ConfigException(PROPERTY, file + ": " + field + " must be a string");
        }
        return v.toString();
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("");
    }
}

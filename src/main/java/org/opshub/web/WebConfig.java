package org.opshub.web;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.net.ssl.SSLContext;
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
 * does. {@code tls_server_config.min_version}/{@code max_version} ({@code TLS12} and {@code TLS13}
 * by default), {@code cipher_suites} (TLS 1.2 suites; TLS 1.3's are always on; default: the
 * forward-secret AEAD suites of {@link #DEFAULT_SUITES}), {@code http_server_config.headers} (the
 * security headers of {@link #ALLOWED_HEADERS}, sent on every answer) and
 * {@code http_server_config.http2} are applied. Unknown keys are refused (a typo must not switch
 * authentication off), and so is every field the server cannot honour, each naming the field:
 * client certificates ({@code client_ca_file}, {@code client_auth_type} other than
 * {@code NoClientCert}: Camel's embedded server cannot ask for them), {@code curve_preferences}
 * and {@code prefer_server_cipher_suites}.
 *
 * @param file  the file read
 * @param tls   the certificate and key, or null for plain HTTP
 * @param users user name to bcrypt hash; empty: no authentication
 */
public record WebConfig(Path file, Tls tls, Map<String, String> users, Map<String, String> headers, Boolean http2) {
    /** The property naming the file. */
    public static final String PROPERTY = "opshub.web-config-file";

    /**
     * {@code tls_server_config}: PEM certificate and key files, the protocol versions (JSSE names,
     * {@code TLSv1.2}, {@code TLSv1.3}) and the cipher suites (JSSE names) the server enables.
     */
    public record Tls(Path certFile, Path keyFile, Set<String> protocols, List<String> cipherSuites) {
        /** The fields' defaults: the TLS 1.2 and 1.3 versions. */
        public Tls(Path certFile, Path keyFile) {
            this(certFile, keyFile, versions("TLS12", "TLS13"), DEFAULT_SUITES);
        }
    }

    /**
     * The cipher suites without {@code cipher_suites}: forward-secret (ECDHE) AEAD suites of TLS 1.2,
     * and TLS 1.3's, which are all of that kind (as exporter-toolkit, TLS 1.3's suites are not
     * configurable: they are always on while TLS 1.3 is).
     */
    public static final List<String> TLS13_SUITES =
            List.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256");

    public static final List<String> DEFAULT_SUITES = List.of(
            "TLS_AES_128_GCM_SHA256",
            "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    /** exporter-toolkit's version names and JSSE's. */
    private static final List<String> VERSIONS = List.of("TLS10", "TLS11", "TLS12", "TLS13");

    private static final List<String> JSSE_VERSIONS = List.of("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3");

    /**
     * The headers {@code http_server_config.headers} may set, as exporter-toolkit allows them
     * (security headers only; any other is refused).
     */
    public static final Set<String> ALLOWED_HEADERS = Set.of(
            "Strict-Transport-Security",
            "X-Frame-Options",
            "X-Content-Type-Options",
            "X-XSS-Protection",
            "Content-Security-Policy");

    private static final Set<String> TOP = Set.of("tls_server_config", "basic_auth_users", "http_server_config");
    private static final Set<String> TLS_KEYS = Set.of(
            "cert_file",
            "key_file",
            "client_auth_type",
            "client_ca_file",
            "min_version",
            "max_version",
            "cipher_suites",
            "curve_preferences",
            "prefer_server_cipher_suites");
    private static final Set<String> HTTP_KEYS = Set.of("headers", "http2");

    /** No file: no TLS, no users. */
    public static WebConfig none() {
        return new WebConfig(null, null, Map.of(), Map.of(), null);
    }

    private static Set<String> versions(String min, String max) {
        return Set.copyOf(JSSE_VERSIONS.subList(VERSIONS.indexOf(min), VERSIONS.indexOf(max) + 1));
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
            throw new ConfigException(
                    PROPERTY, "cannot read " + file + " (" + e.getClass().getSimpleName() + ")");
        }
        Object root;
        try {
            root = new Load(LoadSettings.builder().setAllowDuplicateKeys(false).build()).loadFromString(text);
        } catch (YamlEngineException e) {
            throw new ConfigException(PROPERTY, file + " is not valid YAML: " + firstLine(e.getMessage()));
        }
        if (root == null) {
            return new WebConfig(file, null, Map.of(), Map.of(), null);
        }
        Map<String, Object> top = map(root, file, "the top level");
        unknown(top, TOP, file, "");
        Tls tls = tls(top.get("tls_server_config"), file);
        Map<String, String> users = users(top.get("basic_auth_users"), file);
        Map<String, String> headers = new LinkedHashMap<>();
        Boolean http2 = null;
        if (top.get("http_server_config") != null) {
            Map<String, Object> http = map(top.get("http_server_config"), file, "http_server_config");
            unknown(http, HTTP_KEYS, file, "http_server_config.");
            if (http.get("headers") != null) {
                for (Map.Entry<String, Object> h : map(http.get("headers"), file, "http_server_config.headers")
                        .entrySet()) {
                    String name = ALLOWED_HEADERS.stream()
                            .filter(a -> a.equalsIgnoreCase(h.getKey()))
                            .findFirst()
                            .orElseThrow(() -> new ConfigException(
                                    PROPERTY,
                                    file + ": http_server_config.headers." + h.getKey() + " is not allowed (allowed: "
                                            + String.join(
                                                    ", ",
                                                    ALLOWED_HEADERS.stream()
                                                            .sorted()
                                                            .toList()) + ")"));
                    String value = string(h.getValue(), file, "http_server_config.headers." + h.getKey());
                    if (value == null || value.isBlank() || value.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
                        throw new ConfigException(
                                PROPERTY,
                                file + ": http_server_config.headers." + h.getKey()
                                        + " must be a non-empty value without control characters");
                    }
                    headers.put(name, value);
                }
            }
            if (http.get("http2") != null) {
                if (!(http.get("http2") instanceof Boolean b)) {
                    throw new ConfigException(PROPERTY, file + ": http_server_config.http2 must be true or false");
                }
                http2 = b;
            }
        }
        return new WebConfig(file, tls, Map.copyOf(users), Map.copyOf(headers), http2);
    }

    private static Tls tls(Object node, Path file) {
        if (node == null) {
            return null;
        }
        Map<String, Object> m = map(node, file, "tls_server_config");
        unknown(m, TLS_KEYS, file, "tls_server_config.");
        String auth = string(m.get("client_auth_type"), file, "tls_server_config.client_auth_type");
        if (auth != null && !auth.equals("NoClientCert")) {
            throw new ConfigException(
                    PROPERTY,
                    file + ": tls_server_config.client_auth_type=" + auth
                            + " is not supported (the embedded server cannot request client certificates); use NoClientCert");
        }
        if (m.get("client_ca_file") != null) {
            throw new ConfigException(
                    PROPERTY,
                    file + ": tls_server_config.client_ca_file is not supported"
                            + " (the embedded server cannot request client certificates)");
        }
        if (m.get("curve_preferences") != null) {
            throw new ConfigException(
                    PROPERTY,
                    file + ": tls_server_config.curve_preferences is not supported (the JDK's"
                            + " TLS engine cannot restrict key exchange groups for one server; remove the field, or set the JVM's"
                            + " jdk.tls.namedGroups system property)");
        }
        if (m.get("prefer_server_cipher_suites") != null) {
            throw new ConfigException(
                    PROPERTY,
                    file + ": tls_server_config.prefer_server_cipher_suites is not supported"
                            + " (the embedded server cannot set the suite order; Go ignores the field since 1.18 too): remove it");
        }
        String cert = string(m.get("cert_file"), file, "tls_server_config.cert_file");
        String key = string(m.get("key_file"), file, "tls_server_config.key_file");
        if (cert == null || key == null) {
            throw new ConfigException(PROPERTY, file + ": tls_server_config needs both cert_file and key_file");
        }
        String min = version(m.get("min_version"), file, "tls_server_config.min_version", "TLS12");
        String max = version(m.get("max_version"), file, "tls_server_config.max_version", "TLS13");
        if (VERSIONS.indexOf(min) > VERSIONS.indexOf(max)) {
            throw new ConfigException(
                    PROPERTY, file + ": tls_server_config.min_version=" + min + " is above max_version=" + max);
        }
        List<String> suites = DEFAULT_SUITES;
        if (m.get("cipher_suites") != null) {
            if (!(m.get("cipher_suites") instanceof List<?> list) || list.isEmpty()) {
                throw new ConfigException(
                        PROPERTY, file + ": tls_server_config.cipher_suites must be a non-empty list");
            }
            Set<String> supported = supportedSuites();
            List<String> chosen = new ArrayList<>(TLS13_SUITES);
            for (Object o : list) {
                String name = jsseSuite(String.valueOf(o).strip());
                if (!supported.contains(name) || TLS13_SUITES.contains(name)) {
                    throw new ConfigException(
                            PROPERTY,
                            file + ": tls_server_config.cipher_suites: " + o
                                    + " is not a TLS 1.2 cipher suite this JVM supports (names as in Go's crypto/tls, e.g."
                                    + " TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)");
                }
                chosen.add(name);
            }
            suites = List.copyOf(chosen);
        }
        return new Tls(
                readable(file, cert, "tls_server_config.cert_file"),
                readable(file, key, "tls_server_config.key_file"),
                versions(min, max),
                suites);
    }

    private static String version(Object v, Path file, String field, String fallback) {
        String s = string(v, file, field);
        if (s == null) {
            return fallback;
        }
        if (!VERSIONS.contains(s.strip())) {
            throw new ConfigException(
                    PROPERTY, file + ": " + field + "=" + s + " is not one of " + String.join(", ", VERSIONS));
        }
        return s.strip();
    }

    /** Go names the ChaCha20 suites without the {@code _SHA256} that IANA and JSSE give them. */
    static String jsseSuite(String name) {
        return name.endsWith("_CHACHA20_POLY1305") ? name + "_SHA256" : name;
    }

    private static Set<String> supportedSuites() {
        try {
            return Set.of(SSLContext.getDefault().getSupportedSSLParameters().getCipherSuites());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no TLS", e);
        }
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
                throw new ConfigException(
                        PROPERTY,
                        file + ": basic_auth_users." + e.getKey()
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
                throw new ConfigException(
                        PROPERTY,
                        file + ": unknown field " + prefix + k + " (known: "
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

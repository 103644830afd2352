package org.opshub.pacs;

import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.opshub.config.Settings;
import org.opshub.dicom.DicomNode;
import org.opshub.dicom.DicomTls;
import org.opshub.dicom.Pdu;
import org.opshub.dicom.ScuSettings;
import org.opshub.dicomweb.QidoClient;

/**
 * The PACS monitor's configuration, read from the {@code pacs.*} properties:
 * <pre>
 * pacs.calling-ae-title=OPSHUB         pacs.timezone= (system zone)   pacs.period=PT1M
 * pacs.nodes.&lt;node&gt;.host / .port / .ae-title / .max-results (0 = no cap)
 * pacs.nodes.&lt;node&gt;.tls=false / .tls-ca-file / .tls-cert-file / .tls-key-file / .tls-verify-hostname=true
 * pacs.nodes.&lt;node&gt;.qido-url / .qido-user / .qido-password / .qido-token / .qido-page-size=1000 / .qido-timeout=PT30S
 * pacs.forwarding.&lt;pair&gt;.source / .target (comma-separated for several) / .window / .settle
 * pacs.forwarding.&lt;pair&gt;.modalities / .exclude-modalities / .study-description
 *                        / .exclude-study-description / .since / .schedule ({@link ForwardingRule})
 * pacs.forwarding.&lt;pair&gt;.move-destination (target's AE) / .auto-resend=false / .max-attempts=3
 *                        / .min-age=PT15M / .max-moves-per-minute=5
 * pacs.move-timeout=PT10M
 * pacs.legacy-metrics=false            pacs.missing.include-patient=false
 * pacs.connect-timeout=PT5S  pacs.association-timeout=PT10S  pacs.dimse-timeout=PT30S
 * pacs.max-pdu-length=65536
 * </pre>
 *
 * @param checks one per (pair, target)
 */
public record PacsSettings(
        ZoneId zone,
        Duration period,
        Map<String, PacsNode> nodes,
        List<ForwardingCheck> checks,
        boolean legacyMetrics,
        boolean includePatient,
        ScuSettings scu,
        Duration moveTimeout,
        Scp scp) {

    /**
     * opshub's Storage Commitment SCP, {@code pacs.scp.*}: where archives send N-EVENT-REPORT.
     *
     * @param host            {@code pacs.scp.host}, the bind address (default 0.0.0.0)
     * @param port            {@code pacs.scp.port} (default 11113)
     * @param aeTitle         {@code pacs.scp.ae-title}, the called AE title it answers to (default
     *                        {@code pacs.calling-ae-title}: archives send the report to the AE that asked)
     * @param maxAssociations {@code pacs.scp.max-associations} (default 8)
     * @param idleTimeout     {@code pacs.scp.idle-timeout} (default PT60S)
     * @param tlsPort         {@code pacs.scp.tls-port}: a second listener over DICOM TLS for the nodes with
     *                        {@code tls=true} (0, the default: none)
     * @param tlsCaFile       {@code pacs.scp.tls-ca-file}: the CAs of the archives' client certificates
     * @param tlsCertFile     {@code pacs.scp.tls-cert-file} and {@code tls-key-file}: the SCP's certificate and key
     */
    public record Scp(
            String host,
            int port,
            String aeTitle,
            int maxAssociations,
            Duration idleTimeout,
            int tlsPort,
            Path tlsCaFile,
            Path tlsCertFile,
            Path tlsKeyFile) {}

    /** Whether some check asks for Storage Commitment (the SCP runs only then). */
    public boolean commitment() {
        return checks.stream().anyMatch(c -> c.commitment().enabled());
    }

    /**
     * Reads the settings.
     *
     * @param keys   every known property key (from files, system properties, environment)
     * @param lookup resolves a key to its effective value, or {@code null}
     * @throws IllegalArgumentException naming the property for any invalid or missing value
     */
    public static PacsSettings from(Collection<String> keys, Function<String, String> lookup) {
        Function<String, String> get = k -> {
            String v = lookup.apply(k);
            return v == null ? "" : v.trim();
        };
        String zoneName = get.apply("pacs.timezone");
        ZoneId zone;
        try {
            zone = zoneName.isEmpty() ? ZoneId.systemDefault() : ZoneId.of(zoneName);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("pacs.timezone=" + zoneName + " is not an IANA zone id");
        }
        String aet = get.apply("pacs.calling-ae-title");
        ScuSettings scu;
        try {
            scu = new ScuSettings(
                    aet.isEmpty() ? "OPSHUB" : aet,
                    duration(get, "pacs.connect-timeout", "PT5S"),
                    duration(get, "pacs.association-timeout", "PT10S"),
                    duration(get, "pacs.dimse-timeout", "PT30S"),
                    integer(get, "pacs.max-pdu-length", 65536),
                    16 << 20,
                    duration(get, "pacs.find-timeout", "PT5M"),
                    integer(get, "pacs.max-matches", 100_000));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("pacs settings: " + e.getMessage());
        }

        Map<String, PacsNode> nodes = new LinkedHashMap<>();
        for (String name : names(keys, "pacs.nodes.")) {
            String p = "pacs.nodes." + name + ".";
            String host = get.apply(p + "host");
            String ae = get.apply(p + "ae-title");
            QidoClient qido = PacsNodeSettings.qido(get, p, scu);
            if ((host.isEmpty() || ae.isEmpty()) && qido == null) {
                throw new IllegalArgumentException(
                        p + "host and " + p + "ae-title are required (or " + p + "qido-url)");
            }
            DicomTls tls = PacsNodeSettings.tls(get, p);
            try {
                nodes.put(
                        name,
                        new PacsNode(
                                name,
                                host.isEmpty() && ae.isEmpty()
                                        ? null
                                        : new DicomNode(ae, host, integer(get, p + "port", 104), tls),
                                integer(get, p + "max-results", 0),
                                qido));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("pacs.nodes." + name + ": " + e.getMessage());
            }
        }

        Scp scp = scp(get, scu);
        List<ForwardingCheck> checks = new ArrayList<>();
        for (String pair : names(keys, "pacs.forwarding.")) {
            String p = "pacs.forwarding." + pair + ".";
            String source = get.apply(p + "source");
            requireNode(nodes, source, p + "source");
            StudyWindow window;
            try {
                window = StudyWindow.parse(get.apply(p + "window"));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(p + "window: " + e.getMessage());
            }
            Duration settle = duration(get, p + "settle", "PT5M");
            String auto = get.apply(p + "auto-resend");
            if (!auto.isEmpty() && !auto.equalsIgnoreCase("true") && !auto.equalsIgnoreCase("false")) {
                throw new IllegalArgumentException(p + "auto-resend=" + auto + " is not true or false");
            }
            int attempts = integer(get, p + "max-attempts", 3);
            int perMinute = integer(get, p + "max-moves-per-minute", 5);
            if (attempts < 1 || perMinute < 1) {
                throw new IllegalArgumentException(
                        (attempts < 1 ? p + "max-attempts=" + attempts : p + "max-moves-per-minute=" + perMinute)
                                + " must be at least 1");
            }
            Duration minAge = duration(get, p + "min-age", "PT15M");
            String destination = get.apply(p + "move-destination");
            if (!destination.isEmpty()) {
                try {
                    Pdu.checkAeTitle(destination);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(p + "move-destination=" + destination + ": " + e.getMessage());
                }
            }
            ForwardingRule rule = ForwardingRule.from(p, get, zone);
            int retries = integer(get, p + "commitment-retries", 3);
            if (retries < 1) {
                throw new IllegalArgumentException(p + "commitment-retries=" + retries + " must be at least 1");
            }
            ForwardingCheck.Commitment commitment = new ForwardingCheck.Commitment(
                    Settings.bool(get, p + "commitment", false),
                    duration(get, p + "commitment-timeout", "PT10M"),
                    retries);
            for (String target : get.apply(p + "target").split(",")) {
                requireNode(nodes, target.trim(), p + "target");
                PacsNode t = nodes.get(target.trim());
                ForwardingCheck.Resend resend = new ForwardingCheck.Resend(
                        !destination.isEmpty()
                                ? destination
                                : t.dicom() == null ? null : t.dicom().aeTitle(),
                        Settings.bool(get, p + "auto-resend", false),
                        attempts,
                        minAge,
                        perMinute);
                checks.add(new ForwardingCheck(pair, source, target.trim(), window, settle, resend, rule, commitment));
                if (commitment.enabled() && t.dicom() != null && t.dicom().tls() != null && scp.tlsPort() == 0) {
                    throw new IllegalArgumentException(p + "commitment=true: target " + target.trim()
                            + " has tls=true and reports over DICOM TLS; set pacs.scp.tls-port with"
                            + " pacs.scp.tls-ca-file, tls-cert-file and tls-key-file");
                }
                if (commitment.enabled() && t.dicom() == null) {
                    throw new IllegalArgumentException(p + "commitment=true needs a DIMSE target: " + target.trim()
                            + " has no pacs.nodes." + target.trim() + ".host / .ae-title");
                }
            }
        }
        return new PacsSettings(
                zone,
                duration(get, "pacs.period", "PT1M"),
                nodes,
                checks,
                Settings.bool(get, "pacs.legacy-metrics"),
                Settings.bool(get, "pacs.missing.include-patient"),
                scu,
                duration(get, "pacs.move-timeout", "PT10M"),
                scp);
    }

    private static Scp scp(Function<String, String> get, ScuSettings scu) {
        String ae = get.apply("pacs.scp.ae-title");
        try {
            Pdu.checkAeTitle(ae.isEmpty() ? scu.callingAeTitle() : ae);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("pacs.scp.ae-title=" + ae + ": " + e.getMessage());
        }
        String host = get.apply("pacs.scp.host");
        int port = integer(get, "pacs.scp.port", 11113);
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("pacs.scp.port=" + port + " is not 1-65535");
        }
        int max = integer(get, "pacs.scp.max-associations", 8);
        if (max < 1) {
            throw new IllegalArgumentException("pacs.scp.max-associations=" + max + " must be at least 1");
        }
        int tlsPort = integer(get, "pacs.scp.tls-port", 0);
        if (tlsPort > 65535 || tlsPort != 0 && tlsPort == port) {
            throw new IllegalArgumentException(
                    "pacs.scp.tls-port=" + tlsPort + " must be 1-65535 and not pacs.scp.port (0: no TLS listener)");
        }
        Path[] files = new Path[3];
        String[] names = {"pacs.scp.tls-ca-file", "pacs.scp.tls-cert-file", "pacs.scp.tls-key-file"};
        for (int i = 0; i < 3; i++) {
            String f = get.apply(names[i]);
            if (tlsPort > 0 && f.isEmpty()) {
                throw new IllegalArgumentException(names[i] + " is required with pacs.scp.tls-port=" + tlsPort);
            }
            files[i] = f.isEmpty() ? null : Path.of(f);
        }
        return new Scp(
                host.isEmpty() ? "0.0.0.0" : host,
                port,
                ae.isEmpty() ? scu.callingAeTitle() : ae,
                max,
                duration(get, "pacs.scp.idle-timeout", "PT60S"),
                tlsPort,
                files[0],
                files[1],
                files[2]);
    }

    private static void requireNode(Map<String, PacsNode> nodes, String name, String key) {
        if (name.isEmpty() || !nodes.containsKey(name)) {
            throw new IllegalArgumentException(
                    key + "=" + name + " names no node of pacs.nodes.*" + " (known: " + nodes.keySet() + ")");
        }
    }

    /** Sub-names below a prefix: {@code pacs.nodes.src.host} → {@code src}. */
    private static TreeSet<String> names(Collection<String> keys, String prefix) {
        TreeSet<String> names = new TreeSet<>();
        for (String k : keys) {
            if (k.startsWith(prefix)) {
                String rest = k.substring(prefix.length());
                int dot = rest.indexOf('.');
                if (dot > 0) {
                    names.add(rest.substring(0, dot));
                }
            }
        }
        return names;
    }

    static Duration duration(Function<String, String> get, String key, String def) {
        String v = get.apply(key);
        try {
            Duration d = Duration.parse(v.isEmpty() ? def : v);
            if (d.isNegative()) {
                throw new IllegalArgumentException();
            }
            return d;
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(
                    key + "=" + v + " is not a non-negative ISO-8601 duration such as PT30S");
        }
    }

    static int integer(Function<String, String> get, String key, int def) {
        String v = get.apply(key);
        try {
            int i = v.isEmpty() ? def : Integer.parseInt(v);
            if (i < 0) {
                throw new IllegalArgumentException();
            }
            return i;
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(key + "=" + v + " is not a non-negative whole number");
        }
    }

    /**
     * Every {@code pacs.*} key: from the property files ({@code fileKeys}), from {@code -D} system
     * properties, and from environment variables named like {@code PACS_NODES_ARCHIVE_HOST} (upper
     * case, dots and dashes as underscores; the node or pair name is taken in lower case).
     */
    public static Set<String> keys(Set<String> fileKeys, Properties system, Map<String, String> env) {
        Set<String> keys = new TreeSet<>(fileKeys);
        system.stringPropertyNames().stream().filter(k -> k.startsWith("pacs.")).forEach(keys::add);
        for (String k : env.keySet()) {
            if (k.startsWith("PACS_NODES_")) {
                keys.add(envKey("pacs.nodes.", k.substring("PACS_NODES_".length()), NODE_KEYS));
            } else if (k.startsWith("PACS_FORWARDING_")) {
                keys.add(envKey("pacs.forwarding.", k.substring("PACS_FORWARDING_".length()), PAIR_KEYS));
            }
        }
        keys.remove("");
        return keys;
    }

    /**
     * The keys of one node, {@code pacs.nodes.<node>.<key>}; longer keys first, so that an environment
     * variable ending in {@code _TLS_CA_FILE} is not read as {@code _TLS}. The one list the settings,
     * the environment mapping and the unknown-key check read.
     */
    public static final List<String> NODE_KEYS = List.of(
            "tls-verify-hostname",
            "tls-cert-file",
            "tls-key-file",
            "tls-ca-file",
            "tls",
            "host",
            "port",
            "ae-title",
            "max-results",
            "qido-url",
            "qido-user",
            "qido-password",
            "qido-token",
            "qido-page-size",
            "qido-timeout");

    /** The keys of one forwarding pair, {@code pacs.forwarding.<pair>.<key>}. */
    public static final List<String> PAIR_KEYS = List.of(
            "source",
            "target",
            "window",
            "settle",
            "move-destination",
            "auto-resend",
            "max-attempts",
            "min-age",
            "max-moves-per-minute",
            // exclude-* before the key they end with, for the environment mapping
            "exclude-modalities",
            "modalities",
            "exclude-study-description",
            "study-description",
            "since",
            "schedule",
            // commitment-* before commitment, for the environment mapping
            "commitment-timeout",
            "commitment-retries",
            "commitment");

    private static String envKey(String prefix, String rest, List<String> keys) {
        for (String key : keys) {
            String f = key.toUpperCase(Locale.ROOT).replace('-', '_');
            if (rest.endsWith("_" + f) && rest.length() > f.length() + 1) {
                String name = rest.substring(0, rest.length() - f.length() - 1).toLowerCase(Locale.ROOT);
                return prefix + name + "." + key;
            }
        }
        return "";
    }
}

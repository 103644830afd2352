package org.opshub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opshub.checks.CheckYaml;
import org.opshub.telegram.AlertDeliveryTestAccess;

/**
 * A configuration opshub cannot run with stops startup with exit code 78 (EX_CONFIG) and one ERROR
 * line naming the property; every JDBC URL form the README documents starts. The failing cases
 * run the real main class in a process of their own, from a working directory with the real
 * routes and templates.
 */
class ConfigErrorsTest {
    @TempDir
    Path work;

    /** Runs {@code org.opshub.OpsHub} with these system properties; returns exit code and output. */
    private Object[] run(List<String> props) throws Exception {
        copy(Path.of("routes"), work.resolve("routes"));
        copy(Path.of("templates"), work.resolve("templates"));
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                "-Dcamel.server.port=" + HubRunner.freePort(),
                "-Dcamel.server.host=127.0.0.1",
                "-Dstate.directory=" + work.resolve("data")));
        props.forEach(p -> cmd.add("-D" + p));
        cmd.add("org.opshub.OpsHub");
        Process p = new ProcessBuilder(cmd)
                .directory(work.toFile())
                .redirectErrorStream(true)
                .start();
        byte[] out = p.getInputStream().readAllBytes();
        boolean ended = p.waitFor(60, TimeUnit.SECONDS);
        if (!ended) {
            p.destroyForcibly();
        }
        return new Object[] {ended ? p.exitValue() : -1, new String(out, StandardCharsets.UTF_8)};
    }

    private static void copy(Path from, Path to) throws IOException {
        if (Files.exists(to)) {
            return;
        }
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : files.toList()) {
                Path t = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(f, t);
                }
            }
        }
    }

    private void assertRefused(String key, String problem, String... props) throws Exception {
        Object[] r = run(List.of(props));
        String out = (String) r[1];
        assertTrue(!out.contains("hunter2"), "a password in the output: " + out);
        assertEquals(78, r[0], out);
        List<String> errors = out.lines().filter(l -> l.contains(" ERROR ")).toList();
        assertEquals(1, errors.size(), "one ERROR line: " + out);
        assertTrue(
                errors.get(0).contains("Invalid configuration, not starting: ")
                        && errors.get(0).contains(key)
                        && errors.get(0).contains(problem),
                errors.get(0));
    }

    @Test
    void eachBadSettingStopsStartupWithExit78NamingIt() throws Exception {
        assertRefused("state.jdbc-url", "is not supported", "state.jdbc-url=jdbc:mysql://db/hub?password=hunter2");
        assertRefused("opshub.web-config-file", "cannot read", "opshub.web-config-file=" + work.resolve("nowhere.yml"));
        Files.writeString(work.resolve("web.yml"), "tls_server_config:\n  cert_file: gone.crt\n  key_file: gone.key\n");
        assertRefused(
                "tls_server_config.cert_file", "cannot be read", "opshub.web-config-file=" + work.resolve("web.yml"));
        Files.writeString(work.resolve("typo.yml"), "basic_auth_user:\n  prom: x\n");
        assertRefused("unknown field basic_auth_user", "known:", "opshub.web-config-file=" + work.resolve("typo.yml"));
        assertRefused("telegram.alert-template", "cannot be read", "telegram.alert-template=templates/none.txt");
        assertRefused("pacs.period", "not a non-negative ISO-8601 duration", "pacs.period=banana");
        assertRefused("state.query-timeout", "not a positive duration", "state.query-timeout=soon");
        assertRefused("telegram.max-delivery-age", "not a positive duration", "telegram.max-delivery-age=a day");
        assertRefused("checks.timezone", "not an IANA zone id", "checks.timezone=Mars/Olympus");
        assertRefused("checks.log-interval", "not a positive duration", "checks.log-interval=0s");
        assertRefused("checks.chats", "not a chat id or chat id:topic id: -100123:seven", "checks.chats=-100123:seven");
        assertRefused("telegram.quiet-hours", "\"maybe\" is not true or false", "telegram.quiet-hours=maybe");
        assertRefused("telegram.language", "\"de\" is not one of [en, ru]", "telegram.language=de");
        assertRefused("telegram.ack-users", "not a user id: @anna", "telegram.ack-users=777,@anna");
        assertRefused(
                "telegram.texts-directory",
                "messages_en.properties cannot be read",
                "telegram.texts-directory=nowhere");
        assertRefused("alertmanager.ack-silence", "not a positive duration", "alertmanager.ack-silence=forever");
        assertRefused("alertmanager.max-alerts", "not a whole number", "alertmanager.max-alerts=many");
        assertRefused(
                "telegram.resend-chats",
                "is not in telegram.allowed-chats",
                "telegram.allowed-chats=1,2",
                "telegram.resend-chats=3");
        assertRefused(
                "pacs.forwarding.main.target=nowhere",
                "names no node",
                "pacs.nodes.src.host=127.0.0.1",
                "pacs.nodes.src.ae-title=SRC",
                "pacs.forwarding.main.source=src",
                "pacs.forwarding.main.target=nowhere");
        // Storage Commitment's SCP cannot listen where it is told: a broken config, not a hub that never hears reports
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertRefused(
                    "pacs.scp.port=" + taken.getLocalPort(),
                    "the Storage Commitment SCP cannot listen there",
                    "pacs.nodes.src.host=127.0.0.1",
                    "pacs.nodes.src.ae-title=SRC",
                    "pacs.forwarding.main.source=src",
                    "pacs.forwarding.main.target=src",
                    "pacs.forwarding.main.commitment=true",
                    "pacs.scp.host=127.0.0.1",
                    "pacs.scp.port=" + taken.getLocalPort());
        }
        // a forwarding rule that cannot be read is never "everything": it stops startup naming its key
        assertRefused(
                "pacs.forwarding.main.modalities",
                "CT-SCAN is not a DICOM modality code",
                "pacs.nodes.src.host=127.0.0.1",
                "pacs.nodes.src.ae-title=SRC",
                "pacs.forwarding.main.source=src",
                "pacs.forwarding.main.target=src",
                "pacs.forwarding.main.modalities=CT-SCAN");
        assertRefused(
                "pacs.forwarding.main.schedule",
                "must be [days] HH:mm-HH:mm",
                "pacs.nodes.src.host=127.0.0.1",
                "pacs.nodes.src.ae-title=SRC",
                "pacs.forwarding.main.source=src",
                "pacs.forwarding.main.target=src",
                "pacs.forwarding.main.schedule=weekdays");
        Files.writeString(work.resolve("routes").resolve("checks.yaml"), """
                - templatedRoute:
                    routeTemplateRef: http-check
                    routeId: check-license
                    parameters:
                      - {name: name, value: license}
                      - {name: url, value: "http://127.0.0.1:9/"}
                      - {name: bodyRegexp, value: "(valid"}
                """);
        assertRefused("routes/checks.yaml check-license", "parameter bodyRegexp is not a valid RE2 regular expression");
    }

    /** A tcp-check for the dependency cases: {@code name} depending on {@code dependsOn}. */
    private static String tcpCheck(String name, String dependsOn) {
        return CheckYaml.entry("tcp-check", name, "host", "127.0.0.1", "port", "9", "dependsOn", dependsOn);
    }

    @Test
    void aDependencyCycleOrAnUnknownDependsOnOrABadMaintenanceWindowStopsStartupNamingIt() throws Exception {
        Path checks = work.resolve("routes").resolve("checks.yaml");
        copy(Path.of("routes"), work.resolve("routes"));
        Files.writeString(
                checks, tcpCheck("gateway", "uplink") + tcpCheck("uplink", "pacs") + tcpCheck("pacs", "gateway"));
        assertRefused("routes dependsOn", "check gateway: dependsOn makes a cycle: gateway → uplink → pacs → gateway");
        Files.writeString(checks, tcpCheck("gateway", " ") + tcpCheck("pacs", "gateway, gatway"));
        assertRefused("routes dependsOn", "check pacs: dependsOn names gatway, which is not a check");
        Files.writeString(checks, tcpCheck("gateway", " ") + tcpCheck("pacs", "gateway"));
        assertRefused(
                "checks.maintenance.night.checks",
                "names ris, which is not a check",
                "checks.maintenance.night.checks=pacs,ris");
        assertRefused(
                "checks.maintenance.night.silence-alerts",
                "a silence needs Alertmanager's API (alertmanager.api-url)",
                "checks.maintenance.night.checks=pacs",
                "checks.maintenance.night.silence-alerts=instance=pacs");
        assertRefused(
                "checks.maintenance.night.schedul",
                "did you mean checks.maintenance.night.schedule?",
                "checks.maintenance.night.checks=pacs",
                "checks.maintenance.night.schedul=SUN 01:00-03:00");
        assertRefused("checks.maintenance-interval", "not a positive duration", "checks.maintenance-interval=often");
    }

    @Test
    void unknownKeysUnderOpshubsPrefixesStopStartupNamingTheNearestKnownKey() throws Exception {
        assertRefused("pacs.nodes.src.hots", "did you mean pacs.nodes.src.host?", "pacs.nodes.src.hots=127.0.0.1");
        assertRefused(
                "alertmanager.bearer_token",
                "did you mean alertmanager.bearer-token?",
                "alertmanager.bearer_token=hunter2");
        assertRefused("pacs.nodes.archive.tsl", "did you mean pacs.nodes.archive.tls?", "pacs.nodes.archive.tsl=true");
        assertRefused("telegram.tokn", "did you mean telegram.token?", "telegram.tokn=123:hunter2");
        assertRefused(
                "pacs.forwarding.main.auto-resnd",
                "did you mean pacs.forwarding.main.auto-resend?",
                "pacs.forwarding.main.auto-resnd=true");
    }

    @Test
    void booleansAcceptOnlyTrueOrFalseAndThePortIsValidatedByOpshub() throws Exception {
        assertRefused(
                "telegram.send-resolved", "\"yes please\" is not true or false", "telegram.send-resolved=yes please");
        assertRefused("cloudflare.legacy-metrics", "\"1\" is not true or false", "cloudflare.legacy-metrics=1");
        assertRefused("pacs.missing.include-patient", "\"on\" is not true or false", "pacs.missing.include-patient=on");
        assertRefused("telegram.take-over-webhook", "\"yes\" is not true or false", "telegram.take-over-webhook=yes");
        assertRefused(
                "camel.server.port", "\"99999\" is not a whole number from 1 to 65535", "camel.server.port=99999");
    }

    @Test
    void aProxyPoolEntryThatIsNoProxyStopsStartupWithoutShowingItsPassword() throws Exception {
        assertRefused(
                "telegram.proxies",
                "entries must be http://host:port, https://host:port or socks5://host:port (credentials as user:password@"
                        + " before the host), or direct: ftp://***@10.0.0.1:21",
                "telegram.proxies=socks5://127.0.0.1:1080, ftp://ops:hunter2@10.0.0.1:21");
    }

    @Test
    void badMailSettingsAndFallbackAddressesStopStartupNamingTheKey() throws Exception {
        assertRefused("mail.security", "must be none, starttls or smtps", "mail.security=ssl");
        assertRefused(
                "telegram.fallback.77",
                "not an e-mail address: ops(at)clinic.ru",
                "telegram.allowed-chats=77",
                "telegram.fallback.77=ops(at)clinic.ru");
        assertRefused(
                "mail.subscriptions.noc.adress",
                "did you mean mail.subscriptions.noc.address?",
                "mail.subscriptions.noc.adress=noc@clinic.ru");
    }

    @Test
    void grafanaNamespaceMustBeAKubernetesNamespaceName() throws Exception {
        assertRefused(
                "grafana.namespace",
                "must be a Kubernetes namespace name",
                "grafana.url=http://127.0.0.1:9",
                "grafana.namespace=Org 2/../x");
    }

    @Test
    void everyDocumentedH2UrlFormStartsAndStoresAlerts() throws Exception {
        for (String url : List.of(
                "jdbc:h2:file:" + work.resolve("hub-file"),
                "jdbc:h2:mem:hub-mem;DB_CLOSE_DELAY=-1",
                "jdbc:h2:" + work.resolve("hub-plain"))) {
            try (HubRunner hub = new HubRunner(Map.of("state.jdbc-url", url, "state.jdbc-user", "sa"))) {
                byte[] body = AlertDeliveryTestAccess.payload("UrlForm", "2026-11-21T13:00:00Z");
                HttpResponse<String> r = hub.postAlerts(body);
                assertEquals(200, r.statusCode(), url + ": " + r.body());
                assertEquals(200, hub.get("/observe/health/ready").statusCode(), url);
            }
        }
    }
}

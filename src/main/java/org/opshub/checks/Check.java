package org.opshub.checks;

import java.time.Duration;
import java.util.List;
import org.opshub.http.Durations;

/**
 * One service check: the parameters of its route template ({@code routes/service-checks.yaml}),
 * bound by the template as a route-local bean named {@code check}, and the probe of its type.
 * Every probe returns a {@link Probed}: this check and the {@link ProbeResult}, which the
 * {@code check-result} route hands to {@link ServiceChecks#record}. A template sets only the
 * parameters its type uses; values were validated by {@link CheckParameters} before the route
 * was created.
 */
public final class Check {
    private static final Probes PROBES = new Probes();
    private String name;
    private String type;
    private String target;
    private int failureThreshold = 3;
    private int successThreshold = 1;
    private String reminderInterval = "off";
    private boolean urgent;
    private String host;
    private int port;
    private String send;
    private String expect;
    private String timeout;
    private String path;
    private double maxUsedPercent = 90;
    private String validStatus = "2xx";
    private String jsonPath;
    private String expected;
    private String bodyRegexp;
    private List<String> dependsOn = List.of();

    /**
     * A probe of a check.
     *
     * @param check  the check probed
     * @param result what the probe saw
     */
    public record Probed(Check check, ProbeResult result) {}

    /** TCP: connect to host:port, write {@code send}, wait for {@code expect} ({@link Probes#tcp}). */
    public Probed tcp() {
        return new Probed(this, PROBES.tcp(host, port, send, expect, timeout));
    }

    /** ICMP echo, or TCP port 7 without CAP_NET_RAW ({@link Probes#ping}). */
    public Probed ping() {
        return new Probed(this, PROBES.ping(host, timeout));
    }

    /** Disk usage of {@code path} against {@code maxUsedPercent} ({@link Probes#disk}). */
    public Probed disk() {
        return new Probed(this, PROBES.disk(path, maxUsedPercent));
    }

    /**
     * Judges an HTTP answer: its status (0 when none), its body (may be null) and the milliseconds the
     * probe took; status, JsonPath and body regexp as {@link Probes#http}.
     */
    public Probed http(int status, String body, long elapsedMs) {
        return new Probed(
                this, PROBES.http(status, body, elapsedMs / 1000.0, validStatus, jsonPath, expected, bodyRegexp));
    }

    /** A probe that threw {@code cause} (may be null) after {@code elapsedMs}: a failure naming it ({@link Probes#failure}). */
    public Probed failure(Throwable cause, long elapsedMs) {
        return new Probed(this, PROBES.failure(cause, elapsedMs / 1000.0));
    }

    /** The checks this one depends on (template parameter {@code dependsOn}); empty: none. */
    public List<String> dependsOn() {
        return dependsOn;
    }

    /** {@code dependsOn}: check names, comma- or blank-separated ({@link CheckGraph#names}). */
    public void setDependsOn(String dependsOn) {
        this.dependsOn = CheckGraph.names(dependsOn);
    }

    /** The check's name: route {@code check-<name>}, metric label {@code check}. */
    public String name() {
        return name;
    }

    /** {@code tcp}, {@code http}, {@code ping} or {@code disk}. */
    public String type() {
        return type;
    }

    /** What is probed, as shown ({@code host:port}, {@code GET url}, a path); redacted where shown. */
    public String target() {
        return target;
    }

    /** Failed probes in a row before DOWN. */
    public int failureThreshold() {
        return Math.max(1, failureThreshold);
    }

    /** Good probes in a row before RECOVERED. */
    public int successThreshold() {
        return Math.max(1, successThreshold);
    }

    /** How often a DOWN notification is repeated; null: never ({@code off}). */
    public Duration reminder() {
        return reminderInterval == null
                        || reminderInterval.isBlank()
                        || "off".equalsIgnoreCase(reminderInterval.strip())
                ? null
                : Durations.parse(reminderInterval.strip());
    }

    public void setName(String name) {
        this.name = name;
    }

    public void setType(String type) {
        this.type = type;
    }

    public void setTarget(String target) {
        this.target = target;
    }

    public void setFailureThreshold(int failureThreshold) {
        this.failureThreshold = failureThreshold;
    }

    public void setSuccessThreshold(int successThreshold) {
        this.successThreshold = successThreshold;
    }

    public void setReminderInterval(String reminderInterval) {
        this.reminderInterval = reminderInterval;
    }

    /** Whether notifications ignore the notify window (quiet hours): the {@code urgent} parameter. */
    public boolean urgent() {
        return urgent;
    }

    public void setUrgent(boolean urgent) {
        this.urgent = urgent;
    }

    public void setHost(String host) {
        this.host = host;
    }

    public void setPort(int port) {
        this.port = port;
    }

    public void setSend(String send) {
        this.send = send;
    }

    public void setExpect(String expect) {
        this.expect = expect;
    }

    public void setTimeout(String timeout) {
        this.timeout = timeout;
    }

    public void setPath(String path) {
        this.path = path;
    }

    public void setMaxUsedPercent(double maxUsedPercent) {
        this.maxUsedPercent = maxUsedPercent;
    }

    public void setValidStatus(String validStatus) {
        this.validStatus = validStatus;
    }

    public void setJsonPath(String jsonPath) {
        this.jsonPath = jsonPath;
    }

    public void setExpected(String expected) {
        this.expected = expected;
    }

    public void setBodyRegexp(String bodyRegexp) {
        this.bodyRegexp = bodyRegexp;
    }
}

package org.opshub.pacs;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.core.metrics.Info;
import java.time.Instant;
import java.util.function.ToDoubleFunction;

/**
 * The PACS capability's meters on a Micrometer registry (Prometheus exposition): the monitor's gauges,
 * and the re-send counters ({@link #resend}, {@link #resentInstances}). Values
 * are read from {@link PacsState} at scrape time; nothing here holds values itself, so the
 * gauges survive route reloads. Labels are node and check names only, never patient data.
 */
final class PacsMetrics {
    private PacsMetrics() {}

    static void register(MeterRegistry registry, PacsSettings settings, PacsState state) {
        info(registry, settings);
        for (PacsNode node : settings.nodes().values()) {
            PacsState.Node n = state.node(node.name());
            Tags tags = Tags.of("pacs", node.name());
            gauge(
                    registry,
                    "pacs_up",
                    "1 when the last C-ECHO to the PACS node succeeded, else 0",
                    tags,
                    n,
                    x -> x.up() ? 1 : 0);
            gauge(
                    registry,
                    "pacs_echo_duration_seconds",
                    "Duration of the last C-ECHO (association, echo, release), seconds",
                    tags,
                    n,
                    x -> x.echoSeconds);
            if (settings.legacyMetrics() && node.dicom() != null) {
                gauge(
                        registry,
                        "pacs_server_up",
                        "Legacy: 1 when the last C-ECHO succeeded",
                        Tags.of(
                                "IP",
                                node.dicom().host(),
                                "AET",
                                node.dicom().aeTitle(),
                                "port",
                                Integer.toString(node.dicom().port())),
                        n,
                        x -> x.up() ? 1 : 0);
            }
        }
        for (ForwardingCheck check : settings.checks()) {
            PacsState.Check c = state.check(check.key());
            Tags tags = Tags.of("source", check.source(), "target", check.target());
            gauge(
                    registry,
                    "pacs_forwarding_source_studies",
                    "Studies in the window on the source PACS",
                    tags,
                    c,
                    x -> x.last == null ? 0 : x.last.sourceStudies());
            gauge(
                    registry,
                    "pacs_forwarding_missing_studies",
                    "Settled studies of the window on the source that are absent from the target",
                    tags,
                    c,
                    x -> x.last == null ? 0 : x.last.missing().size());
            gauge(
                    registry,
                    "pacs_forwarding_incomplete_studies",
                    "Settled studies on both with fewer related instances on the target",
                    tags,
                    c,
                    x -> x.last == null ? 0 : x.last.incomplete().size());
            gauge(
                    registry,
                    "pacs_forwarding_excluded_studies",
                    "Studies in the window on the source that the pair's rule does not forward (modalities,"
                            + " study description, since, schedule); by condition in /pacs/missing",
                    tags,
                    c,
                    x -> x.excluded.values().stream()
                            .mapToInt(Integer::intValue)
                            .sum());
            gauge(
                    registry,
                    "pacs_forwarding_oldest_missing_age_seconds",
                    "Seconds since the oldest missing study was first seen on the source; 0 when none",
                    tags,
                    c,
                    x -> {
                        Instant oldest = x.last == null ? null : x.last.oldestMissing();
                        return oldest == null
                                ? 0
                                : Math.max(0, (System.currentTimeMillis() - oldest.toEpochMilli()) / 1000.0);
                    });
            gauge(
                    registry,
                    "pacs_forwarding_date_mismatch_studies",
                    "Studies of the source's window that the target has under another StudyDate or StudyTime"
                            + " (found by StudyInstanceUID outside the window): present, not missing",
                    tags,
                    c,
                    x -> x.dateMismatch);
            gauge(
                    registry,
                    "pacs_forwarding_check_find_requests",
                    "C-FIND requests of the last reconciliation (window, confirmation by UID, series), both sides",
                    tags,
                    c,
                    x -> x.sourceQueries + x.targetQueries);
            gauge(
                    registry,
                    "pacs_forwarding_check_success",
                    "1 when the last reconciliation succeeded, else 0",
                    tags,
                    c,
                    x -> x.success ? 1 : 0);
            gauge(
                    registry,
                    "pacs_forwarding_check_duration_seconds",
                    "Duration of the last reconciliation (both C-FINDs and the comparison), seconds",
                    tags,
                    c,
                    x -> x.durationSeconds);
            gauge(
                    registry,
                    "pacs_forwarding_last_success_timestamp_seconds",
                    "Unix time of the last successful reconciliation, seconds",
                    tags,
                    c,
                    x -> x.lastSuccess == null ? 0 : x.lastSuccess.toEpochMilli() / 1000.0);
        }
        if (settings.legacyMetrics()) {
            gauge(
                    registry,
                    "count_not_sended_study",
                    "Legacy: missing studies summed over all forwarding checks",
                    Tags.empty(),
                    state,
                    s -> s.checks().stream()
                            .mapToInt(x -> x.last == null ? 0 : x.last.missing().size())
                            .sum());
        }
    }

    /**
     * {@code pacs_node_info{pacs,transport}} = 1, how opshub queries each node. An info metric of the
     * Prometheus registry itself: Micrometer would drop the {@code _info} suffix of a gauge.
     */
    private static void info(MeterRegistry registry, PacsSettings settings) {
        if (!(registry instanceof PrometheusMeterRegistry prometheus)
                || settings.nodes().isEmpty()) {
            return;
        }
        Info info = Info.builder()
                .name("pacs_node_info")
                .help("How opshub queries the PACS node: transport dimse, dimse-tls or qido-rs")
                .labelNames("pacs", "transport")
                .register(prometheus.getPrometheusRegistry());
        for (PacsNode node : settings.nodes().values()) {
            info.addLabelValues(node.name(), node.transport());
        }
    }

    private static <T> void gauge(
            MeterRegistry registry, String name, String help, Tags tags, T obj, ToDoubleFunction<T> fn) {
        Gauge.builder(name, obj, fn)
                .description(help)
                .tags(tags)
                .strongReference(true)
                .register(registry);
    }

    /**
     * The Storage Commitment gauges of one check ({@code commitment=true}): committed, uncommitted and failed
     * studies of the window, from its last summary.
     */
    static void commitment(MeterRegistry registry, ForwardingCheck check, PacsState.Check c) {
        Tags tags = Tags.of("source", check.source(), "target", check.target());
        gauge(
                registry,
                "pacs_forwarding_committed_studies",
                "Studies the target committed (Storage Commitment: every expected instance in the success list)",
                tags,
                c,
                x -> x.commitment == null ? 0 : x.commitment.committed());
        gauge(
                registry,
                "pacs_forwarding_uncommitted_studies",
                "Studies without a Storage Commitment report within commitment-timeout (or whose request was refused)",
                tags,
                c,
                x -> x.commitment == null ? 0 : x.commitment.uncommitted().size());
        gauge(
                registry,
                "pacs_forwarding_commitment_failed_studies",
                "Studies whose Storage Commitment report names failed instances or leaves instances out",
                tags,
                c,
                x -> x.commitment == null ? 0 : x.commitment.failed().size());
    }

    /** {@code pacs_resend_total{source,target,result}}: C-MOVE re-sends by outcome ({@link PacsResends#RESULTS}). */
    static Counter resend(MeterRegistry registry, ForwardingCheck c, String result) {
        return Counter.builder("pacs_resend_total")
                .description("C-MOVE re-sends of missing or incomplete studies, by outcome")
                .tags("source", c.source(), "target", c.target(), "result", result)
                .register(registry);
    }

    /** {@code pacs_resend_instances_total{source,target}}: instances the source stored in re-sends. */
    static Counter resentInstances(MeterRegistry registry, ForwardingCheck c) {
        return Counter.builder("pacs_resend_instances_total")
                .description("Instances the source stored to the target's AE in re-sends (completed sub-operations)")
                .tags("source", c.source(), "target", c.target())
                .register(registry);
    }
}

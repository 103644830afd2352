package org.opshub.pacs;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.opshub.checks.NotifyWindow;

/**
 * Which studies of the source's window a forwarding pair sends to its targets, from
 * {@code pacs.forwarding.<pair>.*}: the filters of a real forwarding rule (dcm4chee-arc export rules,
 * Orthanc routing scripts, mercure's series rules). A study the rule does not expect is excluded, and
 * counted by the first condition that excluded it, never silently dropped.
 *
 * <p>Conditions, judged in this order (each a property of the pair; absent = no condition):
 * <ol>
 *   <li>{@code since}: StudyDate+StudyTime (in {@code pacs.timezone}) at or after this ISO date-time;
 *   <li>{@code schedule}: StudyDate+StudyTime within {@code [days] HH:mm-HH:mm};
 *   <li>{@code study-description}: StudyDescription (0008,1030) matches this RE2 expression, anchored at
 *       both ends as Prometheus matchers are;
 *   <li>{@code exclude-study-description}: StudyDescription does not match it;
 *   <li>{@code modalities}: some modality of ModalitiesInStudy (0008,0061) is in the list;
 *   <li>{@code exclude-modalities}: some modality of the study is not in the list.
 * </ol>
 *
 * A study without a readable StudyDate (or StudyTime, for the schedule) passes the time conditions, and
 * one without StudyTime is before {@code since} only when its whole day is: the monitor rather reports a
 * study than hides it. When the modality conditions keep only some of a study's
 * modalities, the study is expected at SERIES level: only its series of those modalities.
 *
 * @param modalities              modality codes forwarded; empty = every modality
 * @param excludeModalities       modality codes never forwarded
 * @param studyDescription        StudyDescription must match, or null
 * @param excludeStudyDescription StudyDescription must not match, or null
 * @param since                   studies acquired before this are not expected, or null
 * @param schedule                studies acquired outside it are not expected, or null
 */
public record ForwardingRule(
        Set<String> modalities,
        Set<String> excludeModalities,
        Pattern studyDescription,
        Pattern excludeStudyDescription,
        Instant since,
        NotifyWindow schedule) {

    /** The rule of a pair without conditions: every study of the window is expected whole. */
    public static final ForwardingRule ALL = new ForwardingRule(Set.of(), Set.of(), null, null, null, null);

    /** The conditions, as property keys, in the order they are judged. */
    public static final List<String> CONDITIONS = List.of(
            "since", "schedule", "study-description", "exclude-study-description", "modalities", "exclude-modalities");

    /**
     * What the rule expects of one study.
     *
     * @param excludedBy       the condition (a key of {@link #CONDITIONS}) that excluded the study, or null
     * @param seriesModalities when only some of the study's modalities are forwarded: those (the study is
     *                         expected at SERIES level); null when the study is expected whole or excluded
     */
    public record Verdict(String excludedBy, Set<String> seriesModalities) {
        static final Verdict WHOLE = new Verdict(null, null);

        /** Whether the target should have (some of) the study. */
        public boolean expected() {
            return excludedBy == null;
        }
    }

    /** The conditions for the startup log, each as {@code , key=value}; empty for {@link #ALL}. */
    public String describe() {
        StringBuilder b = new StringBuilder();
        if (!modalities.isEmpty()) {
            b.append(", modalities=").append(String.join(",", new TreeSet<>(modalities)));
        }
        if (!excludeModalities.isEmpty()) {
            b.append(", exclude-modalities=").append(String.join(",", new TreeSet<>(excludeModalities)));
        }
        if (studyDescription != null) {
            b.append(", study-description=").append(studyDescription.pattern());
        }
        if (excludeStudyDescription != null) {
            b.append(", exclude-study-description=").append(excludeStudyDescription.pattern());
        }
        if (since != null) {
            b.append(", since=").append(since);
        }
        if (schedule != null) {
            b.append(", schedule=").append(schedule);
        }
        return b.toString();
    }

    /** Whether the rule filters by modality, and so needs each study's modalities. */
    public boolean byModality() {
        return !modalities.isEmpty() || !excludeModalities.isEmpty();
    }

    /** Whether a series of {@code modality} is forwarded (the modality conditions only). */
    public boolean forwards(String modality) {
        String m = modality == null ? "" : modality.strip().toUpperCase(Locale.ROOT);
        return (modalities.isEmpty() || modalities.contains(m)) && !excludeModalities.contains(m);
    }

    /**
     * Judges one study.
     *
     * @param study      as the source answered it
     * @param modalities the study's modalities, backslash-separated (ModalitiesInStudy, or the Modality of
     *                   its series when the source does not return that key); null or empty when unknown,
     *                   then the modality conditions pass
     * @param zone       {@code pacs.timezone}, the zone of StudyDate and StudyTime
     */
    public Verdict judge(StudyRecord study, String modalities, ZoneId zone) {
        // without a StudyTime, the end of its day: only a day wholly before "since" excludes
        LocalDateTime at = acquired(study, LocalTime.MAX);
        if (since != null && at != null && at.atZone(zone).toInstant().isBefore(since)) {
            return new Verdict("since", null);
        }
        if (schedule != null
                && at != null
                && StudyWindow.parseTime(study.studyTime()) != null
                && !schedule.isOpen(at.atZone(zone).toInstant())) {
            return new Verdict("schedule", null);
        }
        String description = study.studyDescription() == null ? "" : study.studyDescription();
        if (studyDescription != null && !studyDescription.matches(description)) {
            return new Verdict("study-description", null);
        }
        if (excludeStudyDescription != null && excludeStudyDescription.matches(description)) {
            return new Verdict("exclude-study-description", null);
        }
        Set<String> all = codes(modalities);
        if (!byModality() || all.isEmpty()) {
            return Verdict.WHOLE;
        }
        Set<String> kept = new LinkedHashSet<>();
        all.stream().filter(this::forwards).forEach(kept::add);
        if (kept.isEmpty()) {
            boolean listed = this.modalities.isEmpty() || all.stream().anyMatch(this.modalities::contains);
            return new Verdict(listed ? "exclude-modalities" : "modalities", null);
        }
        return kept.size() == all.size() ? Verdict.WHOLE : new Verdict(null, Set.copyOf(kept));
    }

    /** StudyDate with StudyTime ({@code noTime} without one), or null when StudyDate is not readable. */
    private static LocalDateTime acquired(StudyRecord s, LocalTime noTime) {
        try {
            LocalDate date = LocalDate.parse(s.studyDate(), DateTimeFormatter.BASIC_ISO_DATE);
            LocalTime time = StudyWindow.parseTime(s.studyTime());
            return LocalDateTime.of(date, time == null ? noTime : time);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Modality codes of a multi-valued CS value ({@code CT\SR}), upper case. */
    static Set<String> codes(String value) {
        Set<String> out = new LinkedHashSet<>();
        if (value != null) {
            Arrays.stream(value.split("[\\\\,]"))
                    .map(v -> v.strip().toUpperCase(Locale.ROOT))
                    .filter(v -> !v.isEmpty())
                    .forEach(out::add);
        }
        return out;
    }

    /**
     * Reads a pair's rule from {@code <prefix>modalities}, {@code exclude-modalities},
     * {@code study-description}, {@code exclude-study-description}, {@code since} and {@code schedule}.
     *
     * @param prefix {@code pacs.forwarding.<pair>.}
     * @param get    the trimmed value of a key, {@code ""} when unset
     * @throws IllegalArgumentException naming the property for any malformed value
     */
    static ForwardingRule from(String prefix, Function<String, String> get, ZoneId zone) {
        Set<String> modalities = modalityList(prefix + "modalities", get.apply(prefix + "modalities"));
        Set<String> exclude = modalityList(prefix + "exclude-modalities", get.apply(prefix + "exclude-modalities"));
        String since = get.apply(prefix + "since");
        String schedule = get.apply(prefix + "schedule");
        return new ForwardingRule(
                modalities,
                exclude,
                regex(prefix + "study-description", get.apply(prefix + "study-description")),
                regex(prefix + "exclude-study-description", get.apply(prefix + "exclude-study-description")),
                since.isEmpty() ? null : instant(prefix + "since", since, zone),
                schedule.isEmpty() ? null : NotifyWindow.schedule(schedule, zone, prefix + "schedule"));
    }

    /** A comma list of modality codes (CS: upper case letters, digits, underscore; at most 16). */
    private static Set<String> modalityList(String key, String value) {
        Set<String> out = new LinkedHashSet<>();
        for (String code : codes(value)) {
            if (!code.matches("[A-Z0-9_]{1,16}")) {
                throw new IllegalArgumentException(
                        key + ": " + code + " is not a DICOM modality code (CT, MR, SR, ...; PS3.3 C.7.3.1.1.1)");
            }
            out.add(code);
        }
        return Set.copyOf(out);
    }

    private static Pattern regex(String key, String value) {
        if (value.isEmpty()) {
            return null;
        }
        try {
            return Pattern.compile(value);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException(key + " is not an RE2 regular expression: " + e.getMessage());
        }
    }

    /** An ISO date-time with an offset, or a local one in {@code zone}. */
    private static Instant instant(String key, String value, ZoneId zone) {
        try {
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeException e) {
            try {
                return LocalDateTime.parse(value).atZone(zone).toInstant();
            } catch (DateTimeException e2) {
                throw new IllegalArgumentException(key + "=" + value
                        + " is not an ISO date-time such as 2026-12-01T00:00 or" + " 2026-12-01T00:00+03:00");
            }
        }
    }
}

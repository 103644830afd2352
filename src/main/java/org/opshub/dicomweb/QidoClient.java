package org.opshub.dicomweb;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.opshub.dicom.DicomException;
import org.opshub.http.TimeoutHttpClient;

/**
 * A QIDO-RS client (PS3.18 §10.6, Search Transaction): GET requests with matching keys,
 * {@code includefield} and {@code limit}/{@code offset} paging, answers in the DICOM JSON Model
 * ({@code application/dicom+json}, PS3.18 Annex F). Apache HttpClient 5 with one timeout per call and
 * a cap on the answer body ({@link TimeoutHttpClient}); basic or bearer authentication.
 *
 * <p>Every failure is a {@link QidoException} (a {@link DicomException}, so the node goes down like a
 * DIMSE node) whose message names the URL without credentials and what came back: an error status
 * (401/403 pointing at the credentials properties), an HTML page, JSON that does not parse or is not
 * an array, no answer.
 */
public final class QidoClient implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Settings settings;
    private final CloseableHttpClient http;

    /**
     * A QIDO-RS service.
     *
     * @param baseUrl    the service root, e.g. {@code https://archive/dicom-web} (no trailing slash)
     * @param user       basic authentication user, or null
     * @param password   its password (never logged), or null
     * @param token      bearer token (never logged), or null; not with {@code user}
     * @param pageSize   {@code limit} of each request; more pages are fetched with {@code offset}
     * @param timeout    connect and answer timeout of each request
     * @param maxMatches the most results one search may return in all (memory stays bounded)
     * @param property   the property prefix for messages, e.g. {@code pacs.nodes.archive.}
     */
    public record Settings(
            URI baseUrl,
            String user,
            String password,
            String token,
            int pageSize,
            Duration timeout,
            int maxMatches,
            String property) {
        @Override
        public String toString() {
            return baseUrl + (user != null ? " (basic auth)" : token != null ? " (bearer token)" : "");
        }
    }

    public QidoClient(Settings settings) {
        this.settings = settings;
        HttpClientBuilder b = HttpClientBuilder.create();
        new TimeoutHttpClient(settings.timeout(), 64L << 20).configureHttpClient(b);
        this.http = b.build();
    }

    public Settings settings() {
        return settings;
    }

    /**
     * Searches {@code path} (e.g. {@code /studies}) with the given query parameters, page after page
     * until a page holds fewer than {@code pageSize} results.
     *
     * @param params parameters in order; a key may repeat ({@code includefield})
     * @return the result data sets
     * @throws QidoException on any failure, or more than {@code maxMatches} results
     */
    public List<JsonNode> search(String path, List<Map.Entry<String, String>> params) throws QidoException {
        List<JsonNode> out = new ArrayList<>();
        for (int offset = 0; ; offset += settings.pageSize()) {
            List<Map.Entry<String, String>> page = new ArrayList<>(params);
            page.add(Map.entry("limit", Integer.toString(settings.pageSize())));
            page.add(Map.entry("offset", Integer.toString(offset)));
            List<JsonNode> got = get(path, page);
            out.addAll(got);
            if (out.size() > settings.maxMatches()) {
                throw new QidoException("QIDO-RS " + settings.baseUrl() + path + " returned more than pacs.max-matches="
                        + settings.maxMatches() + " results");
            }
            if (got.size() < settings.pageSize()) {
                return out;
            }
        }
    }

    /** One GET of a search, without paging. */
    public List<JsonNode> get(String path, List<Map.Entry<String, String>> params) throws QidoException {
        StringBuilder q = new StringBuilder();
        for (Map.Entry<String, String> p : params) {
            q.append(q.length() == 0 ? '?' : '&')
                    .append(URLEncoder.encode(p.getKey(), StandardCharsets.UTF_8))
                    .append('=')
                    .append(URLEncoder.encode(p.getValue(), StandardCharsets.UTF_8));
        }
        String where = "QIDO-RS " + settings.baseUrl() + path;
        HttpGet get = new HttpGet(URI.create(settings.baseUrl() + path + q));
        get.addHeader("Accept", "application/dicom+json, application/json");
        if (settings.user() != null) {
            get.addHeader(
                    "Authorization",
                    "Basic "
                            + Base64.getEncoder()
                                    .encodeToString((settings.user() + ":"
                                                    + (settings.password() == null ? "" : settings.password()))
                                            .getBytes(StandardCharsets.UTF_8)));
        } else if (settings.token() != null) {
            get.addHeader("Authorization", "Bearer " + settings.token());
        }
        String body;
        int status;
        String type;
        try {
            Object[] r = http.execute(get, response -> new Object[] {
                response.getCode(),
                response.getEntity() == null ? "" : EntityUtils.toString(response.getEntity(), StandardCharsets.UTF_8),
                response.getEntity() == null || response.getEntity().getContentType() == null
                        ? ""
                        : response.getEntity().getContentType()
            });
            status = (Integer) r[0];
            body = (String) r[1];
            type = ((String) r[2]).toLowerCase(Locale.ROOT);
        } catch (IOException e) {
            throw new QidoException(where + " does not answer: " + e.getMessage(), e);
        }
        if (status == 204) {
            return List.of(); // no match (PS3.18 §10.6.3.2)
        }
        if (status == 401 || status == 403) {
            throw new QidoException(where + " answered " + status + ": check " + settings.property() + "qido-user / "
                    + settings.property() + "qido-password or " + settings.property() + "qido-token");
        }
        if (status < 200 || status > 299) {
            throw new QidoException(where + " answered " + status);
        }
        String text = body.strip();
        if (type.contains("html") || text.startsWith("<")) {
            throw new QidoException(where + " answered HTML, not DICOM JSON (a login page or a proxy in between?)");
        }
        JsonNode json;
        try {
            json = JSON.readTree(text.isEmpty() ? "[]" : text);
        } catch (JsonProcessingException e) {
            throw new QidoException(
                    where + " answered something that is not valid JSON (" + e.getOriginalMessage() + ")", e);
        }
        if (!json.isArray()) {
            throw new QidoException(where + " answered JSON that is not a DICOM JSON array of results");
        }
        List<JsonNode> out = new ArrayList<>(json.size());
        json.forEach(out::add);
        return out;
    }

    @Override
    public void close() {
        try {
            http.close();
        } catch (IOException ignored) {
            // nothing left to release
        }
    }

    /** A QIDO-RS failure with a readable message. */
    public static final class QidoException extends DicomException {
        public QidoException(String message) {
            super(message);
        }

        public QidoException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}

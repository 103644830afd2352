package org.opshub.interop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A real Orthanc server (Debian package) on loopback, started and stopped by a test. */
final class OrthancPeer implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    final String aet;
    final int httpPort;
    final int dicomPort;
    private final Path config;
    private final Path log;
    private Process process;

    OrthancPeer(
            Path dir,
            String aet,
            int httpPort,
            int dicomPort,
            Map<String, Object> extra,
            Map<String, Object> modalities)
            throws IOException {
        this.aet = aet;
        this.httpPort = httpPort;
        this.dicomPort = dicomPort;
        Path storage = Files.createDirectories(dir.resolve(aet.toLowerCase()));
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("Name", aet);
        c.put("StorageDirectory", storage.toString());
        c.put("IndexDirectory", storage.toString());
        c.put("Plugins", new Object[0]);
        c.put("HttpPort", httpPort);
        c.put("RemoteAccessAllowed", false);
        c.put("AuthenticationEnabled", false);
        c.put("OrthancExplorerEnabled", false);
        c.put("DicomAet", aet);
        c.put("DicomPort", dicomPort);
        c.put("DicomCheckCalledAet", true);
        c.put("DicomAlwaysAllowEcho", true);
        c.put("DicomAlwaysAllowStore", true);
        c.put("DicomAlwaysAllowFind", true);
        c.put("DefaultEncoding", "Utf8");
        c.put("LimitFindResults", 0);
        c.put("SaveJobs", false);
        // Orthanc closes idle keep-alive connections after 1 s; the JDK client could reuse one just
        // closed ("header parser received no bytes"), so every answer closes its connection
        c.put("KeepAlive", false);
        c.put("DicomModalities", modalities);
        c.putAll(extra);
        config = dir.resolve(aet.toLowerCase() + ".json");
        log = dir.resolve(aet.toLowerCase() + ".log");
        JSON.writeValue(config.toFile(), c);
    }

    void start() throws Exception {
        ProcessBuilder pb = new ProcessBuilder("Orthanc", config.toString());
        pb.environment().put("TCP_NODELAY", "1");
        pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        process = pb.start();
        long deadline = System.currentTimeMillis() + 20_000;
        while (System.currentTimeMillis() < deadline) {
            try {
                get("/system");
                return;
            } catch (IOException e) {
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException(aet + " did not start; see " + log);
    }

    /** Stops the server and waits for the process to exit (Orthanc keeps an index lock). */
    void stop() throws InterruptedException {
        if (process != null) {
            process.destroy();
            process.waitFor();
            process = null;
        }
    }

    JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                        .timeout(Duration.ofSeconds(30))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException(aet + " GET " + path + " -> " + r.statusCode());
        }
        return JSON.readTree(r.body());
    }

    JsonNode post(String path, Object body) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                        .timeout(Duration.ofSeconds(60))
                        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException(aet + " POST " + path + " -> " + r.statusCode() + " " + r.body());
        }
        return JSON.readTree(r.body());
    }

    void delete(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                        .timeout(Duration.ofSeconds(30))
                        .DELETE()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException(aet + " DELETE " + path + " -> " + r.statusCode());
        }
    }

    /** POSTs JSON and returns the answer's bytes (e.g. {@code /instances/<id>/modify}: a DICOM file). */
    byte[] postForBytes(String path, Object body) throws IOException, InterruptedException {
        HttpResponse<byte[]> r = HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                        .timeout(Duration.ofSeconds(60))
                        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) {
            throw new IOException(aet + " POST " + path + " -> " + r.statusCode());
        }
        return r.body();
    }

    /** Stores a DICOM file through the REST API ({@code POST /instances}). */
    JsonNode upload(byte[] dicom) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/instances"))
                        .timeout(Duration.ofSeconds(60))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(dicom))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException(aet + " POST /instances -> " + r.statusCode() + " " + r.body());
        }
        return JSON.readTree(r.body());
    }

    /** Orthanc's id of a study by its StudyInstanceUID, or null. */
    String studyId(String studyInstanceUid) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/tools/lookup"))
                        .timeout(Duration.ofSeconds(30))
                        .POST(HttpRequest.BodyPublishers.ofString(studyInstanceUid))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        for (JsonNode id : JSON.readTree(r.body())) {
            if ("Study".equals(id.path("Type").asText())) {
                return id.path("ID").asText();
            }
        }
        return null;
    }

    /** Instances this server holds of a StudyInstanceUID (0 when it does not have the study). */
    int instancesOf(String studyInstanceUid) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/tools/lookup"))
                        .timeout(Duration.ofSeconds(30))
                        .POST(HttpRequest.BodyPublishers.ofString(studyInstanceUid))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode ids = JSON.readTree(r.body());
        for (JsonNode id : ids) {
            if ("Study".equals(id.path("Type").asText())) {
                return get("/studies/" + id.path("ID").asText() + "/instances").size();
            }
        }
        return 0;
    }

    byte[] file(String instanceId) throws IOException, InterruptedException {
        HttpResponse<byte[]> r = HTTP.send(
                HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + httpPort + "/instances/" + instanceId + "/file"))
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        return r.body();
    }

    /**
     * Creates one instance (a new study unless {@code parent} is given).
     *
     * @return Orthanc's answer: ID, ParentStudy, ParentSeries…
     */
    JsonNode createInstance(Map<String, String> tags, String parent) throws IOException, InterruptedException {
        Map<String, Object> body = new LinkedHashMap<>();
        Map<String, String> t = new LinkedHashMap<>(tags);
        t.putIfAbsent("SOPClassUID", "1.2.840.10008.5.1.4.1.1.7");
        body.put("Tags", t);
        if (parent != null) {
            body.put("Parent", parent);
        }
        return post("/tools/create-dicom", body);
    }

    /** C-STOREs resources to a configured modality, synchronously. */
    void store(String modality, Object... resources) throws IOException, InterruptedException {
        post("/modalities/" + modality + "/store", Map.of("Resources", resources, "Synchronous", true));
    }

    /**
     * Ground truth: the expanded studies of one StudyDate. Lists {@code /studies} and filters
     * here, because {@code /tools/find} obeys LimitFindResults like C-FIND does.
     */
    List<JsonNode> studies(String studyDate) throws IOException, InterruptedException {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode s : get("/studies?expand")) {
            if (studyDate.equals(s.path("MainDicomTags").path("StudyDate").asText())) {
                out.add(s);
            }
        }
        return out;
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}

package org.opshub.interop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.opshub.HubRunner;

/**
 * The telegram-test-api emulator (npm, installed by scripts/install-deps.sh into
 * src/test/node) on loopback, and its client side: a user who sends commands and reads what the
 * bot sent to the chat.
 */
final class TelegramEmulator implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private final Process process;
    final int port;
    final String token;
    private long dates = System.currentTimeMillis() / 1000;

    TelegramEmulator(String token) throws IOException, InterruptedException {
        this.token = token;
        Path script = Path.of("src/test/node/telegram-emulator.js");
        if (!Files.isDirectory(Path.of("src/test/node/node_modules/telegram-test-api"))) {
            throw new IllegalStateException("telegram-test-api is not installed: run scripts/install-deps.sh");
        }
        port = HubRunner.freePort();
        process = new ProcessBuilder("node", script.toString(), Integer.toString(port))
                .redirectErrorStream(true)
                .start();
        BufferedReader out =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        if (line == null || !line.startsWith("READY")) {
            process.destroyForcibly();
            throw new IllegalStateException("emulator did not start: " + line);
        }
        Thread drain = new Thread(() -> out.lines().forEach(l -> {}), "emulator-output");
        drain.setDaemon(true);
        drain.start();
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    /** A user in private chat {@code chatId} sends a command. */
    void command(long chatId, String text) throws IOException, InterruptedException {
        ObjectNode m = JSON.createObjectNode();
        m.put("botToken", token);
        m.putObject("chat").put("id", chatId).put("type", "private").put("first_name", "Ops");
        m.putObject("from").put("id", chatId).put("is_bot", false).put("first_name", "Ops");
        m.put("date", ++dates);
        m.put("text", text);
        int length = text.contains(" ") ? text.indexOf(' ') : text.length();
        m.putArray("entities")
                .addObject()
                .put("offset", 0)
                .put("length", length)
                .put("type", "bot_command");
        post("/sendCommand", m.toString());
    }

    /** Messages the bot sent to the chat since the last call. */
    List<JsonNode> received(long chatId) throws IOException, InterruptedException {
        JsonNode r = JSON.readTree(post("/getUpdates", "{\"token\":\"" + token + "\",\"chatId\":" + chatId + "}"));
        List<JsonNode> out = new ArrayList<>();
        r.path("result").forEach(u -> out.add(u.path("message")));
        return out;
    }

    private String post(String path, String body) throws IOException, InterruptedException {
        HttpRequest req = HttpRequest.newBuilder(URI.create(url() + path))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        HttpResponse<String> r = HTTP.send(req, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("emulator " + path + ": " + r.statusCode() + " " + r.body());
        }
        return r.body();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}

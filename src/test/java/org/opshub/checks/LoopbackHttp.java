package org.opshub.checks;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * A real HTTP server on 127.0.0.1 answering every request with what {@code answer} gives for the
 * request's number (1, 2, …): status, content type, body, and an optional delay.
 */
public final class LoopbackHttp implements AutoCloseable {
    /** One answer. */
    public record Reply(int status, String contentType, String body, long delayMs) {
        public static Reply json(int status, String body) {
            return new Reply(status, "application/json", body, 0);
        }

        public static Reply text(int status, String body) {
            return new Reply(status, "text/plain", body, 0);
        }
    }

    private final HttpServer server;
    private final AtomicInteger requests = new AtomicInteger();
    private volatile IntFunction<Reply> answer;
    private volatile String lastAuthorization;
    private final List<String> bodies = new CopyOnWriteArrayList<>();

    public LoopbackHttp(IntFunction<Reply> answer) throws IOException {
        this.answer = answer;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", ex -> {
            lastAuthorization = ex.getRequestHeaders().getFirst("Authorization");
            bodies.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            Reply r = this.answer.apply(requests.incrementAndGet());
            try {
                if (r.delayMs() > 0) {
                    Thread.sleep(r.delayMs());
                }
                byte[] body = r.body().getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().set("Content-Type", r.contentType());
                ex.sendResponseHeaders(r.status(), body.length == 0 ? -1 : body.length);
                if (body.length > 0) {
                    ex.getResponseBody().write(body);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException e) {
                // the client gave up (timeout test)
            } finally {
                ex.close();
            }
        });
        server.start();
    }

    public void answer(IntFunction<Reply> next) {
        this.answer = next;
    }

    public String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    public int requests() {
        return requests.get();
    }

    /** The request bodies received, in order. */
    public List<String> bodies() {
        return bodies;
    }

    public String lastAuthorization() {
        return lastAuthorization;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}

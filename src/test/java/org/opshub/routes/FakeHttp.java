package org.opshub.routes;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.support.DefaultComponent;
import org.apache.camel.support.DefaultEndpoint;
import org.apache.camel.support.DefaultProducer;

/**
 * Stands in for camel-http in route tests: point a URL property at {@code fake://...} and every call
 * the routes make is recorded ({@link #requests}) and answered by the test ({@link #reply}).
 */
final class FakeHttp extends DefaultComponent {
    /**
     * A request the routes made through {@code fake:}: the endpoint URI without its options, the headers,
     * the body, and the endpoint's options, URL-decoded ({@code httpClientConfigurer=#...}; empty for none).
     */
    record Request(String uri, Map<String, Object> headers, Object body, String options) {
        String header(String name) {
            Object v = headers.get(name);
            return v == null ? null : v.toString();
        }
    }

    /** The test's answer to a request: a status, a Content-Type and a body; or an exception to throw. */
    record Reply(int status, String contentType, byte[] body, Exception failure) {
        static Reply of(int status, String contentType, String body) {
            return new Reply(status, contentType, body.getBytes(StandardCharsets.UTF_8), null);
        }

        static Reply failing(Exception e) {
            return new Reply(0, null, null, e);
        }
    }

    final List<Request> requests = new CopyOnWriteArrayList<>();
    volatile Function<Request, Reply> reply = r -> Reply.of(200, "application/json", "{}");

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) {
        parameters.clear(); // httpClientConfigurer, throwExceptionOnFailure: camel-http's, not ours
        return new DefaultEndpoint(uri, this) {
            @Override
            public Producer createProducer() {
                return new DefaultProducer(this) {
                    @Override
                    public void process(Exchange exchange) throws Exception {
                        Request r = new Request(
                                uri.split("\\?", 2)[0],
                                Map.copyOf(withoutNulls(exchange.getMessage().getHeaders())),
                                exchange.getMessage().getBody(),
                                uri.contains("?")
                                        ? URLDecoder.decode(uri.split("\\?", 2)[1], StandardCharsets.UTF_8)
                                        : "");
                        requests.add(r);
                        Reply a = reply.apply(r);
                        if (a.failure() != null) {
                            throw a.failure();
                        }
                        exchange.getMessage().removeHeaders("*");
                        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, a.status());
                        if (a.contentType() != null) {
                            exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, a.contentType());
                        }
                        exchange.getMessage().setBody(a.body());
                    }
                };
            }

            @Override
            public Consumer createConsumer(Processor processor) {
                throw new UnsupportedOperationException("fake: only sends");
            }
        };
    }

    private static Map<String, Object> withoutNulls(Map<String, Object> headers) {
        Map<String, Object> m = new HashMap<>();
        headers.forEach((k, v) -> {
            if (v != null) {
                m.put(k, v);
            }
        });
        return m;
    }
}

package org.opshub.routes;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.apache.camel.CamelContext;
import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.support.DefaultComponent;
import org.apache.camel.support.DefaultEndpoint;
import org.apache.camel.support.DefaultProducer;
import org.apache.camel.support.PluginHelper;

/**
 * Some routes of {@code routes/*.yaml}, as shipped, in a bare Camel context: no hub, no state store,
 * no network. Beans are whatever the test binds (recording stand-ins), and the HTTP edge is
 * {@link FakeHttp}: point a URL property at {@code fake://...} and every call the routes make
 * is recorded and answered by the test.
 */
final class RouteHarness implements AutoCloseable {
    final CamelContext context = new DefaultCamelContext();
    final FakeHttp http = new FakeHttp();

    RouteHarness(Map<String, String> properties, Map<String, Object> beans) {
        context.addComponent("fake", http);
        Properties p = new Properties();
        p.putAll(properties);
        context.getPropertiesComponent().setInitialProperties(p);
        beans.forEach(context.getRegistry()::bind);
    }

    /** Adds the routes with these ids from a route file of the project, then starts the context. */
    RouteHarness start(String file, Set<String> routeIds) throws Exception {
        List<RouteDefinition> picked = new ArrayList<>();
        var resource = PluginHelper.getResourceLoader(context).resolveResource("file:" + Path.of("routes", file));
        for (RoutesBuilder b : PluginHelper.getRoutesLoader(context).findRoutesBuilders(resource)) {
            if (b instanceof RouteBuilder rb) {
                rb.configureRoutes(context);
                rb.getRouteCollection().getRoutes().stream()
                        .filter(r -> routeIds.contains(r.getRouteId()))
                        .forEach(picked::add);
            }
        }
        if (picked.size() != routeIds.size()) {
            throw new IllegalStateException("routes " + routeIds + " not all in routes/" + file);
        }
        ((ModelCamelContext) context).addRouteDefinitions(picked);
        context.start();
        return this;
    }

    /** Sends a body with exchange properties to an endpoint; returns the exchange afterwards. */
    Exchange send(String uri, Object body, Map<String, Object> properties) {
        ProducerTemplate t = context.createProducerTemplate();
        return t.send(uri, e -> {
            e.getMessage().setBody(body);
            properties.forEach(e::setProperty);
        });
    }

    @Override
    public void close() {
        context.stop();
    }

    /** A request the routes made through {@code fake:}: the endpoint URI without its options, the headers and the body. */
    record Request(String uri, Map<String, Object> headers, Object body) {
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

    /** Stands in for camel-http: records each request and answers with {@link #reply}. */
    static final class FakeHttp extends DefaultComponent {
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
                                    Map.copyOf(
                                            withoutNulls(exchange.getMessage().getHeaders())),
                                    exchange.getMessage().getBody());
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
}

package org.opshub.routes;

import java.util.Map;
import java.util.Properties;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.apache.camel.test.junit5.CamelContextConfiguration;
import org.apache.camel.test.junit5.CamelTestSupport;

/**
 * Camel's test kit on some routes of one route file of {@code routes/}, as shipped: the file is loaded
 * whole (its route templates too) and the kit's route filter keeps the routes the test names; the
 * test binds the beans those routes call (stand-ins that record) and starts the context with the
 * properties it wants ({@link #start}). The HTTP edge is {@link FakeHttp}: a URL property pointing at
 * {@code fake://...} sends every call there.
 */
abstract class RouteFileTestSupport extends CamelTestSupport {
    /** The calls the routes made, and the answers they get. */
    final FakeHttp http = new FakeHttp();

    /** The file under {@code routes/} (comma-separated: also the files its routes need, e.g. {@code http-answers.yaml}). */
    abstract String routeFile();

    /** The ids of the routes under test (comma-separated, as the kit's route filter takes them). */
    abstract String routeIds();

    @Override
    public void configureContext(CamelContextConfiguration configuration) {
        super.configureContext(configuration);
        configuration.withRouteFilterIncludePattern(routeIds());
    }

    @Override
    public boolean isUseAdviceWith() {
        return true; // each test starts the context itself, with its properties
    }

    @Override
    protected CamelContext createCamelContext() throws Exception {
        CamelContext context = super.createCamelContext();
        context.addComponent("fake", http);
        return context;
    }

    @Override
    protected RoutesBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() throws Exception {
                for (String file : routeFile().split(",")) {
                    PluginHelper.getRoutesLoader(getContext())
                            .loadRoutes(ResourceHelper.resolveResource(getContext(), "file:routes/" + file.strip()));
                }
            }
        };
    }

    /** Starts the context with these properties (the placeholders of the routes under test). */
    void start(Map<String, String> properties) {
        Properties p = new Properties();
        p.putAll(properties);
        context.getPropertiesComponent().setOverrideProperties(p);
        context.start();
    }

    /** Sends a body with route variables to an endpoint; returns the exchange afterwards. */
    Exchange send(String uri, Object body, Map<String, Object> variables) {
        return template.send(uri, e -> {
            e.getMessage().setBody(body);
            variables.forEach(e::setVariable);
        });
    }
}

package org.opshub.routes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.apache.camel.Exchange;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.Test;

/**
 * routes/http-answers.yaml with Camel's test kit: a route that takes routeConfiguration
 * {@code http-answers} answers a failure with 500 and a JSON body naming no internals, while its own
 * onException for a more specific error still decides that one.
 */
class HttpAnswersRouteTest extends CamelTestSupport {

    @Override
    protected RoutesBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() throws Exception {
                PluginHelper.getRoutesLoader(getContext())
                        .loadRoutes(ResourceHelper.resolveResource(getContext(), "file:routes/http-answers.yaml"));
                from("direct:fails")
                        .routeId("fails")
                        .routeConfigurationId("http-answers")
                        .setHeader("Secret-Looking", constant("x"))
                        .throwException(new IllegalStateException("jdbc:postgresql://db/hub refused"));
                from("direct:own")
                        .routeId("own")
                        .routeConfigurationId("http-answers")
                        .onException(UnsupportedOperationException.class)
                        .handled(true)
                        .setHeader(Exchange.HTTP_RESPONSE_CODE, constant(503))
                        .setBody(constant("own"))
                        .end()
                        .throwException(new UnsupportedOperationException("busy"));
            }
        };
    }

    @Test
    void aFailureIs500WithAJsonBodyThatNamesNoInternals() {
        Exchange out = template.request("direct:fails", e -> e.getMessage().setBody("request"));
        assertEquals(500, out.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class));
        assertEquals("application/json", out.getMessage().getHeader("Content-Type"));
        assertEquals(
                "{\"status\":\"error\",\"error\":\"internal error; the cause is in the hub log\"}",
                out.getMessage().getBody(String.class));
        assertFalse(
                out.getMessage().getHeaders().containsKey("Secret-Looking"), "the request's headers are not echoed");
        assertFalse(out.isFailed(), "handled: the HTTP consumer answers it");
    }

    @Test
    void aRoutesOwnAnswerForItsOwnErrorComesFirst() {
        Exchange out = template.request("direct:own", e -> e.getMessage().setBody("request"));
        assertEquals(503, out.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class));
        assertEquals("own", out.getMessage().getBody(String.class));
    }
}

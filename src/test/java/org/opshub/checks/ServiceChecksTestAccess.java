package org.opshub.checks;

/** The check entries of {@link ServiceChecksTest} for tests in other packages. */
public final class ServiceChecksTestAccess {
    private ServiceChecksTestAccess() {}

    /** A tcp-check templatedRoute entry (routes/checks.yaml syntax) with extra parameters. */
    public static String tcpCheck(String name, int port, String extra) {
        return ServiceChecksTest.tcpCheck(name, port, extra);
    }

    /** One parameter line of a templatedRoute entry. */
    public static String param(String name, String value) {
        return ServiceChecksTest.param(name, value);
    }
}

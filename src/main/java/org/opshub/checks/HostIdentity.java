package org.opshub.checks;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.Collections;

/**
 * Who is reporting, for check notifications: the host name, the first non-loopback IPv4 address
 * of an interface that is up (site-local preferred), and the external address last fetched from
 * {@code checks.external-ip-url} (empty until then, or when unset).
 */
public final class HostIdentity {
    private final String hostName;
    private final String localIp;
    private volatile String externalIp = "";

    public HostIdentity() {
        this.hostName = lookUpHostName();
        this.localIp = findLocalIp();
    }

    public String hostName() {
        return hostName;
    }

    public String localIp() {
        return localIp;
    }

    public String externalIp() {
        return externalIp;
    }

    /** Keeps the answer of the external-IP service when it looks like an address (else ignored). */
    public boolean externalIp(String answer) {
        String ip = answer == null ? "" : answer.strip();
        if (ip.matches("[0-9a-fA-F:.]{2,45}")) {
            externalIp = ip;
            return true;
        }
        return false;
    }

    private static String lookUpHostName() {
        String env = System.getenv("HOSTNAME");
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return env == null ? "localhost" : env;
        }
    }

    private static String findLocalIp() {
        String fallback = "";
        try {
            for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nif.isUp() || nif.isLoopback()) {
                    continue;
                }
                for (InetAddress a : Collections.list(nif.getInetAddresses())) {
                    if (a instanceof Inet4Address && !a.isLoopbackAddress()) {
                        if (a.isSiteLocalAddress()) {
                            return a.getHostAddress();
                        }
                        if (fallback.isEmpty()) {
                            fallback = a.getHostAddress();
                        }
                    }
                }
            }
        } catch (SocketException e) {
            return fallback;
        }
        return fallback.isEmpty() ? "127.0.0.1" : fallback;
    }
}

package org.opshub.web;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * One HTTP/1.1 request from a chosen local address (the JDK's HttpClient cannot bind one), over
 * plain TCP or TLS trusting one certificate, with {@code Connection: close}.
 */
final class BoundHttp {
    /** Status code and body. */
    record Answer(int status, String body, String headers) {}

    private final InetAddress local;
    private final SSLContext tls;

    BoundHttp(String localAddress, Path trustedCert) throws Exception {
        this.local = InetAddress.getByName(localAddress);
        tls = trustedCert == null ? null : trusting(trustedCert);
    }

    /** A TLS context that trusts exactly this PEM certificate. */
    static SSLContext trusting(Path cert) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        try (InputStream in = Files.newInputStream(cert)) {
            ks.setCertificateEntry("hub", (X509Certificate)
                    CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    Answer request(String method, String host, int port, String path, String body, String... headers)
            throws IOException {
        Socket plain = new Socket();
        plain.bind(new InetSocketAddress(local, 0));
        plain.connect(new InetSocketAddress(host, port), 5000);
        plain.setSoTimeout(30_000);
        try (Socket s = tls == null ? plain : handshake(plain, host, port)) {
            StringBuilder req = new StringBuilder(
                    method + " " + path + " HTTP/1.1\r\nHost: " + host + ":" + port + "\r\nConnection: close\r\n");
            for (int i = 0; i + 1 < headers.length; i += 2) {
                req.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
            }
            byte[] b = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            if (body != null) {
                req.append("Content-Length: ").append(b.length).append("\r\n");
            }
            req.append("\r\n");
            OutputStream out = s.getOutputStream();
            out.write(req.toString().getBytes(StandardCharsets.UTF_8));
            out.write(b);
            out.flush();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            s.getInputStream().transferTo(all);
            // headers are ASCII: ISO-8859-1 keeps one char per byte, so chunk sizes (bytes) can be followed
            String text = all.toString(StandardCharsets.ISO_8859_1);
            if (!text.startsWith("HTTP/1.")) {
                throw new IOException("not an HTTP answer: " + all.size() + " bytes");
            }
            int end = text.indexOf("\r\n\r\n");
            String head = end < 0 ? text : text.substring(0, end);
            String rest = end < 0 ? "" : text.substring(end + 4);
            if (head.toLowerCase().contains("transfer-encoding: chunked")) {
                rest = dechunk(rest);
            }
            rest = new String(rest.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
            return new Answer(Integer.parseInt(head.split(" ", 3)[1]), rest, head);
        }
    }

    private Socket handshake(Socket plain, String host, int port) throws IOException {
        SSLSocket ssl = (SSLSocket) tls.getSocketFactory().createSocket(plain, host, port, true);
        ssl.startHandshake();
        return ssl;
    }

    private static String dechunk(String s) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < s.length()) {
            int nl = s.indexOf("\r\n", i);
            int n = Integer.parseInt(s.substring(i, nl).split(";")[0].strip(), 16);
            if (n == 0) {
                break;
            }
            out.append(s, nl + 2, nl + 2 + n);
            i = nl + 2 + n + 2;
        }
        return out.toString();
    }
}

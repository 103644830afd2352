package org.opshub.dicom;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.impl.KeyStoreHelper;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The TLS secure transport connection of a DICOM node (PS3.15 Annex B.9/B.10, the BCP 195 TLS
 * profiles): the JDK's TLS, versions 1.2 and 1.3 only, the server certificate checked against a PEM
 * CA bundle and (by default) against the host name, and optionally a client certificate for mutual
 * TLS. No cryptography of our own; PEM keys (PKCS#8, PKCS#1, SEC1) are read by Vert.x's
 * {@code PemKeyCertOptions}.
 *
 * <p>Handshake failures become {@link DicomTlsException}s whose message an operator can act on
 * ({@link #reason}): certificate not trusted (naming its subject and issuer), host name mismatch,
 * client certificate refused by the peer, protocol version refused.
 */
public final class DicomTls {
    private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};
    private final SSLContext context;
    private final boolean verifyHostname;
    private final boolean clientCertificate;

    private DicomTls(SSLContext context, boolean verifyHostname, boolean clientCertificate) {
        this.context = context;
        this.verifyHostname = verifyHostname;
        this.clientCertificate = clientCertificate;
    }

    /**
     * Reads the PEM files.
     *
     * @param caFile         the CA certificates to trust (PEM bundle), required
     * @param certFile       our certificate (chain) for mutual TLS, or null
     * @param keyFile        its private key, or null (both or neither)
     * @param verifyHostname whether the server certificate must name the host we connect to
     * @param property       the property prefix for messages, e.g. {@code pacs.nodes.archive.}
     * @throws IllegalArgumentException naming the property of a missing, unreadable or invalid file
     */
    public static DicomTls fromPem(Path caFile, Path certFile, Path keyFile, boolean verifyHostname, String property) {
        if (caFile == null) {
            throw new IllegalArgumentException(property + "tls-ca-file is required with " + property + "tls=true"
                    + " (the PEM bundle of the CA that signed the node's certificate)");
        }
        if ((certFile == null) != (keyFile == null)) {
            throw new IllegalArgumentException(property + "tls-cert-file and " + property
                    + "tls-key-file go together (mutual TLS): set both or neither");
        }
        try {
            KeyStore trust = trustStore(caFile, property + "tls-ca-file");
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            X509ExtendedTrustManager jdk = null;
            for (TrustManager tm : tmf.getTrustManagers()) {
                if (tm instanceof X509ExtendedTrustManager x) {
                    jdk = x;
                }
            }
            KeyManager[] keys = null;
            if (certFile != null) {
                KeyStore own = keyStore(certFile, keyFile, property);
                KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(own, KeyStoreHelper.DUMMY_PASSWORD.toCharArray());
                keys = kmf.getKeyManagers();
            }
            X509ExtendedKeyManager own = null;
            if (keys != null) {
                for (KeyManager k : keys) {
                    if (k instanceof X509ExtendedKeyManager x) {
                        own = x;
                    }
                }
            }
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(new KeyManager[] {new Noting(own)}, new TrustManager[] {new Explaining(jdk)}, null);
            return new DicomTls(ctx, verifyHostname, certFile != null);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException(property + "tls: " + e.getMessage());
        }
    }

    /** The CA certificates of a PEM bundle as a trust store; errors name {@code key}. */
    private static KeyStore trustStore(Path caFile, String key) throws GeneralSecurityException, IOException {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        Collection<? extends Certificate> cas;
        try (InputStream in = Files.newInputStream(caFile)) {
            cas = CertificateFactory.getInstance("X.509").generateCertificates(in);
        } catch (IOException e) {
            throw new IllegalArgumentException(key + "=" + caFile + " cannot be read: " + e.getMessage());
        } catch (CertificateException e) {
            throw new IllegalArgumentException(key + "=" + caFile + " is not a PEM certificate bundle");
        }
        if (cas.isEmpty()) {
            throw new IllegalArgumentException(key + "=" + caFile + " holds no certificate");
        }
        int i = 0;
        for (Certificate c : cas) {
            trust.setCertificateEntry("ca" + i++, c);
        }
        return trust;
    }

    /** A PEM certificate (chain) and private key as a key store; errors name {@code property}tls-cert-file. */
    private static KeyStore keyStore(Path certFile, Path keyFile, String property) {
        KeyStore own;
        try {
            own = new PemKeyCertOptions()
                    .setCertValue(Buffer.buffer(Files.readAllBytes(certFile)))
                    .setKeyValue(Buffer.buffer(Files.readAllBytes(keyFile)))
                    .loadKeyStore(null);
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    property + "tls-cert-file / tls-key-file cannot be read: " + e.getMessage());
        } catch (Exception e) {
            throw new IllegalArgumentException(property + "tls-cert-file=" + certFile + " / tls-key-file="
                    + keyFile + " are not a PEM certificate and private key ("
                    + e.getClass().getSimpleName() + ")");
        }
        return own;
    }

    /**
     * A TLS server socket for opshub's SCP (PS3.15 Annex B, BCP 195: TLS 1.2 and 1.3): our certificate and
     * key, and mutual TLS: a client must present a certificate a CA of {@code caFile} signed.
     *
     * @param property the property prefix for messages, e.g. {@code pacs.scp.}
     * @throws IllegalArgumentException naming the property of a missing, unreadable or invalid file
     * @throws IOException              when the address cannot be bound
     */
    public static ServerSocket serverSocket(
            Path caFile, Path certFile, Path keyFile, String property, InetAddress bind, int port) throws IOException {
        SSLContext ctx;
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trustStore(caFile, property + "tls-ca-file"));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keyStore(certFile, keyFile, property), KeyStoreHelper.DUMMY_PASSWORD.toCharArray());
            ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(property + "tls: " + e.getMessage());
        }
        SSLServerSocket server = (SSLServerSocket) ctx.getServerSocketFactory().createServerSocket();
        server.setReuseAddress(true);
        server.setEnabledProtocols(PROTOCOLS);
        server.setNeedClientAuth(true);
        server.bind(new InetSocketAddress(bind, port), 50);
        return server;
    }

    /** Whether we present a client certificate (mutual TLS). */
    public boolean clientCertificate() {
        return clientCertificate;
    }

    /** Whether the peer asked for our certificate in the handshake this thread just made (TLS CertificateRequest). */
    private static final ThreadLocal<boolean[]> REQUESTED = ThreadLocal.withInitial(() -> new boolean[1]);

    /** Whether the last handshake of this thread was asked for a client certificate. */
    static boolean clientCertificateRequested() {
        return REQUESTED.get()[0];
    }

    /**
     * Layers TLS over a connected socket and completes the handshake within the socket's timeout.
     *
     * @throws DicomTlsException with the reason when the handshake fails
     */
    SSLSocket handshake(Socket plain, DicomNode node) throws IOException {
        SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket(plain, node.host(), node.port(), true);
        SSLParameters p = s.getSSLParameters();
        p.setProtocols(PROTOCOLS);
        if (verifyHostname) {
            p.setEndpointIdentificationAlgorithm("HTTPS"); // RFC 2818 / RFC 6125 name checks, as BCP 195 asks
        }
        s.setSSLParameters(p);
        REQUESTED.get()[0] = false;
        try {
            s.startHandshake();
        } catch (SSLException e) {
            throw new DicomTlsException(reason(e, node, clientCertificate), e);
        }
        return s;
    }

    /**
     * After a write failed on a TLS socket: reads what the peer sent before it closed (within 1 s), which
     * surfaces its TLS alert as an {@link SSLException}.
     *
     * @return that exception, or null when there was none
     */
    static SSLException pendingAlert(Socket socket) {
        try {
            socket.setSoTimeout(1000);
            socket.getInputStream().read();
            return null;
        } catch (SSLException e) {
            return e;
        } catch (IOException e) {
            return null;
        }
    }

    /** What went wrong in a TLS handshake or a TLS read, for an operator. */
    static String reason(SSLException e, DicomNode node, boolean clientCertificate) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ExplainedCertificateException x) {
                return "TLS to " + node + ": " + x.getMessage();
            }
        }
        String m = String.valueOf(e.getMessage());
        if (m.contains("protocol_version") || m.contains("protocol version") || m.contains("No appropriate protocol")) {
            return "TLS to " + node + ": protocol version refused (" + m + "); opshub speaks TLS 1.2 and 1.3 only";
        }
        if (m.contains("certificate_required")
                || m.contains("bad_certificate")
                || m.contains("unknown_ca")
                || m.contains("certificate_unknown")
                || m.contains("access_denied")) {
            return "TLS to " + node + ": client certificate refused by the peer (" + m + ")"
                    + (clientCertificate
                            ? "; it does not trust the certificate of tls-cert-file"
                            : "; it requires one: set tls-cert-file and tls-key-file");
        }
        return "TLS handshake with " + node + " failed: " + m;
    }

    /**
     * Our key manager (or none), noting when the peer asks for a client certificate: the JDK asks for an
     * alias only then.
     */
    private static final class Noting extends X509ExtendedKeyManager {
        private final X509ExtendedKeyManager own;

        Noting(X509ExtendedKeyManager own) {
            this.own = own;
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            REQUESTED.get()[0] = true;
            return own == null ? null : own.chooseClientAlias(keyType, issuers, socket);
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            REQUESTED.get()[0] = true;
            return own == null ? null : own.chooseEngineClientAlias(keyType, issuers, engine);
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return own == null ? null : own.getClientAliases(keyType, issuers);
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return null;
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return own == null ? null : own.getCertificateChain(alias);
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return own == null ? null : own.getPrivateKey(alias);
        }
    }

    /** A server certificate that failed its checks, explained. */
    static final class ExplainedCertificateException extends CertificateException {
        ExplainedCertificateException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The JDK's trust manager, its refusals rewritten to name the certificate and what is wrong with it. */
    private static final class Explaining extends X509ExtendedTrustManager {
        private final X509ExtendedTrustManager jdk;

        Explaining(X509ExtendedTrustManager jdk) {
            this.jdk = jdk;
        }

        private static CertificateException explain(CertificateException e, X509Certificate[] chain) {
            X509Certificate leaf = chain == null || chain.length == 0 ? null : chain[0];
            String who = leaf == null
                    ? "the certificate"
                    : "certificate " + leaf.getSubjectX500Principal().getName() + " (issuer "
                            + leaf.getIssuerX500Principal().getName() + ")";
            String m = String.valueOf(e.getMessage());
            if (m.contains("matching") || m.contains("No subject alternative")) {
                return new ExplainedCertificateException(
                        "host name mismatch: " + who + " does not name the host" + " connected to (" + m
                                + "); use a name it holds, or set tls-verify-hostname=false",
                        e);
            }
            if (m.contains("expired") || m.contains("not yet valid") || e instanceof CertificateExpiredException) {
                return new ExplainedCertificateException(who + " is outside its validity (" + m + ")", e);
            }
            return new ExplainedCertificateException(
                    who + " is not trusted: no CA of tls-ca-file signed it (" + m + ")", e);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            try {
                jdk.checkServerTrusted(chain, authType, socket);
            } catch (CertificateException e) {
                throw explain(e, chain);
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            try {
                jdk.checkServerTrusted(chain, authType, engine);
            } catch (CertificateException e) {
                throw explain(e, chain);
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            try {
                jdk.checkServerTrusted(chain, authType);
            } catch (CertificateException e) {
                throw explain(e, chain);
            }
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            throw new CertificateException("an SCU does not accept clients");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            throw new CertificateException("an SCU does not accept clients");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("an SCU does not accept clients");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return jdk.getAcceptedIssuers();
        }
    }
}

package org.opshub.pacs;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import org.opshub.dicom.DicomTls;
import org.opshub.dicom.ScuSettings;
import org.opshub.dicomweb.QidoClient;

/** How one node of {@code pacs.nodes.<node>.*} is reached besides plain DIMSE: QIDO-RS and DICOM TLS. */
final class PacsNodeSettings {
    private PacsNodeSettings() {}

    /**
     * {@code <p>qido-url} (http or https) with {@code qido-user}/{@code qido-password} or {@code qido-token},
     * {@code qido-page-size} (default 1000) and {@code qido-timeout} (default PT30S); null without a URL.
     */
    static QidoClient qido(Function<String, String> get, String p, ScuSettings scu) {
        String url = get.apply(p + "qido-url").replaceAll("/+$", "");
        if (url.isEmpty()) {
            for (String k : List.of("qido-user", "qido-password", "qido-token")) {
                if (!get.apply(p + k).isEmpty()) {
                    throw new IllegalArgumentException(p + k + " is set but " + p + "qido-url is not");
                }
            }
            return null;
        }
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            uri = null;
        }
        if (uri == null
                || uri.getHost() == null
                || !List.of("http", "https").contains(String.valueOf(uri.getScheme()))) {
            throw new IllegalArgumentException(
                    p + "qido-url must be an http:// or https:// URL of the DICOMweb service root,"
                            + " e.g. https://archive.example/dicom-web");
        }
        if (uri.getUserInfo() != null) {
            throw new IllegalArgumentException(
                    p + "qido-url must not carry credentials: use " + p + "qido-user and " + p + "qido-password");
        }
        String user = get.apply(p + "qido-user");
        String token = get.apply(p + "qido-token");
        if (!user.isEmpty() && !token.isEmpty()) {
            throw new IllegalArgumentException(
                    p + "qido-user and " + p + "qido-token exclude each other (basic or bearer)");
        }
        int pageSize = PacsSettings.integer(get, p + "qido-page-size", 1000);
        if (pageSize < 1) {
            throw new IllegalArgumentException(p + "qido-page-size must be at least 1");
        }
        String password = get.apply(p + "qido-password");
        return new QidoClient(new QidoClient.Settings(
                uri,
                user.isEmpty() ? null : user,
                password.isEmpty() ? null : password,
                token.isEmpty() ? null : token,
                pageSize,
                PacsSettings.duration(get, p + "qido-timeout", "PT30S"),
                scu.maxMatches(),
                p));
    }

    /**
     * {@code <p>tls=true} with {@code tls-ca-file}, optional {@code tls-cert-file}/{@code tls-key-file} and
     * {@code tls-verify-hostname} (default true); null without {@code tls=true}.
     */
    static DicomTls tls(Function<String, String> get, String p) {
        String on = get.apply(p + "tls");
        if (!on.isEmpty() && !on.equalsIgnoreCase("true") && !on.equalsIgnoreCase("false")) {
            throw new IllegalArgumentException(p + "tls=" + on + " is not true or false");
        }
        String verify = get.apply(p + "tls-verify-hostname");
        if (!verify.isEmpty() && !verify.equalsIgnoreCase("true") && !verify.equalsIgnoreCase("false")) {
            throw new IllegalArgumentException(p + "tls-verify-hostname=" + verify + " is not true or false");
        }
        if (!Boolean.parseBoolean(on)) {
            for (String k : List.of("tls-ca-file", "tls-cert-file", "tls-key-file")) {
                if (!get.apply(p + k).isEmpty()) {
                    throw new IllegalArgumentException(p + k + " is set but " + p + "tls is not true");
                }
            }
            return null;
        }
        Function<String, Path> file = k -> get.apply(p + k).isEmpty() ? null : Path.of(get.apply(p + k));
        return DicomTls.fromPem(
                file.apply("tls-ca-file"),
                file.apply("tls-cert-file"),
                file.apply("tls-key-file"),
                verify.isEmpty() || Boolean.parseBoolean(verify),
                p);
    }
}

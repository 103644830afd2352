package org.opshub.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.opshub.dicom.DicomClient;
import org.opshub.dicom.DicomNode;
import org.opshub.dicom.ScuSettings;

/**
 * dcmtk's dcmqrscp (Debian) as a third, independent SCP: AE {@code QRSCP} on loopback, answers in
 * ISO_IR 192, loaded with storescu. Default fork mode ({@code -s} segfaults at A-RELEASE in 3.6.7).
 */
final class QrScp {
    private QrScp() {}

    /**
     * Starts dcmqrscp on {@code port} and loads {@code files} into it.
     *
     * @param hostTable HostTable lines: the AEs it may C-MOVE to, e.g. {@code DST = (DST, 127.0.0.1, 14247)}
     * @return the process; destroy it when done
     */
    static Process start(Path dir, int port, List<String> hostTable, List<String> files) throws Exception {
        Path db = Files.createDirectories(dir.resolve("qrdb"));
        Path cfg = dir.resolve("dcmqrscp.cfg");
        List<String> lines = new ArrayList<>(List.of(
                "NetworkTCPPort = " + port,
                "MaxPDUSize = 16384",
                "MaxAssociations = 16",
                "SpecificCharacterSet = \"ISO_IR 192\", override",
                "HostTable BEGIN"));
        lines.addAll(hostTable);
        lines.addAll(List.of(
                "HostTable END",
                "VendorTable BEGIN",
                "VendorTable END",
                "AETable BEGIN",
                "QRSCP " + db + " RW (500, 1024mb) ANY",
                "AETable END",
                ""));
        Files.writeString(cfg, String.join("\n", lines));
        ProcessBuilder pb = new ProcessBuilder("dcmqrscp", "-c", cfg.toString());
        pb.environment().put("TCP_NODELAY", "1");
        Process qrscp = pb.redirectErrorStream(true)
                .redirectOutput(dir.resolve("dcmqrscp.log").toFile())
                .start();
        DicomClient client = new DicomClient(ScuSettings.defaults("OPSHUB"));
        long deadline = System.currentTimeMillis() + 10_000;
        while (true) {
            try {
                client.echo(new DicomNode("QRSCP", "127.0.0.1", port));
                break;
            } catch (IOException e) {
                if (System.currentTimeMillis() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
        List<String> cmd = new ArrayList<>(List.of("storescu", "-aec", "QRSCP", "127.0.0.1", Integer.toString(port)));
        cmd.addAll(files);
        ProcessBuilder st = new ProcessBuilder(cmd).redirectErrorStream(true);
        st.environment().put("TCP_NODELAY", "1");
        Process p = st.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "storescu: " + out);
        return qrscp;
    }
}

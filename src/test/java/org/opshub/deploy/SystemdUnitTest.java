package org.opshub.deploy;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The shipped systemd unit, as systemd's own analyzer scores it offline: an exposure of 2.0 or
 * lower, and the settings ping-check and the state directory rely on. Tagged interop: it needs
 * systemd-analyze, which scripts/install-deps.sh installs for the README's test command.
 */
@Tag("interop")
class SystemdUnitTest {
    private static final Path UNIT = Path.of("deploy/systemd/opshub.service");

    @Test
    void theUnitIsHardenedToAnExposureOfTwoOrLess() throws Exception {
        Process p = new ProcessBuilder("systemd-analyze", "security", "--offline=true", "--no-pager", UNIT.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), out);
        Matcher m = Pattern.compile("Overall exposure level for opshub.service: (\\d+\\.\\d+)")
                .matcher(out);
        assertTrue(m.find(), out);
        System.out.println("systemd-analyze security --offline=true " + UNIT + ": exposure " + m.group(1));
        assertTrue(Double.parseDouble(m.group(1)) <= 2.0, out);
    }

    @Test
    void pingAndTheStateDirectoryKeepWhatTheyNeed() throws Exception {
        String unit = Files.readString(UNIT);
        for (String line : new String[] {
            "AmbientCapabilities=CAP_NET_RAW",
            "CapabilityBoundingSet=CAP_NET_RAW",
            "ProtectSystem=strict",
            "ReadWritePaths=/var/lib/opshub",
            "StateDirectory=opshub",
            "UMask=0077",
            "NoNewPrivileges=true",
            "SystemCallFilter=@system-service"
        }) {
            assertTrue(unit.lines().anyMatch(line::equals), line);
        }
        assertTrue(
                unit.lines()
                        .filter(l -> l.startsWith("RestrictAddressFamilies="))
                        .allMatch(l -> l.contains("AF_INET ") && l.contains("AF_INET6")),
                "ICMP (ping-check), TCP and UDP need AF_INET/AF_INET6");
        assertTrue(
                unit.lines().noneMatch(l -> l.startsWith("MemoryDenyWriteExecute=true")), "the JIT needs W+X memory");
    }
}

package org.opshub.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.nio.file.Files;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** docs/configuration.md is generated from application.properties and says every key. */
class ConfigurationDocTest {
    @Test
    void thePageIsTheOneGeneratedFromTheProperties() throws Exception {
        assertEquals(
                ConfigurationDoc.render(Files.readString(ConfigurationDoc.PROPERTIES)),
                Files.readString(ConfigurationDoc.PAGE),
                "docs/configuration.md differs from application.properties: run scripts/configuration-doc.sh");
    }

    @Test
    void everyKeyIsOnThePageWithItsDefault() throws Exception {
        Properties p = new Properties();
        p.load(new StringReader(Files.readString(ConfigurationDoc.PROPERTIES)));
        String page = Files.readString(ConfigurationDoc.PAGE);
        for (String key : p.stringPropertyNames()) {
            String value = p.getProperty(key).strip();
            String row =
                    "| `" + key + "` | " + (value.isEmpty() ? "empty" : "`" + value.replace("|", "\\|") + "`") + " |";
            assertTrue(page.contains(row), "docs/configuration.md lacks " + row);
        }
    }

    @Test
    void sectionsDescriptionsAndExamplesComeFromTheComments() {
        String page = ConfigurationDoc.render(
                "# --- PACS ----\n# the calling AE title\npacs.calling-ae-title=OPSHUB\n\n# a node:\n# pacs.nodes.src.host=10.0.0.10\n\n"
                        + "# one | two\nx.y=\n");
        assertTrue(page.contains("\n## PACS\n"), page);
        assertTrue(page.contains("| `pacs.calling-ae-title` | `OPSHUB` | the calling AE title |"), page);
        assertTrue(page.contains("a node:\n\n```properties\npacs.nodes.src.host=10.0.0.10\n```"), page);
        assertTrue(page.contains("| `x.y` | empty | one \\| two |"), page);
        String pair = ConfigurationDoc.render("# width and height\nw=1\nh=2\n\nalone=3\n");
        assertTrue(pair.contains("| `h` | `2` | as the key above |"), pair);
        assertTrue(pair.contains("| `alone` | `3` |  |"), pair);
    }
}

package org.opshub.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code docs/configuration.md}, generated from {@code application.properties} and its comments, so
 * that the settings are written once: each {@code # --- Title ---} line opens a section, the comment
 * lines right above a key (or a run of keys) describe it, and a comment block with no key under it is
 * a paragraph of its section (commented-out example keys become a code block). {@link
 * ConfigurationDocTest} fails when the page and the file differ; {@code scripts/configuration-doc.sh}
 * writes the page.
 */
public final class ConfigurationDoc {
    static final Path PROPERTIES = Path.of("application.properties");
    static final Path PAGE = Path.of("docs/configuration.md");

    private static final Pattern SECTION = Pattern.compile("^# -{3} ?(.*?)[ -]*$");
    private static final Pattern KEY = Pattern.compile("^([A-Za-z0-9_.\\-]+)=(.*)$");
    private static final Pattern EXAMPLE = Pattern.compile("^ ?[A-Za-z0-9_.\\-]+=.*$");

    private ConfigurationDoc() {}

    /** The page for the text of an {@code application.properties}. */
    public static String render(String properties) {
        StringBuilder out = new StringBuilder();
        out.append("# Configuration\n\n")
                .append(
                        "Every key of `application.properties`, with its default and what it does. This page is generated\n")
                .append(
                        "from that file and its comments (`scripts/configuration-doc.sh`; a test fails when they differ):\n")
                .append(
                        "edit the file, not this page. How settings are read and overridden, and what a bad one does:\n")
                .append("[deploy.md](deploy.md#configuration).\n");
        List<String> comment = new ArrayList<>();
        boolean table = false;
        // the key right above had a description, and nothing stands between: a key without its own
        // comment is described by it (e.g. a width and its height)
        boolean described = false;
        for (String line : properties.split("\n", -1)) {
            String l = line.stripTrailing();
            Matcher section = SECTION.matcher(l);
            Matcher key = KEY.matcher(l);
            if (!key.matches()) {
                described = false;
            }
            if (section.matches()) {
                paragraph(out, comment, table);
                table = false;
                out.append("\n## ").append(section.group(1).strip()).append("\n");
            } else if (l.startsWith("#")) {
                comment.add(l.length() > 1 && l.charAt(1) == ' ' ? l.substring(2) : l.substring(1));
            } else if (key.matches()) {
                if (!table) {
                    out.append("\n| key | default | what it does |\n|---|---|---|\n");
                    table = true;
                }
                String value = key.group(2).strip();
                String what = String.join(" ", comment).strip();
                if (what.isEmpty() && described) {
                    what = "as the key above";
                }
                described = !what.isEmpty();
                out.append("| `")
                        .append(key.group(1))
                        .append("` | ")
                        .append(value.isEmpty() ? "empty" : "`" + cell(value) + "`")
                        .append(" | ")
                        .append(cell(what))
                        .append(" |\n");
                comment.clear();
            } else if (l.isEmpty()) {
                table = paragraph(out, comment, table);
            }
        }
        paragraph(out, comment, table);
        return out.toString();
    }

    /** Writes the pending comment lines as a paragraph (and example keys as a code block); ends a table. */
    private static boolean paragraph(StringBuilder out, List<String> comment, boolean table) {
        if (comment.isEmpty()) {
            return table;
        }
        List<String> text = new ArrayList<>();
        List<String> examples = new ArrayList<>();
        for (String c : comment) {
            (EXAMPLE.matcher(c).matches() ? examples : text).add(c.strip());
        }
        out.append("\n");
        if (!text.isEmpty()) {
            out.append(String.join("\n", text)).append("\n");
        }
        if (!examples.isEmpty()) {
            out.append(text.isEmpty() ? "" : "\n")
                    .append("```properties\n")
                    .append(String.join("\n", examples))
                    .append("\n```\n");
        }
        comment.clear();
        return false;
    }

    private static String cell(String s) {
        return s.replace("|", "\\|");
    }

    /** Writes {@code docs/configuration.md} from {@code application.properties} (run from the project directory). */
    public static void main(String[] args) throws IOException {
        Files.createDirectories(PAGE.getParent());
        Files.writeString(PAGE, render(Files.readString(PROPERTIES)));
        System.out.println("wrote " + PAGE);
    }
}

package org.opshub.telegram.outbox;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Bot API's HTML parse mode (core.telegram.org/bots/api#html-style): escaping values, and
 * turning a message back into plain text when Telegram refuses its entities.
 */
public final class Html {
    private static final Pattern LINK = Pattern.compile("<a\\s+href=\"([^\"]*)\"\\s*>(.*?)</a>", Pattern.DOTALL);
    private static final Pattern TAG = Pattern.compile("</?[a-zA-Z][^>]*>");
    private static final Pattern ENTITY = Pattern.compile("&(#x[0-9a-fA-F]+|#[0-9]+|lt|gt|amp|quot);");

    private Html() {}

    /** Escapes {@code & < > "} so that a value is shown literally. {@code null} becomes "". */
    public static String escape(String value) {
        if (value == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(value.length() + 16);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /** Plain text of an HTML-mode message: links become "text (url)", tags go, entities decode. */
    public static String toPlain(String html) {
        Matcher links = LINK.matcher(html);
        StringBuilder b = new StringBuilder();
        while (links.find()) {
            links.appendReplacement(b, Matcher.quoteReplacement(links.group(2) + " (" + links.group(1) + ")"));
        }
        links.appendTail(b);
        String noTags = TAG.matcher(b).replaceAll("");
        Matcher e = ENTITY.matcher(noTags);
        StringBuilder out = new StringBuilder();
        while (e.find()) {
            String n = e.group(1);
            String r = switch (n) {
                case "lt" -> "<";
                case "gt" -> ">";
                case "amp" -> "&";
                case "quot" -> "\"";
                default ->
                    new String(Character.toChars(
                            n.startsWith("#x")
                                    ? Integer.parseInt(n.substring(2), 16)
                                    : Integer.parseInt(n.substring(1))));
            };
            e.appendReplacement(out, Matcher.quoteReplacement(r));
        }
        e.appendTail(out);
        return out.toString();
    }
}

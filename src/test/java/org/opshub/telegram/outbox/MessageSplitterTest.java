package org.opshub.telegram.outbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class MessageSplitterTest {

    @Test
    void aShortMessageStaysWhole() {
        assertEquals(List.of("<b>a</b>\nb"), MessageSplitter.split("<b>a</b>\nb", 4096));
    }

    @Test
    void cutsAtLineBoundaries() {
        String text = "line one\nline two\nline three";
        assertEquals(List.of("line one\nline two", "line three"), MessageSplitter.split(text, 18));
    }

    @Test
    void aTagSpanningTheCutIsClosedAndReopened() {
        String text = "<pre>first line\nsecond line\nthird line</pre>";
        List<String> parts = MessageSplitter.split(text, 34);
        assertEquals(List.of("<pre>first line\nsecond line</pre>", "<pre>third line</pre>"), parts);
    }

    @Test
    void anOverlongLineIsCutBetweenCharactersNeverInsideATagOrEntity() {
        String line = "<a href=\"http://x/y\">" + "&amp;".repeat(30) + "</a>" + "z".repeat(30);
        List<String> parts = MessageSplitter.split(line, 40);
        for (String p : parts) {
            assertTrue(p.length() <= 40, p);
            assertTrue(!p.matches(".*&[a-z]{0,3}$") && !p.matches("^[a-z]{1,3};.*"), "entity cut: " + p);
            assertEquals(count(p, "<a "), count(p, "</a>"), "unbalanced: " + p);
        }
        String joined = String.join("", parts).replace("</a><a href=\"http://x/y\">", "");
        assertEquals(line, joined);
    }

    @Test
    void surrogatePairsStayWhole() {
        String text = "\uD83D\uDD25".repeat(10);
        for (String p : MessageSplitter.split(text, 5)) {
            assertTrue(!Character.isHighSurrogate(p.charAt(p.length() - 1)), p);
        }
    }

    private static int count(String s, String sub) {
        return s.split(Pattern.quote(sub), -1).length - 1;
    }
}

package org.opshub.telegram.outbox;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class HtmlTest {
    @Test
    void escapesTheFourSpecialCharacters() {
        assertEquals("a &lt;b&gt; &amp; &quot;c&quot;", Html.escape("a <b> & \"c\""));
        assertEquals("", Html.escape(null));
    }

    @Test
    void plainTextKeepsLinkTargetsAndDecodesEntities() {
        assertEquals(
                "FIRING x < y & z\nSource (http://p/g?a=1&b=2)",
                Html.toPlain("<b>FIRING</b> x &lt; y &amp; z\n<a href=\"http://p/g?a=1&amp;b=2\">Source</a>"));
        assertEquals("\u00e9 \u20ac", Html.toPlain("&#233; &#x20AC;"));
    }
}

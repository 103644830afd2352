package org.opshub.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class AlertTemplateTest {
    @Test
    void linesLeftEmptyByAbsentValuesGo() {
        String rendered =
                "\uD83D\uDD25 <b>FIRING</b> X [none]\n<b></b>\n\n\ninstance: a\nStarted: t\nEnded: \n<a href=\"\">Source</a>\n";
        assertEquals("\uD83D\uDD25 <b>FIRING</b> X [none]\n\ninstance: a\nStarted: t", AlertInbox.tidy(rendered));
    }
}

package org.opshub.telegram.outbox;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;

/**
 * Splits an HTML-mode message into parts the Bot API accepts (sendMessage: 1-4096 characters).
 * Cuts at line boundaries; a single line longer than the limit is cut between characters, never
 * inside a tag or an entity. Tags open at a cut are closed at the end of one part and re-opened
 * at the start of the next, so every part is valid on its own.
 */
public final class MessageSplitter {
    /** Telegram's limit for one text message, in characters. */
    public static final int TELEGRAM_LIMIT = 4096;

    private MessageSplitter() {}

    private record OpenTag(String name, String text) {}

    /** The parts of {@code text}, each at most {@code limit} characters; one part when it fits. */
    public static List<String> split(String text, int limit) {
        if (text.length() <= limit) {
            return List.of(text);
        }
        List<String> parts = new ArrayList<>();
        Deque<OpenTag> open = new ArrayDeque<>();
        StringBuilder cur = new StringBuilder();
        int prefix = 0;
        String[] lines = text.split("\n", -1);
        for (int li = 0; li < lines.length; li++) {
            String line = lines[li];
            String piece = cur.length() > prefix ? "\n" + line : line;
            Deque<OpenTag> after = apply(open, line);
            if (cur.length() + piece.length() + closers(after).length() <= limit) {
                cur.append(piece);
                open = after;
                continue;
            }
            if (cur.length() > prefix) {
                parts.add(cur + closers(open));
                cur = new StringBuilder(openers(open));
                prefix = cur.length();
                if (cur.length() + line.length() + closers(after).length() <= limit) {
                    cur.append(line);
                    open = after;
                    continue;
                }
            }
            for (String token : tokens(line)) {
                Deque<OpenTag> next = apply(open, token);
                if (cur.length() + token.length() + closers(next).length() > limit && cur.length() > prefix) {
                    parts.add(cur + closers(open));
                    cur = new StringBuilder(openers(open));
                    prefix = cur.length();
                }
                cur.append(token);
                open = next;
            }
        }
        if (cur.length() > prefix) {
            parts.add(cur + closers(open));
        }
        return parts;
    }

    /** Tags, entities and single characters (surrogate pairs kept whole). */
    static List<String> tokens(String s) {
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            int end = i + 1;
            if (c == '<') {
                int gt = s.indexOf('>', i);
                end = gt < 0 ? i + 1 : gt + 1;
            } else if (c == '&') {
                int semi = s.indexOf(';', i);
                end = semi > i && semi - i <= 10 ? semi + 1 : i + 1;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length()) {
                end = i + 2;
            }
            out.add(s.substring(i, end));
            i = end;
        }
        return out;
    }

    private static Deque<OpenTag> apply(Deque<OpenTag> open, String text) {
        Deque<OpenTag> next = new ArrayDeque<>(open);
        int i = text.indexOf('<');
        while (i >= 0) {
            int gt = text.indexOf('>', i);
            if (gt < 0) {
                break;
            }
            String tag = text.substring(i, gt + 1);
            if (tag.startsWith("</")) {
                String name = name(tag.substring(2));
                for (Iterator<OpenTag> it = next.iterator(); it.hasNext(); ) {
                    if (it.next().name().equals(name)) {
                        while (!next.pop().name().equals(name)) {
                            // drop tags left open inside the closed one
                        }
                        break;
                    }
                }
            } else if (tag.length() > 2 && Character.isLetter(tag.charAt(1)) && !tag.endsWith("/>")) {
                next.push(new OpenTag(name(tag.substring(1)), tag));
            }
            i = text.indexOf('<', gt);
        }
        return next;
    }

    private static String name(String afterBracket) {
        int end = 0;
        while (end < afterBracket.length() && Character.isLetterOrDigit(afterBracket.charAt(end))) {
            end++;
        }
        return afterBracket.substring(0, end).toLowerCase();
    }

    private static String closers(Deque<OpenTag> open) {
        StringBuilder b = new StringBuilder();
        for (OpenTag t : open) {
            b.append("</").append(t.name()).append('>');
        }
        return b.toString();
    }

    private static String openers(Deque<OpenTag> open) {
        StringBuilder b = new StringBuilder();
        for (Iterator<OpenTag> it = open.descendingIterator(); it.hasNext(); ) {
            b.append(it.next().text());
        }
        return b.toString();
    }
}

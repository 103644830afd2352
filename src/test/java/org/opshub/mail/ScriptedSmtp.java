package org.opshub.mail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An SMTP server on loopback (RFC 5321) whose answer to each {@code RCPT TO} is scripted: {@code 451}
 * (try again later), {@code 550} (refused for good), then {@code 250}. It records every recipient it
 * was asked for and every message it took.
 */
final class ScriptedSmtp implements AutoCloseable {
    private final ServerSocket server;
    private final Deque<String> rcptAnswers = new ConcurrentLinkedDeque<>();
    final List<String> recipients = new CopyOnWriteArrayList<>();
    final List<String> accepted = new CopyOnWriteArrayList<>();

    ScriptedSmtp() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::serve, "scripted-smtp");
        t.setDaemon(true);
        t.start();
    }

    int port() {
        return server.getLocalPort();
    }

    /** The next answers to RCPT TO, e.g. {@code "451 4.3.0 try later"}; then 250. */
    void script(String... answers) {
        rcptAnswers.addAll(List.of(answers));
    }

    private void serve() {
        while (!server.isClosed()) {
            try (Socket s = server.accept()) {
                session(s);
            } catch (IOException e) {
                // the client went away, or the server closed
            }
        }
    }

    private void session(Socket s) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
        OutputStream out = s.getOutputStream();
        say(out, "220 scripted ESMTP");
        String line;
        String to = null;
        while ((line = in.readLine()) != null) {
            String verb = line.length() < 4
                    ? line.toUpperCase()
                    : line.substring(0, 4).toUpperCase();
            switch (verb) {
                case "EHLO" -> say(out, "250-scripted\r\n250 8BITMIME");
                case "HELO", "MAIL", "RSET", "NOOP" -> say(out, "250 OK");
                case "RCPT" -> {
                    to = line;
                    recipients.add(line);
                    String a = rcptAnswers.poll();
                    say(out, a == null ? "250 OK" : a);
                }
                case "DATA" -> {
                    say(out, "354 go on");
                    StringBuilder data = new StringBuilder();
                    while ((line = in.readLine()) != null && !line.equals(".")) {
                        data.append(line).append('\n');
                    }
                    accepted.add(to + "\n" + data);
                    say(out, "250 queued");
                }
                case "QUIT" -> {
                    say(out, "221 bye");
                    return;
                }
                default -> say(out, "502 not implemented");
            }
        }
    }

    private static void say(OutputStream out, String reply) throws IOException {
        out.write((reply + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}

package org.opshub.http;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.io.EofSensorInputStream;
import org.apache.hc.core5.http.io.entity.HttpEntityWrapper;

/**
 * An answer body that may be read up to {@code maxBytes} only: one byte more (or a declared
 * Content-Length above it) throws {@link BodyTooLargeException} and drops the connection instead
 * of reading the rest, so a huge or endless answer costs neither memory nor time.
 */
final class CappedEntity extends HttpEntityWrapper {
    private final long maxBytes;
    /** Set once the cap is passed: from then on nothing closes (drains) the connection's stream. */
    private volatile boolean exceeded;

    CappedEntity(HttpEntity wrapped, long maxBytes) {
        super(wrapped);
        this.maxBytes = maxBytes;
    }

    /** An answer larger than the cap (its message names the cap in bytes). */
    static final class BodyTooLargeException extends IOException {
        BodyTooLargeException(long maxBytes) {
            super("answer body larger than " + maxBytes + " bytes; connection dropped");
        }
    }

    @Override
    public InputStream getContent() throws IOException {
        InputStream in = super.getContent();
        if (in == null) {
            return null;
        }
        if (exceeded || getContentLength() > maxBytes) {
            abort(in);
            throw new BodyTooLargeException(maxBytes);
        }
        return new FilterInputStream(in) {
            private long read;

            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) {
                    count(1);
                }
                return b;
            }

            @Override
            public int read(byte[] buf, int off, int len) throws IOException {
                int n = super.read(buf, off, len);
                if (n > 0) {
                    count(n);
                }
                return n;
            }

            @Override
            public void close() throws IOException {
                if (exceeded) {
                    // closing would read the rest of the body to reuse the connection; refusing makes the
                    // client discard the connection instead
                    throw new BodyTooLargeException(maxBytes);
                }
                super.close();
            }

            private void count(int n) throws IOException {
                read += n;
                if (read > maxBytes) {
                    abort(in);
                    throw new BodyTooLargeException(maxBytes);
                }
            }
        };
    }

    @Override
    public void writeTo(OutputStream out) throws IOException {
        try (InputStream in = getContent()) {
            if (in != null) {
                in.transferTo(out);
            }
        }
    }

    @Override
    public boolean isStreaming() {
        return true;
    }

    @Override
    public void close() throws IOException {
        if (exceeded) {
            throw new BodyTooLargeException(maxBytes);
        }
        super.close();
    }

    /** Drops the connection when this stream can (HttpClient's own); otherwise marks it never to be drained. */
    private void abort(InputStream in) throws IOException {
        exceeded = true;
        if (in instanceof EofSensorInputStream sensor) {
            sensor.abort();
        }
    }
}

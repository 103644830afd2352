package org.opshub.observe;

import ch.qos.logback.classic.pattern.ThrowableProxyConverter;
import ch.qos.logback.classic.spi.IThrowableProxy;
import org.opshub.config.Secrets;

/**
 * Logback's exception converter through {@link Secrets#mask}: an exception message that quotes a
 * request URL or an upstream answer loses its secrets too (stack frames keep their lines).
 */
public final class MaskedThrowableConverter extends ThrowableProxyConverter {
    @Override
    protected String throwableProxyToString(IThrowableProxy tp) {
        return Secrets.mask(super.throwableProxyToString(tp));
    }
}

package dev.lifeline.worker.logging;

import ch.qos.logback.classic.pattern.ExtendedThrowableProxyConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * Logback converter {@code %maskedEx}: the stack trace with secrets masked (exception messages
 * may quote a request or a setting).
 */
public final class MaskedThrowableConverter extends ExtendedThrowableProxyConverter {
  @Override
  public String convert(ILoggingEvent event) {
    return SecretMasker.mask(super.convert(event));
  }
}

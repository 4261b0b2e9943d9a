package dev.lifeline.worker.logging;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/** Logback converter {@code %maskedMsg}: the formatted message with secrets masked. */
public final class MaskedMessageConverter extends ClassicConverter {
  @Override
  public String convert(ILoggingEvent event) {
    return SecretMasker.mask(event.getFormattedMessage());
  }
}

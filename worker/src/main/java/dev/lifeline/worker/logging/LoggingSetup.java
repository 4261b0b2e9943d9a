package dev.lifeline.worker.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import java.util.Locale;
import org.slf4j.LoggerFactory;

/**
 * Adjusts logging after start-up: the format chosen in a configuration file (the environment
 * variable is read by {@code logback.xml} itself), and a quieter level for CLI commands.
 */
public final class LoggingSetup {
  /** The text layout, the same as {@code logback.xml}'s. */
  public static final String TEXT_PATTERN =
      "%d{yyyy-MM-dd'T'HH:mm:ss.SSS'Z',UTC} %-5level %logger{24} %runContext- %maskedMsg%n%maskedEx";

  private LoggingSetup() {}

  /**
   * Replaces the root logger's appenders with one writing {@code text} or {@code json} to
   * standard error. Does nothing when logback is not the SLF4J backend.
   */
  public static void useFormat(String format) {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx)) {
      return;
    }
    boolean json = format.toLowerCase(Locale.ROOT).equals("json");
    Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
    if (root.getAppender(json ? "json" : "text") != null) {
      return;
    }
    Encoder<ILoggingEvent> encoder;
    if (json) {
      JsonLinesEncoder e = new JsonLinesEncoder();
      e.setContext(ctx);
      e.start();
      encoder = e;
    } else {
      PatternLayoutEncoder e = new PatternLayoutEncoder();
      e.setContext(ctx);
      e.setPattern(TEXT_PATTERN);
      e.start();
      encoder = e;
    }
    ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
    appender.setContext(ctx);
    appender.setName(json ? "json" : "text");
    appender.setTarget("System.err");
    appender.setEncoder(encoder);
    appender.start();
    root.detachAndStopAllAppenders();
    root.addAppender(appender);
  }

  /** Sets the root level (e.g. WARN for CLI commands, so their output stays readable). */
  public static void rootLevel(String level) {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx) {
      ctx.getLogger(Logger.ROOT_LOGGER_NAME).setLevel(Level.toLevel(level, Level.INFO));
    }
  }
}

package dev.lifeline.worker.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.encoder.EncoderBase;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes one JSON object per log event ({@code LIFELINE_LOG_FORMAT=json}): {@code ts}, {@code
 * level}, {@code logger}, {@code thread}, {@code msg}, the MDC (workflow id, run id, playbook,
 * activity), and {@code error} with the stack trace. Message and stack trace are masked by the
 * {@link SecretMasker}.
 */
public final class JsonLinesEncoder extends EncoderBase<ILoggingEvent> {
  private static final JsonFactory JSON = new JsonFactory();
  private static final byte[] EMPTY = new byte[0];

  @Override
  public byte[] headerBytes() {
    return EMPTY;
  }

  @Override
  public byte[] footerBytes() {
    return EMPTY;
  }

  @Override
  public byte[] encode(ILoggingEvent event) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("ts", Instant.ofEpochMilli(event.getTimeStamp()).toString());
      g.writeStringField("level", event.getLevel().toString());
      g.writeStringField("logger", event.getLoggerName());
      g.writeStringField("thread", event.getThreadName());
      g.writeStringField("msg", SecretMasker.mask(event.getFormattedMessage()));
      Map<String, String> mdc = new TreeMap<>(event.getMDCPropertyMap());
      for (Map.Entry<String, String> e : mdc.entrySet()) {
        String key = e.getKey();
        if (!key.equals("ts") && !key.equals("level") && !key.equals("msg")) {
          g.writeStringField(key, SecretMasker.mask(e.getValue()));
        }
      }
      IThrowableProxy tp = event.getThrowableProxy();
      if (tp != null) {
        g.writeStringField("error", SecretMasker.mask(ThrowableProxyUtil.asString(tp)));
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    out.write('\n');
    return out.toByteArray();
  }
}

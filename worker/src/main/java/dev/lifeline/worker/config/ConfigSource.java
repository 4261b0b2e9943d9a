package dev.lifeline.worker.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * Where settings come from: environment variables first, then an optional file (Java properties,
 * or YAML with the same flat names), then defaults. File keys use the environment names
 * ({@code TEMPORAL_ADDRESS: 10.0.0.5:7233}); lowercase dotted forms ({@code temporal.address}) are
 * accepted too.
 */
public final class ConfigSource {
  private final Map<String, String> env;
  private final Map<String, String> file;
  private final String fileName;

  private ConfigSource(Map<String, String> env, Map<String, String> file, String fileName) {
    this.env = env;
    this.file = file;
    this.fileName = fileName;
  }

  /** Settings from {@code env} only. */
  public static ConfigSource of(Map<String, String> env) {
    return new ConfigSource(Map.copyOf(env), Map.of(), null);
  }

  /**
   * Settings from {@code env}, then the file at {@code path} (or {@code LIFELINE_CONFIG} when
   * {@code path} is null).
   *
   * @throws ConfigException naming the file when it cannot be read or parsed
   */
  public static ConfigSource load(Map<String, String> env, Path path) {
    Path file = path;
    if (file == null && env.get("LIFELINE_CONFIG") != null && !env.get("LIFELINE_CONFIG").isBlank()) {
      file = Path.of(env.get("LIFELINE_CONFIG"));
    }
    if (file == null) {
      return of(env);
    }
    return new ConfigSource(Map.copyOf(env), readFile(file), file.toString());
  }

  private static Map<String, String> readFile(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new ConfigException(
          List.of("LIFELINE_CONFIG: the configuration file " + file + " does not exist"));
    }
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    Map<String, String> out = new LinkedHashMap<>();
    try {
      if (name.endsWith(".yaml") || name.endsWith(".yml")) {
        JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
        if (root != null && !root.isObject()) {
          throw new ConfigException(
              List.of("LIFELINE_CONFIG: " + file + " must be a YAML mapping of SETTING: value"));
        }
        if (root != null) {
          for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isValueNode()) {
              throw new ConfigException(
                  List.of("LIFELINE_CONFIG: " + file + ": " + e.getKey() + " must be a plain value"));
            }
            out.put(normalise(e.getKey()), e.getValue().isNull() ? null : e.getValue().asText());
          }
        }
      } else {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
          p.load(r);
        }
        for (String key : p.stringPropertyNames()) {
          out.put(normalise(key), p.getProperty(key));
        }
      }
    } catch (IOException e) {
      throw new ConfigException(
          List.of("LIFELINE_CONFIG: cannot read " + file + ": " + firstLine(e.getMessage())));
    }
    return out;
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "unknown error";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  private static String normalise(String key) {
    return key.trim().replace('.', '_').replace('-', '_').toUpperCase(Locale.ROOT);
  }

  /** The value of {@code name}: environment, then file; blank counts as absent. */
  public Optional<String> get(String name) {
    String v = env.get(name);
    if (v == null || v.isBlank()) {
      v = file.get(name);
    }
    return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.trim());
  }

  /** Where {@code name} was found, for messages. */
  public String origin(String name) {
    String v = env.get(name);
    if (v != null && !v.isBlank()) {
      return "environment";
    }
    return fileName == null ? "default" : fileName;
  }
}

package dev.lifeline.cli;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.AnnotatedMember;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Builds a playbook's JSON input from {@code --input FILE} and {@code --set key=value} pairs and
 * checks it against the playbook's input record before anything is sent, so a typo is a clear
 * usage error instead of a silently ignored field.
 */
final class PlaybookInputs {
  private PlaybookInputs() {}

  /**
   * Reads {@code file} (if any), then applies each {@code key=value}: dotted keys make nested
   * objects ({@code target.d1=monotask-production}); values are JSON when they parse as JSON
   * (numbers, booleans, {@code null}, arrays, objects, quoted strings) and text otherwise.
   */
  static ObjectNode build(Path file, List<String> sets) {
    ObjectNode root;
    if (file != null) {
      try {
        JsonNode read = Json.MAPPER.readTree(Files.readString(file));
        if (read == null || !read.isObject()) {
          throw CliException.usage("--input " + file + " must hold a JSON object");
        }
        root = (ObjectNode) read;
      } catch (JsonProcessingException e) {
        throw CliException.usage(
            "--input " + file + " is not valid JSON: " + e.getOriginalMessage()
                + " (line " + e.getLocation().getLineNr() + ")");
      } catch (IOException e) {
        throw CliException.usage("cannot read --input " + file + ": " + e.getMessage());
      }
    } else {
      root = JsonNodeFactory.instance.objectNode();
    }
    if (sets != null) {
      for (String pair : sets) {
        set(root, pair);
      }
    }
    return root;
  }

  private static void set(ObjectNode root, String pair) {
    int eq = pair.indexOf('=');
    if (eq <= 0) {
      throw CliException.usage("--set needs KEY=VALUE (got \"" + pair + "\")");
    }
    String key = pair.substring(0, eq).trim();
    String raw = pair.substring(eq + 1);
    String[] path = key.split("\\.");
    ObjectNode node = root;
    for (int i = 0; i < path.length - 1; i++) {
      if (path[i].isEmpty()) {
        throw CliException.usage("--set key \"" + key + "\" has an empty part");
      }
      JsonNode child = node.get(path[i]);
      if (child == null || !child.isObject()) {
        child = node.putObject(path[i]);
      }
      node = (ObjectNode) child;
    }
    node.set(path[path.length - 1], value(raw));
  }

  private static JsonNode value(String raw) {
    String t = raw.trim();
    if (t.isEmpty()) {
      return TextNode.valueOf("");
    }
    char c = t.charAt(0);
    boolean looksJson =
        c == '[' || c == '{' || c == '"' || c == '-' || Character.isDigit(c)
            || t.equals("true") || t.equals("false") || t.equals("null");
    if (looksJson) {
      try {
        return Json.MAPPER.readTree(t);
      } catch (JsonProcessingException e) {
        if (c == '[' || c == '{' || c == '"') {
          throw CliException.usage("--set value " + t + " is not valid JSON: " + e.getOriginalMessage());
        }
      }
    }
    return TextNode.valueOf(raw);
  }

  /**
   * Checks {@code input} against {@code inputType}: unknown fields (with the known ones listed)
   * and values of the wrong type (with the field named).
   */
  static void check(ObjectNode input, Class<?> inputType) {
    ObjectMapper mapper = Json.MAPPER;
    List<String> problems = new ArrayList<>();
    unknownFields(mapper, mapper.constructType(inputType), input, "", problems);
    if (problems.isEmpty()) {
      try {
        Object value = mapper.treeToValue(input, inputType);
        // The playbook's own checks, so a bad input is refused here rather than by a failed run.
        if (value instanceof dev.lifeline.workflows.playbook.PlaybookInput pi) {
          dev.lifeline.workflows.playbook.InputProblems found = new dev.lifeline.workflows.playbook.InputProblems();
          if (pi.approval() != null) {
            pi.approval().validate(found);
          }
          pi.validate(found);
          problems.addAll(found.list());
        }
      } catch (JsonMappingException e) {
        problems.add(fieldPath(e) + ": " + e.getOriginalMessage().replaceAll("\\s+at \\[.*", ""));
      } catch (JsonProcessingException e) {
        problems.add(e.getOriginalMessage());
      }
    }
    if (!problems.isEmpty()) {
      throw CliException.usage("invalid input: " + String.join("; ", problems));
    }
  }

  /** The fields {@code type} accepts, by name, with their types (unwrapped ones flattened). */
  static Map<String, JavaType> fields(ObjectMapper mapper, JavaType type) {
    Map<String, JavaType> out = new LinkedHashMap<>();
    BeanDescription bd = mapper.getDeserializationConfig().introspect(type);
    for (BeanPropertyDefinition p : bd.findProperties()) {
      AnnotatedMember m = p.getPrimaryMember();
      if (m != null && m.hasAnnotation(JsonUnwrapped.class)) {
        out.putAll(fields(mapper, p.getPrimaryType()));
        continue;
      }
      if (p.couldDeserialize()) {
        out.put(p.getName(), p.getPrimaryType());
        List<com.fasterxml.jackson.databind.PropertyName> aliases = p.findAliases();
        if (aliases != null) {
          for (var alias : aliases) {
            out.put(alias.getSimpleName(), p.getPrimaryType());
          }
        }
      }
    }
    return out;
  }

  private static void unknownFields(
      ObjectMapper mapper, JavaType type, JsonNode node, String prefix, List<String> problems) {
    if (!isBean(type) || !node.isObject()) {
      return;
    }
    Map<String, JavaType> known = fields(mapper, type);
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JavaType fieldType = known.get(e.getKey());
      if (fieldType == null) {
        problems.add(
            "unknown field '" + prefix + e.getKey() + "' (known: "
                + String.join(", ", new TreeSet<>(known.keySet())) + ")");
      } else {
        unknownFields(mapper, fieldType, e.getValue(), prefix + e.getKey() + ".", problems);
      }
    }
  }

  private static boolean isBean(JavaType t) {
    Class<?> raw = t.getRawClass();
    return !(t.isContainerType()
        || t.isPrimitive()
        || raw.isEnum()
        || raw == Object.class
        || raw == String.class
        || Number.class.isAssignableFrom(raw)
        || raw == Boolean.class
        || JsonNode.class.isAssignableFrom(raw)
        || Map.class.isAssignableFrom(raw)
        || Collection.class.isAssignableFrom(raw)
        || raw.getName().startsWith("java."));
  }

  private static String fieldPath(JsonMappingException e) {
    StringBuilder b = new StringBuilder();
    for (JsonMappingException.Reference r : e.getPath()) {
      if (r.getFieldName() != null) {
        if (b.length() > 0) {
          b.append('.');
        }
        b.append(r.getFieldName());
      } else if (r.getIndex() >= 0) {
        b.append('[').append(r.getIndex()).append(']');
      }
    }
    return b.length() == 0 ? "input" : b.toString();
  }
}

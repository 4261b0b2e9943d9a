package dev.lifeline.cli;

import dev.lifeline.workflows.client.TemporalSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * Where the CLI finds Temporal: {@code --address}, {@code --namespace}, {@code --task-queue}, or
 * the same environment variables as the worker ({@code TEMPORAL_ADDRESS}, {@code
 * TEMPORAL_NAMESPACE}, {@code LIFELINE_TASK_QUEUE}, {@code TEMPORAL_TLS_CERT}/{@code _KEY}/{@code
 * _CA}, {@code TEMPORAL_API_KEY}).
 */
public final class ConnectionOptions {
  @Option(
      names = "--address",
      paramLabel = "HOST:PORT",
      description = "Temporal frontend (env TEMPORAL_ADDRESS; default 127.0.0.1:7233).",
      scope = picocli.CommandLine.ScopeType.INHERIT)
  String address;

  @Option(
      names = "--namespace",
      description = "Temporal namespace (env TEMPORAL_NAMESPACE; default 'default').",
      scope = picocli.CommandLine.ScopeType.INHERIT)
  String namespace;

  @Option(
      names = "--task-queue",
      description = "Task queue the worker polls (env LIFELINE_TASK_QUEUE; default 'lifeline').",
      scope = picocli.CommandLine.ScopeType.INHERIT)
  String taskQueue;

  /** Settings from the flags, then {@code env}. */
  TemporalSettings settings(Map<String, String> env) {
    List<String> problems = new ArrayList<>();
    TemporalSettings s =
        TemporalSettings.read(
            name -> {
              String flag =
                  switch (name) {
                    case "TEMPORAL_ADDRESS" -> address;
                    case "TEMPORAL_NAMESPACE" -> namespace;
                    case "LIFELINE_TASK_QUEUE" -> taskQueue;
                    default -> null;
                  };
              if (flag != null && !flag.isBlank()) {
                return Optional.of(flag.trim());
              }
              String v = env.get(name);
              return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.trim());
            },
            problems);
    if (!problems.isEmpty()) {
      throw CliException.usage(String.join("\n", problems));
    }
    return s;
  }
}

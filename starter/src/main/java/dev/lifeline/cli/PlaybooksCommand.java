package dev.lifeline.cli;

import com.fasterxml.jackson.databind.JavaType;
import dev.lifeline.workflows.catalog.PlaybookDescriptor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code lifeline playbooks}: what can be started, and the input fields each takes. */
@Command(
    name = "playbooks",
    mixinStandardHelpOptions = true,
    description = "List the playbooks that can be started, with their input fields.")
final class PlaybooksCommand implements Callable<Integer> {
  @ParentCommand LifelineCommand root;

  @Option(names = "--json", description = "Print JSON.")
  boolean json;

  @Override
  public Integer call() {
    var out = root.spec.commandLine().getOut();
    List<Map<String, Object>> rows = new ArrayList<>();
    for (PlaybookDescriptor p : root.catalog().all()) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("name", p.name());
      row.put("workflowType", p.workflowType());
      row.put("summary", p.summary());
      row.put("aliases", p.aliases());
      Map<String, String> fields = new LinkedHashMap<>();
      for (Map.Entry<String, JavaType> f :
          PlaybookInputs.fields(Json.MAPPER, Json.MAPPER.constructType(p.inputType())).entrySet()) {
        fields.put(f.getKey(), f.getValue().toCanonical().replaceAll("java\\.(lang|util)\\.", ""));
      }
      row.put("inputFields", fields);
      rows.add(row);
    }
    if (json) {
      out.println(Json.pretty(rows));
      return ExitCodes.OK;
    }
    if (rows.isEmpty()) {
      out.println("No playbooks are registered in this build.");
      return ExitCodes.OK;
    }
    for (Map<String, Object> row : rows) {
      out.printf("%-12s %-24s %s%n", row.get("name"), row.get("workflowType"), row.get("summary"));
      @SuppressWarnings("unchecked")
      Map<String, String> fields = (Map<String, String>) row.get("inputFields");
      out.println("             input: " + String.join(", ", fields.keySet()));
    }
    out.println();
    out.println("Start one with: lifeline start <name> --set key=value ... [--wait]");
    return ExitCodes.OK;
  }
}

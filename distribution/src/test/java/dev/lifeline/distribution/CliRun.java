package dev.lifeline.distribution;

import dev.lifeline.cli.LifelineCommand;
import dev.lifeline.cli.Session;
import dev.lifeline.worker.dev.DevStack;
import dev.lifeline.workflows.catalog.PlaybookCatalog;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine;

/** One run of the distribution's {@code lifeline} command line in this JVM: exit code and output. */
record CliRun(int exit, String out, String err) {
  /** Runs {@code args} with {@code env} as the process environment. */
  static CliRun lifeline(Map<String, String> env, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = Lifeline.commandLine(new LifelineCommand(env, Session::open, PlaybookCatalog.load()));
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return new CliRun(cl.execute(args), out.toString(), err.toString());
  }

  /** Runs {@code args} against {@code stack}, as {@code user}. */
  static CliRun onStack(DevStack stack, String user, String... args) {
    Map<String, String> env = new HashMap<>(stack.environment());
    env.put("USER", user);
    return lifeline(env, args);
  }
}

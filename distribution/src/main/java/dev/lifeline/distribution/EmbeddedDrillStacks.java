package dev.lifeline.distribution;

import dev.lifeline.cli.DrillCommand;
import dev.lifeline.cli.Session;
import dev.lifeline.sandbox.MonoTaskAccount;
import dev.lifeline.worker.dev.DevStack;
import dev.lifeline.worker.dev.DevStackOptions;

/** The drill's embedded stack: a {@link DevStack} on free ports with a fresh sandbox account. */
final class EmbeddedDrillStacks implements DrillCommand.EmbeddedStacks {
  @Override
  public DrillCommand.EmbeddedStack start(String size, int port) {
    MonoTaskAccount.Options sample = SampleSize.parse(size);
    DevStack stack = DevStack.start(DevStackOptions.defaults().withTemporalPort(port).withSample(sample));
    Session session = Session.wrap(stack.client(), stack.taskQueue());
    return new DrillCommand.EmbeddedStack() {
      @Override
      public Session session() {
        return session;
      }

      @Override
      public String database() {
        return MonoTaskAccount.DATABASE;
      }

      @Override
      public String kvNamespace() {
        return MonoTaskAccount.KV_NAMESPACES.get(0);
      }

      @Override
      public String ruleSet() {
        return "monotask";
      }

      @Override
      public String summary() {
        return "Embedded stack up: Temporal test server at " + stack.temporalAddress() + ", sandbox Cloudflare API at "
            + stack.sandbox().apiBaseUrl() + " (sample data: " + size + ").";
      }

      @Override
      public String connectionHelp() {
        return stack.connectionHelp();
      }

      @Override
      public void close() {
        stack.close();
      }
    };
  }
}

package dev.lifeline.worker;

import dev.lifeline.activities.notify.WebhookNotifier;
import dev.lifeline.worker.config.LifelineConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * What a Lifeline worker registers: every playbook workflow implementation and the activity
 * implementations they call, built from the configuration. One place, so the worker, the dev stack
 * and the tests register exactly the same things.
 */
public final class Playbooks {
  private Playbooks() {}

  /** Every playbook workflow implementation class. */
  public static List<Class<?>> workflowImplementations() {
    return List.of();
  }

  /** The activity implementations, built from {@code config}. */
  public static List<Object> activities(LifelineConfig config) {
    List<Object> activities = new ArrayList<>();
    activities.add(new WebhookNotifier(config.notifyWebhook()));
    return activities;
  }
}

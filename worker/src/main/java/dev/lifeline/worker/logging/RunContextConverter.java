package dev.lifeline.worker.logging;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import java.util.Map;

/**
 * Logback converter {@code %runContext}: {@code [playbook workflowId run=…]} when the event comes
 * from a workflow or activity, nothing otherwise.
 */
public final class RunContextConverter extends ClassicConverter {
  @Override
  public String convert(ILoggingEvent event) {
    Map<String, String> mdc = event.getMDCPropertyMap();
    String workflowId = mdc.get(LogKeys.WORKFLOW_ID);
    if (workflowId == null) {
      return "";
    }
    StringBuilder b = new StringBuilder("[");
    String playbook = mdc.get(LogKeys.PLAYBOOK);
    if (playbook != null) {
      b.append(playbook).append(' ');
    }
    b.append(workflowId);
    String run = mdc.get(LogKeys.RUN_ID);
    if (run != null) {
      b.append(" run=").append(run, 0, Math.min(8, run.length()));
    }
    String activity = mdc.get(LogKeys.ACTIVITY_TYPE);
    if (activity != null) {
      b.append(" activity=").append(activity);
    }
    return b.append("] ").toString();
  }
}

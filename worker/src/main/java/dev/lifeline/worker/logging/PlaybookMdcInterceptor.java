package dev.lifeline.worker.logging;

import io.temporal.activity.ActivityExecutionContext;
import io.temporal.common.interceptors.ActivityInboundCallsInterceptor;
import io.temporal.common.interceptors.ActivityInboundCallsInterceptorBase;
import io.temporal.common.interceptors.WorkerInterceptorBase;
import org.slf4j.MDC;

/**
 * Puts the playbook (the workflow type of the activity's workflow) in the MDC while an activity
 * runs, next to the workflow id, run id and activity type the Temporal SDK already sets, so every
 * activity log line says which playbook run it belongs to.
 */
public final class PlaybookMdcInterceptor extends WorkerInterceptorBase {
  @Override
  public ActivityInboundCallsInterceptor interceptActivity(ActivityInboundCallsInterceptor next) {
    return new ActivityInboundCallsInterceptorBase(next) {
      private String playbook;

      @Override
      public void init(ActivityExecutionContext context) {
        playbook = context.getInfo().getWorkflowType();
        super.init(context);
      }

      @Override
      public ActivityOutput execute(ActivityInput input) {
        String previous = MDC.get(LogKeys.PLAYBOOK);
        if (playbook != null) {
          MDC.put(LogKeys.PLAYBOOK, playbook);
        }
        try {
          return super.execute(input);
        } finally {
          if (previous == null) {
            MDC.remove(LogKeys.PLAYBOOK);
          } else {
            MDC.put(LogKeys.PLAYBOOK, previous);
          }
        }
      }
    };
  }
}

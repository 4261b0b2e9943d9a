package dev.lifeline.workflows.notify;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/**
 * Delivers {@link Notification}s to people (a chat webhook, the worker log). Playbooks treat
 * delivery as best effort: a failed notification becomes a warning in the status, never a failed
 * recovery.
 */
@ActivityInterface
public interface NotificationActivities {
  /**
   * Delivers {@code notification}. Not idempotent in the strict sense (a retry after a lost
   * response may post twice); duplicates are harmless to a reader, lost messages are not.
   */
  @ActivityMethod(name = "Notify")
  void notify(Notification notification);
}

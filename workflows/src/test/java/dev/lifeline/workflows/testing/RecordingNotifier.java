package dev.lifeline.workflows.testing;

import dev.lifeline.workflows.notify.Notification;
import dev.lifeline.workflows.notify.NotificationActivities;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A notifier that keeps what it was asked to deliver, for assertions. */
public final class RecordingNotifier implements NotificationActivities {
  private final List<Notification> sent = new CopyOnWriteArrayList<>();

  @Override
  public void notify(Notification notification) {
    sent.add(notification);
  }

  /** Everything delivered so far. */
  public List<Notification> sent() {
    return List.copyOf(sent);
  }
}

package dev.lifeline.activities.backups;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityOptions;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.TimeoutFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A single call that outlasts the heartbeat timeout (a long integrity_check, a D1 aggregate) does
 * not time the activity out when it runs inside {@link ActivityFailures#call}; the same call
 * without the keep-alive does.
 */
class HeartbeatsTest {
  @ActivityInterface
  public interface Slow {
    String kept(long millis);

    String bare(long millis);
  }

  public static final class SlowImpl implements Slow {
    @Override
    public String kept(long millis) {
      return ActivityFailures.call(() -> {
        new Heartbeats().beat("one long statement");
        sleep(millis);
        return "done";
      });
    }

    @Override
    public String bare(long millis) {
      new Heartbeats().beat("one long statement");
      sleep(millis);
      return "done";
    }

    private static void sleep(long millis) {
      try {
        Thread.sleep(millis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @WorkflowInterface
  public interface Runner {
    @WorkflowMethod
    String run(boolean kept);
  }

  public static final class RunnerImpl implements Runner {
    @Override
    public String run(boolean kept) {
      Slow slow = Workflow.newActivityStub(Slow.class, ActivityOptions.newBuilder()
          .setStartToCloseTimeout(Duration.ofMinutes(1))
          .setHeartbeatTimeout(Duration.ofSeconds(2))
          .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build())
          .build());
      return kept ? slow.kept(6000) : slow.bare(6000);
    }
  }

  private TestWorkflowEnvironment env;

  @BeforeEach
  void start() {
    env = TestWorkflowEnvironment.newInstance();
    Worker w = env.newWorker("hb");
    w.registerWorkflowImplementationTypes(RunnerImpl.class);
    w.registerActivitiesImplementations(new SlowImpl());
    env.start();
  }

  @AfterEach
  void stop() {
    env.close();
  }

  private Runner runner(String id) {
    return env.getWorkflowClient().newWorkflowStub(Runner.class,
        WorkflowOptions.newBuilder().setTaskQueue("hb").setWorkflowId(id).build());
  }

  @Test
  void aLongCallInsideTheKeepAliveCompletes() {
    assertThat(runner("kept").run(true)).isEqualTo("done");
  }

  @Test
  void theSameCallWithoutItTimesOutOnHeartbeat() {
    assertThatThrownBy(() -> runner("bare").run(false))
        .isInstanceOf(WorkflowFailedException.class)
        .cause().isInstanceOf(ActivityFailure.class)
        .cause().isInstanceOfSatisfying(TimeoutFailure.class,
            t -> assertThat(t.getTimeoutType().name()).isEqualTo("TIMEOUT_TYPE_HEARTBEAT"));
  }
}

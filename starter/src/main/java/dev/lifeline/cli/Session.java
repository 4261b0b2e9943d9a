package dev.lifeline.cli;

import dev.lifeline.workflows.client.TemporalSettings;
import dev.lifeline.workflows.playbook.PlaybookControl;
import dev.lifeline.workflows.playbook.PlaybookStatus;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowQueryException;
import io.temporal.client.WorkflowServiceException;
import io.temporal.client.WorkflowStub;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A connection to Temporal for one CLI command, with the calls every command needs and their
 * failures turned into messages a person can act on.
 */
public final class Session implements AutoCloseable {
  private final TemporalSettings settings;
  private final WorkflowServiceStubs stubs;
  private final WorkflowClient client;
  private final boolean owned;

  private Session(
      TemporalSettings settings, WorkflowServiceStubs stubs, WorkflowClient client, boolean owned) {
    this.settings = settings;
    this.stubs = stubs;
    this.client = client;
    this.owned = owned;
  }

  /** Opens a connection with {@code settings}. */
  public static Session open(TemporalSettings settings) {
    WorkflowServiceStubs stubs = settings.connect();
    WorkflowClient client =
        WorkflowClient.newInstance(
            stubs, WorkflowClientOptions.newBuilder().setNamespace(settings.namespace()).build());
    return new Session(settings, stubs, client, true);
  }

  /** Wraps an existing client (tests); {@link #close()} leaves it open. */
  public static Session wrap(WorkflowClient client, String taskQueue) {
    TemporalSettings s =
        new TemporalSettings(
            "(in-process)", client.getOptions().getNamespace(), taskQueue, null, null, null, null, null);
    return new Session(s, client.getWorkflowServiceStubs(), client, false);
  }

  /** The settings in use. */
  public TemporalSettings settings() {
    return settings;
  }

  /** The client. */
  public WorkflowClient client() {
    return client;
  }

  /** A stub that starts workflow {@code type} as {@code workflowId} on the Lifeline task queue. */
  public <T> T newWorkflow(Class<T> type, String workflowId) {
    return client.newWorkflowStub(type, startOptions(workflowId));
  }

  /** An untyped stub that starts {@code workflowType} as {@code workflowId} on the Lifeline task queue. */
  public WorkflowStub newWorkflow(String workflowType, String workflowId) {
    return client.newUntypedWorkflowStub(workflowType, startOptions(workflowId));
  }

  private WorkflowOptions startOptions(String workflowId) {
    return WorkflowOptions.newBuilder().setTaskQueue(settings().taskQueue())
        .setWorkflowId(workflowId).build();
  }

  /** An untyped stub of the latest run of {@code workflowId}. */
  public WorkflowStub stub(String workflowId) {
    return client.newUntypedWorkflowStub(workflowId);
  }

  /** The playbook's status query. */
  public PlaybookStatus status(String workflowId) {
    return call(
        workflowId, () -> stub(workflowId).query(PlaybookControl.STATUS, PlaybookStatus.class));
  }

  /** DescribeWorkflowExecution of the latest run. */
  public DescribeWorkflowExecutionResponse describe(String workflowId) {
    return call(
        workflowId,
        () ->
            stubs
                .blockingStub()
                .describeWorkflowExecution(
                    DescribeWorkflowExecutionRequest.newBuilder()
                        .setNamespace(settings.namespace())
                        .setExecution(WorkflowExecution.newBuilder().setWorkflowId(workflowId))
                        .build()));
  }

  /**
   * Runs {@code call}, turning Temporal and gRPC failures into {@link CliException}s that say what
   * to do.
   */
  public <T> T call(String workflowId, Supplier<T> call) {
    try {
      return call.get();
    } catch (WorkflowNotFoundException e) {
      throw notFound(workflowId);
    } catch (WorkflowQueryException e) {
      throw new CliException(ExitCodes.FAILED, queryProblem(workflowId, e));
    } catch (WorkflowServiceException e) {
      if (e.getCause() instanceof StatusRuntimeException sre) {
        throw grpcProblem(workflowId, sre);
      }
      throw new CliException(ExitCodes.FAILED, "Temporal refused the call: " + rootMessage(e));
    } catch (StatusRuntimeException e) {
      throw grpcProblem(workflowId, e);
    }
  }

  private CliException notFound(String workflowId) {
    return new CliException(
        ExitCodes.FAILED,
        "no workflow with id " + workflowId + " in namespace " + settings.namespace()
            + " at " + settings.address() + " (check the id with `lifeline list`)");
  }

  private String queryProblem(String workflowId, WorkflowQueryException e) {
    String msg = rootMessage(e);
    if (msg != null && msg.contains("Unknown query type")) {
      return workflowId + " is not a Lifeline playbook: it has no 'status' query";
    }
    if (msg != null && (msg.contains("timed out") || msg.contains("DEADLINE_EXCEEDED"))) {
      return "no worker answered the status query for " + workflowId + ": is a worker polling task"
          + " queue " + settings.taskQueue() + "? Start one with `lifeline worker` (or `lifeline dev`)";
    }
    return "the status query of " + workflowId + " failed: " + msg;
  }

  CliException grpcProblem(String workflowId, StatusRuntimeException e) {
    Status.Code code = e.getStatus().getCode();
    return switch (code) {
      case UNAVAILABLE -> new CliException(
          ExitCodes.FAILED,
          "cannot reach Temporal at " + settings.address() + " (" + e.getStatus().getDescription()
              + "). Is the server running? Start a local one with `lifeline dev`, or set"
              + " TEMPORAL_ADDRESS / --address.");
      case NOT_FOUND -> workflowId == null
          ? new CliException(ExitCodes.FAILED, "not found: " + e.getStatus().getDescription())
          : notFound(workflowId);
      case UNAUTHENTICATED, PERMISSION_DENIED -> new CliException(
          ExitCodes.FAILED,
          "Temporal at " + settings.address() + " refused the credentials (" + code
              + "): check TEMPORAL_API_KEY or TEMPORAL_TLS_CERT/TEMPORAL_TLS_KEY");
      case DEADLINE_EXCEEDED -> new CliException(
          ExitCodes.FAILED,
          "Temporal at " + settings.address() + " did not answer in time"
              + (workflowId == null ? "" : " about " + workflowId)
              + "; if this was a query, is a worker polling task queue " + settings.taskQueue() + "?");
      default -> new CliException(
          ExitCodes.FAILED, "Temporal answered " + code + ": " + e.getStatus().getDescription());
    };
  }

  /** The gRPC status exception in {@code e}'s cause chain, or null. */
  static StatusRuntimeException grpcCause(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof StatusRuntimeException sre) {
        return sre;
      }
    }
    return null;
  }

  static String rootMessage(Throwable e) {
    Throwable t = e;
    String msg = e.getMessage();
    while (t != null) {
      if (t.getMessage() != null) {
        msg = t instanceof io.temporal.failure.TemporalFailure tf ? tf.getOriginalMessage() : t.getMessage();
      }
      t = t.getCause();
    }
    return msg;
  }

  @Override
  public void close() {
    if (owned) {
      stubs.shutdown();
      stubs.awaitTermination(3, TimeUnit.SECONDS);
    }
  }
}

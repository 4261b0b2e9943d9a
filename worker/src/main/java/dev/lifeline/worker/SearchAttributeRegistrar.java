package dev.lifeline.worker;

import dev.lifeline.workflows.playbook.LifelineSearchAttributes;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.operatorservice.v1.AddSearchAttributesRequest;
import io.temporal.api.operatorservice.v1.ListSearchAttributesRequest;
import io.temporal.api.operatorservice.v1.ListSearchAttributesResponse;
import io.temporal.common.SearchAttributeKey;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.OperatorServiceStubsOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes sure the {@link LifelineSearchAttributes} exist in the namespace, so playbooks can upsert
 * them. Lists what exists and adds what is missing through the operator API. Where that is not
 * allowed (Temporal Cloud, a restricted role) it says how to register them by hand and reports
 * them as unavailable: playbooks then run without search attributes rather than failing.
 */
public final class SearchAttributeRegistrar {
  private static final Logger log = LoggerFactory.getLogger(SearchAttributeRegistrar.class);

  private SearchAttributeRegistrar() {}

  /**
   * Ensures the attributes exist.
   *
   * @return true when every Lifeline search attribute is registered
   */
  public static boolean ensureRegistered(WorkflowServiceStubs service, String namespace) {
    OperatorServiceStubs operator =
        OperatorServiceStubs.newServiceStubs(
            OperatorServiceStubsOptions.newBuilder()
                .setChannel(service.getRawChannel())
                .validateAndBuildWithDefaults());
    try {
      Map<String, IndexedValueType> wanted = new LinkedHashMap<>();
      for (SearchAttributeKey<?> key : LifelineSearchAttributes.ALL) {
        wanted.put(key.getName(), key.getValueType());
      }
      Set<String> existing = Set.of();
      try {
        ListSearchAttributesResponse r =
            operator
                .blockingStub()
                .listSearchAttributes(
                    ListSearchAttributesRequest.newBuilder().setNamespace(namespace).build());
        existing = r.getCustomAttributesMap().keySet();
      } catch (StatusRuntimeException e) {
        if (e.getStatus().getCode() != Status.Code.UNIMPLEMENTED) {
          throw e;
        }
        // The Java test server cannot list; adding tells us what already exists.
      }
      Map<String, IndexedValueType> missing = new LinkedHashMap<>(wanted);
      missing.keySet().removeAll(existing);
      for (Map.Entry<String, IndexedValueType> e : missing.entrySet()) {
        try {
          operator
              .blockingStub()
              .addSearchAttributes(
                  AddSearchAttributesRequest.newBuilder()
                      .setNamespace(namespace)
                      .putSearchAttributes(e.getKey(), e.getValue())
                      .build());
          log.info("registered search attribute {} in namespace {}", e.getKey(), namespace);
        } catch (StatusRuntimeException ex) {
          if (ex.getStatus().getCode() != Status.Code.ALREADY_EXISTS) {
            throw ex;
          }
        }
      }
      return true;
    } catch (StatusRuntimeException e) {
      log.warn(
          "cannot register Lifeline search attributes in namespace {} ({}); playbooks will run"
              + " without them, so `lifeline list` cannot filter. Register them once with: {}",
          namespace,
          e.getStatus().getCode(),
          manualCommand(namespace));
      return false;
    } finally {
      operator.shutdown();
    }
  }

  /** The {@code temporal} CLI command that registers the attributes by hand. */
  public static String manualCommand(String namespace) {
    StringBuilder b = new StringBuilder("temporal operator search-attribute create --namespace ");
    b.append(namespace);
    for (SearchAttributeKey<?> key : LifelineSearchAttributes.ALL) {
      b.append(" --name ")
          .append(key.getName())
          .append(" --type ")
          .append(key.getValueType() == IndexedValueType.INDEXED_VALUE_TYPE_BOOL ? "Bool" : "Keyword");
    }
    return b.toString();
  }
}

package dev.lifeline.activities.cloudflare;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lifeline.activities.cloudflare.ApiTransport.Call;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import okhttp3.HttpUrl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Worker deployments and versions, and a rollback that behaves like {@code wrangler rollback}.
 *
 * <p>Idempotency: listing and getting are idempotent. Creating a deployment (and so a rollback) is
 * not; it is never repeated by the client after an ambiguous failure. {@link #rollback} instead
 * looks at the deployments afterwards and reports success if its deployment is in fact serving.
 */
public final class WorkersApi {
  private static final Logger log = LoggerFactory.getLogger(WorkersApi.class);
  private static final String SECRETS_MARKER = "The following secrets have changed:";

  private final ApiTransport t;

  WorkersApi(ApiTransport transport) {
    this.t = transport;
  }

  /** Deployments of a Worker, newest first (the first one is serving). */
  public List<WorkerDeployment> listDeployments(String scriptName) {
    D1Api.requireText(scriptName, "scriptName");
    JsonNode r =
        t.envelope(Call.get(t.url("workers", "scripts", scriptName, "deployments").build())).result();
    List<WorkerDeployment> out = new ArrayList<>();
    JsonNode list = r == null ? null : r.get("deployments");
    if (list != null && list.isArray()) {
      for (JsonNode n : list) {
        out.add(t.convert(n, WorkerDeployment.class));
      }
    }
    // The API answers newest first; sort anyway, as wrangler does, so "first = serving" holds.
    out.sort(
        Comparator.comparing(
                (WorkerDeployment d) -> d.createdOn() == null ? "" : d.createdOn())
            .reversed());
    return out;
  }

  /** One deployment. */
  public WorkerDeployment getDeployment(String scriptName, String deploymentId) {
    D1Api.requireText(scriptName, "scriptName");
    D1Api.requireText(deploymentId, "deploymentId");
    return t.result(
        Call.get(t.url("workers", "scripts", scriptName, "deployments", deploymentId).build()),
        WorkerDeployment.class);
  }

  /** All versions of a Worker ({@code result.items}), fetched lazily page by page. */
  public Stream<WorkerVersion> listVersions(String scriptName) {
    return listVersions(scriptName, 100);
  }

  /** As {@link #listVersions(String)} with an explicit page size. */
  public Stream<WorkerVersion> listVersions(String scriptName, int perPage) {
    D1Api.requireText(scriptName, "scriptName");
    return Paginator.stream(
        token -> {
          int page = token == null ? 1 : Integer.parseInt(token);
          HttpUrl url =
              t.url("workers", "scripts", scriptName, "versions")
                  .addQueryParameter("page", Integer.toString(page))
                  .addQueryParameter("per_page", Integer.toString(perPage))
                  .build();
          ApiTransport.Envelope env = t.envelope(Call.get(url));
          List<WorkerVersion> items = new ArrayList<>();
          JsonNode list = env.result() == null ? null : env.result().get("items");
          if (list != null && list.isArray()) {
            for (JsonNode n : list) {
              items.add(t.convert(n, WorkerVersion.class));
            }
          }
          boolean more = Paginator.hasMorePages(env.resultInfo(), page, perPage, items.size());
          return new Paginator.Page<>(items, more ? Integer.toString(page + 1) : null);
        });
  }

  /** One version with its annotations and resources. */
  public WorkerVersion getVersion(String scriptName, String versionId) {
    D1Api.requireText(scriptName, "scriptName");
    D1Api.requireText(versionId, "versionId");
    return t.result(
        Call.get(t.url("workers", "scripts", scriptName, "versions", versionId).build()),
        WorkerVersion.class);
  }

  /**
   * Creates a deployment. Not idempotent.
   *
   * @param versions one or two versions with percentages summing to 100
   * @param message the {@code workers/message} annotation, or null
   * @param force deploy even though secrets changed since a version was created (code 10220)
   */
  public WorkerDeployment deploy(
      String scriptName, List<WorkerDeployment.VersionShare> versions, String message, boolean force) {
    D1Api.requireText(scriptName, "scriptName");
    Objects.requireNonNull(versions, "versions");
    double sum = versions.stream().mapToDouble(WorkerDeployment.VersionShare::percentage).sum();
    if (versions.isEmpty() || versions.size() > 2 || Math.abs(sum - 100.0) > 1e-9) {
      throw new IllegalArgumentException("a deployment needs 1 or 2 versions summing to 100%");
    }
    List<Map<String, Object>> vs = new ArrayList<>();
    for (WorkerDeployment.VersionShare v : versions) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("version_id", v.versionId());
      m.put("percentage", v.percentage());
      vs.add(m);
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("strategy", "percentage");
    body.put("versions", vs);
    if (message != null && !message.isBlank()) {
      body.put("annotations", Map.of("workers/message", message));
    }
    HttpUrl.Builder url = t.url("workers", "scripts", scriptName, "deployments");
    if (force) {
      url.addQueryParameter("force", "true");
    }
    return t.result(
        Call.of("POST", url.build(), t.jsonBody(body), Idempotency.NON_IDEMPOTENT),
        WorkerDeployment.class);
  }

  /**
   * Rolls a Worker back like {@code wrangler rollback}: picks the target (the given version, or the
   * newest earlier deployment that served one version at 100% — skipping ones that served the
   * version already serving), checks the version exists, and deploys it at 100% with the message
   * annotation. Rolls back code only; bound D1/KV/R2 data stays as it is.
   *
   * <p>If Cloudflare refuses with code 10220 (secrets changed), either repeats with
   * {@code force=true} when {@link WorkerRollbackRequest#allowChangedSecrets()} is set, or throws
   * {@link WorkerSecretsChangedException} listing the changed secrets.
   *
   * @throws IllegalStateException if no version was given and no earlier 100% version exists
   */
  public WorkerRollbackResult rollback(WorkerRollbackRequest request) {
    String script = request.scriptName();
    List<WorkerDeployment> deployments = listDeployments(script);
    WorkerDeployment current = deployments.isEmpty() ? null : deployments.get(0);
    String currentFull = current == null ? null : current.fullVersionId().orElse(null);
    String target = request.versionId();
    if (target == null || target.isBlank()) {
      target =
          deployments.stream()
              .skip(1)
              .map(d -> d.fullVersionId().orElse(null))
              .filter(v -> v != null && !v.equals(currentFull))
              .findFirst()
              .orElseThrow(
                  () ->
                      new IllegalStateException(
                          "No earlier Worker version of " + script
                              + " served 100% of traffic; give an explicit version id"));
    }
    getVersion(script, target); // 404 here is clearer than a failed deployment
    List<String> previous =
        current == null
            ? List.of()
            : current.versions().stream().map(WorkerDeployment.VersionShare::versionId).toList();
    List<WorkerDeployment.VersionShare> shares =
        List.of(new WorkerDeployment.VersionShare(target, 100));
    String message = request.message() == null ? "Rollback" : request.message();
    try {
      WorkerDeployment d = deployOrReconcile(script, shares, message, false, current, target);
      return new WorkerRollbackResult(d, target, previous, false, List.of());
    } catch (CloudflareApiException e) {
      if (!e.hasCode(WorkerSecretsChangedException.CODE)) {
        throw e;
      }
      List<String> changed = changedSecrets(e);
      if (!request.allowChangedSecrets()) {
        throw new WorkerSecretsChangedException(
            target, changed, e.httpStatus(), e.errors(), e.method(), e.path());
      }
      log.info(
          "Rollback of {} to {}: secrets changed ({}); repeating with force as allowed",
          script, target, changed);
      WorkerDeployment d = deployOrReconcile(script, shares, message, true, current, target);
      return new WorkerRollbackResult(d, target, previous, true, changed);
    }
  }

  /**
   * Deploys; after an ambiguous failure (timeout, 5xx) checks whether the new deployment is
   * serving anyway and returns it if so, instead of reporting a failure that did not happen.
   */
  private WorkerDeployment deployOrReconcile(
      String script,
      List<WorkerDeployment.VersionShare> shares,
      String message,
      boolean force,
      WorkerDeployment before,
      String target) {
    try {
      return deploy(script, shares, message, force);
    } catch (CloudflareApiException e) {
      if (!e.outcomeUnknown()) {
        throw e;
      }
      try {
        List<WorkerDeployment> now = listDeployments(script);
        if (!now.isEmpty()) {
          WorkerDeployment newest = now.get(0);
          boolean isNew = before == null || !Objects.equals(newest.id(), before.id());
          if (isNew
              && target.equals(newest.fullVersionId().orElse(null))
              && message.equals(newest.annotations().get("workers/message"))) {
            log.info("Deployment of {} went through despite {}", script, e.getMessage());
            return newest;
          }
        }
      } catch (CloudflareApiException check) {
        e.addSuppressed(check);
      }
      throw e;
    }
  }

  /** Parses the secret names after "The following secrets have changed:". */
  static List<String> changedSecrets(CloudflareApiException e) {
    for (ApiError err : e.errors()) {
      String m = err.message();
      int i = m.indexOf(SECRETS_MARKER);
      if (i >= 0) {
        String tail = m.substring(i + SECRETS_MARKER.length());
        tail = tail.replaceAll("\\[code: ?\\d+\\]", "").trim();
        if (tail.endsWith(".")) {
          tail = tail.substring(0, tail.length() - 1);
        }
        return Arrays.stream(tail.split(","))
            .map(String::trim)
            .filter(s -> !s.isEmpty())
            .toList();
      }
    }
    return List.of();
  }
}

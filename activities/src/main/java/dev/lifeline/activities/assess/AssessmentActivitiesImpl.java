package dev.lifeline.activities.assess;

import dev.lifeline.activities.backups.ActivityFailures;
import dev.lifeline.activities.backups.Heartbeats;
import dev.lifeline.activities.backups.KvNamespaceComparison;
import dev.lifeline.activities.backups.StagingDatabase;
import dev.lifeline.activities.cloudflare.CloudflareApiException;
import dev.lifeline.activities.cloudflare.WorkerDeployment;
import dev.lifeline.activities.env.Backends;
import dev.lifeline.workflows.assess.AssessmentActivities;
import dev.lifeline.workflows.assess.DatabaseFacts;
import dev.lifeline.workflows.assess.DatabaseFactsRequest;
import dev.lifeline.workflows.assess.DeploymentFacts;
import dev.lifeline.workflows.assess.KvFacts;
import dev.lifeline.workflows.assess.KvFactsRequest;
import dev.lifeline.workflows.assess.R2Facts;
import dev.lifeline.workflows.assess.R2FactsRequest;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The facts of a corruption assessment (see {@link AssessmentActivities}), gathered read-only:
 * the database on a fresh local staging copy, KV namespaces against their replayed backup chain,
 * R2 buckets against their secondary copy, deployments from the Workers API.
 *
 * <p>Idempotency: every method only reads its sources and writes nothing but staging files in a
 * fresh work directory it deletes before returning, so a retry repeats the same reads (the
 * idempotency key is the request itself). Staging files never outlive an attempt, so no attempt
 * depends on a file another host wrote.
 */
public final class AssessmentActivitiesImpl implements AssessmentActivities {
  private static final Logger log = LoggerFactory.getLogger(AssessmentActivitiesImpl.class);

  /** Deployments reported per script. */
  static final int DEPLOYMENTS = 20;

  private final Backends backends;

  /** @param backends connections */
  public AssessmentActivitiesImpl(Backends backends) {
    this.backends = backends;
  }

  @Override
  public DatabaseFacts database(DatabaseFactsRequest request) {
    return ActivityFailures.call(() -> {
      if (request.target() == null || request.target().kind() == null) {
        throw ApplicationFailure.newNonRetryableFailure("a D1 or SQLite target is required", "InvalidInput");
      }
      Heartbeats hb = new Heartbeats();
      Path work = backends.newWorkDir("assess-" + request.target().value());
      try {
        StagingDatabase staging = new StagingDatabase(backends);
        StagingDatabase.Copy copy = staging.stage(request.target(), work.resolve("staging.sqlite"), hb);
        log.info("assessing {} on a staging copy ({}, {} rows, {} ms)", request.target().label(), copy.method(),
            copy.rows(), copy.millis());
        DatabaseFacts.StagingCopy staged = new DatabaseFacts.StagingCopy(copy.method(), copy.source(), copy.takenAt(),
            copy.bookmark(), copy.bytes(), copy.rows(), copy.millis(), copy.caveats());
        DatabaseInspector inspector = new DatabaseInspector(null, name -> hb.beat("checking: " + name));
        DatabaseFacts facts = inspector.inspect(request.target().label(), staged, copy.file(), request.rules(),
            new DatabaseInspector.Options(request.integrityCheck(), request.sampleSize(), request.recordLimit(),
                request.autoRuleSets()),
            request.baseline(), () -> {
              Path base = work.resolve("baseline.sqlite");
              hb.beat("restoring backup " + request.baseline().backupId() + " to compare with");
              staging.restore(request.baseline(), base, hb);
              return base;
            });
        List<DatabaseFacts.CheckTiming> timings = new ArrayList<>();
        timings.add(new DatabaseFacts.CheckTiming("staging copy (" + copy.method() + ")", copy.millis()));
        timings.addAll(facts.timings());
        return new DatabaseFacts(facts.target(), facts.copy(), facts.integrity(), facts.foreignKeys(), facts.tables(),
            facts.rules(), facts.suggestions(), facts.migrations(), facts.baseline(), timings, facts.notes());
      } catch (SQLException e) {
        throw ApplicationFailure.newFailure("checking the staging copy of " + request.target().label() + " failed: "
            + e.getMessage(), "StagingCheckFailed");
      } finally {
        Backends.deleteWorkDir(work);
      }
    });
  }

  @Override
  public KvFacts kvNamespace(KvFactsRequest request) {
    return new KvNamespaceComparison(backends).compare(request, new Heartbeats());
  }

  @Override
  public R2Facts r2Bucket(R2FactsRequest request) {
    return ActivityFailures.call(() -> new R2BucketComparison(backends).compare(request, new Heartbeats()));
  }

  @Override
  public List<DeploymentFacts> deployments(List<String> scripts) {
    List<DeploymentFacts> out = new ArrayList<>();
    for (String script : scripts) {
      try {
        List<DeploymentFacts.Deployment> deps = new ArrayList<>();
        for (WorkerDeployment d : backends.cloudflare().workers().listDeployments(script)) {
          if (deps.size() >= DEPLOYMENTS) {
            break;
          }
          deps.add(new DeploymentFacts.Deployment(d.id(), d.createdOn(), d.source(), d.authorEmail(),
              d.annotations().get("workers/message"),
              d.versions().stream().map(v -> v.versionId() + "=" + fmt(v.percentage()) + "%").toList()));
        }
        out.add(new DeploymentFacts(script, deps, null));
      } catch (CloudflareApiException e) {
        // One unreadable script should not hide the others: say why and go on.
        out.add(new DeploymentFacts(script, List.of(), e.getMessage()));
      }
    }
    return out;
  }

  private static String fmt(double percentage) {
    return percentage == Math.rint(percentage) ? Long.toString((long) percentage) : Double.toString(percentage);
  }

}

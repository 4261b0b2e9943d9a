package dev.lifeline.activities.backups;

import dev.lifeline.activities.backup.BackupPipelineException;
import dev.lifeline.activities.backup.DumpLoadException;
import dev.lifeline.activities.cloudflare.CloudflareApiException;
import dev.lifeline.activities.cloudflare.CloudflareFailures;
import dev.lifeline.activities.crypto.BackupIntegrityException;
import dev.lifeline.activities.crypto.BackupKeyException;
import dev.lifeline.activities.s3.ObjectStoreException;
import dev.lifeline.activities.s3.ObjectStoreFailures;
import io.temporal.failure.ApplicationFailure;
import java.util.function.Supplier;

/**
 * Turns what the libraries throw into Temporal failures a person can act on: integrity and key
 * problems, malformed dumps and refused API calls are non-retryable; transport and store hiccups
 * are retried.
 */
public final class ActivityFailures {
  private ActivityFailures() {}

  /**
   * Runs {@code body}, turning library exceptions into Temporal failures, with the activity kept
   * alive through long single calls ({@link Heartbeats#keepingAlive}).
   */
  public static <T> T call(Supplier<T> body) {
    try {
      return Heartbeats.keepingAlive(body);
    } catch (ApplicationFailure e) {
      throw e;
    } catch (BackupKeyException e) {
      throw ApplicationFailure.newNonRetryableFailure(e.getMessage(), "WrongBackupKey");
    } catch (BackupIntegrityException e) {
      throw ApplicationFailure.newNonRetryableFailure(e.getMessage(), "BackupIntegrity");
    } catch (DumpLoadException e) {
      throw ApplicationFailure.newNonRetryableFailure(e.getMessage(), "DumpFormat");
    } catch (BackupPipelineException e) {
      throw e.retryable()
          ? ApplicationFailure.newFailure(e.getMessage(), "BackupPipeline")
          : ApplicationFailure.newNonRetryableFailure(e.getMessage(), "BackupPipeline");
    } catch (CloudflareApiException e) {
      throw CloudflareFailures.toApplicationFailure(e);
    } catch (ObjectStoreException e) {
      throw ObjectStoreFailures.toApplicationFailure(e);
    }
  }
}

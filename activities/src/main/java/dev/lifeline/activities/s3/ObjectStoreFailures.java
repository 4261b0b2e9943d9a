package dev.lifeline.activities.s3;

import io.temporal.failure.ApplicationFailure;
import java.io.UncheckedIOException;

/**
 * Maps object store exceptions to Temporal {@link ApplicationFailure}s for activity
 * implementations, keeping the store free of Temporal types. Permanent failures (missing object,
 * access denied, invalid input) are non-retryable with a message saying what to check; transient
 * ones stay retryable. The type is the exception's simple class name.
 */
public final class ObjectStoreFailures {
  private ObjectStoreFailures() {}

  /** The Temporal failure for {@code e}. */
  public static ApplicationFailure toApplicationFailure(RuntimeException e) {
    if (e instanceof ApplicationFailure af) {
      return af;
    }
    if (e instanceof ObjectStoreException o) {
      return ApplicationFailure.newBuilder()
          .setType(o.getClass().getSimpleName())
          .setMessage(o.getMessage())
          .setNonRetryable(!o.retryable())
          .setDetails(o.bucket(), o.key(), o.statusCode())
          .build();
    }
    boolean invalid = e instanceof IllegalArgumentException || e instanceof IllegalStateException;
    return ApplicationFailure.newBuilder()
        .setType(invalid ? "InvalidRequest" : e instanceof UncheckedIOException ? "LocalIOError"
            : e.getClass().getSimpleName())
        .setMessage(String.valueOf(e.getMessage()))
        .setNonRetryable(invalid)
        .build();
  }
}

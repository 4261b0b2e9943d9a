package dev.lifeline.workflows.backup;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.lifeline.workflows.playbook.InputProblems;
import dev.lifeline.workflows.playbook.UngatedInput;
import java.util.List;
import java.util.Locale;

/**
 * Input of {@link R2Replication}: {@code {"buckets": ["evidence-storage"], "verify": "sample"}}.
 *
 * @param buckets the primary buckets (default: every bucket but the backup buckets)
 * @param secondaryBucket the secondary bucket (default: {@code SECONDARY_R2_BUCKET})
 * @param deleteExtraneous delete secondary copies whose primary is gone (default false)
 * @param verify {@code none}, {@code sample} (default) or {@code all}
 * @param samplePercent share checked with {@code sample} (default 10)
 * @param initiatedBy who asked
 * @param incidentId an incident, if any
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record R2ReplicationInput(
    List<String> buckets,
    String secondaryBucket,
    Boolean deleteExtraneous,
    String verify,
    Integer samplePercent,
    String initiatedBy,
    String incidentId)
    implements UngatedInput {

  /** The verify mode, defaulting to sample. */
  public String verifyOrDefault() {
    return verify == null ? "sample" : verify.trim().toLowerCase(Locale.ROOT);
  }



  @Override
  public String targetLabel() {
    return "r2:" + (buckets == null ? "*" : String.join(",", buckets));
  }

  @Override
  public void validate(InputProblems problems) {
    if (buckets != null && buckets.stream().anyMatch(b -> b == null || !b.matches("[a-z0-9][a-z0-9-]{1,62}"))) {
      problems.add("buckets", "must be bucket names (lowercase letters, digits, hyphens)");
    }
    if (!List.of("none", "sample", "all").contains(verifyOrDefault())) {
      problems.add("verify", "must be none, sample or all (got \"" + verify + "\")");
    }
    if (samplePercent != null && (samplePercent < 1 || samplePercent > 100)) {
      problems.add("samplePercent", "must be 1 to 100 (got " + samplePercent + ")");
    }
  }
}

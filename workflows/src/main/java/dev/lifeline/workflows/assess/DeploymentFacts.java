package dev.lifeline.workflows.assess;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * Recent deployments of one Worker script, newest first (from the Workers API).
 *
 * @param script the script
 * @param deployments its deployments, newest first (at most 20)
 * @param error why they could not be read, else null
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DeploymentFacts(String script, List<Deployment> deployments, String error) {

  /**
   * One deployment.
   *
   * @param id deployment id
   * @param createdOn when (ISO-8601)
   * @param source who or what created it
   * @param author the author's e-mail, when reported
   * @param message the deployment message, when given
   * @param versions version ids and their share of traffic, e.g. {@code 0f3c…=100%}
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Deployment(
      String id, String createdOn, String source, String author, String message, List<String> versions) {}
}

package dev.lifeline.activities.cloudflare;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * An R2 bucket as the REST API describes it (snake_case in answers).
 *
 * @param name bucket name
 * @param creationDate ISO-8601 creation time
 * @param location location hint ({@code wnam}, {@code weur}, ...)
 * @param storageClass {@code Standard} or {@code InfrequentAccess}
 * @param jurisdiction {@code default}, {@code eu}, {@code fedramp}
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record R2Bucket(
    String name,
    @JsonProperty("creation_date") String creationDate,
    String location,
    @JsonProperty("storage_class") String storageClass,
    String jurisdiction) {}

package dev.lifeline.activities.cloudflare;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A Workers KV namespace.
 *
 * @param id the namespace id
 * @param title its title (unique per account)
 * @param supportsUrlEncoding whether keys in paths are URL-decoded before storage
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record KvNamespace(
    String id, String title, @JsonProperty("supports_url_encoding") Boolean supportsUrlEncoding) {}

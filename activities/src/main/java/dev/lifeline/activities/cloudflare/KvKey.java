package dev.lifeline.activities.cloudflare;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * A key from a KV key listing.
 *
 * @param name the key
 * @param expiration absolute expiry in epoch seconds, or null if it never expires
 * @param metadata the key's metadata (parsed JSON), or null
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record KvKey(String name, Long expiration, JsonNode metadata) {}

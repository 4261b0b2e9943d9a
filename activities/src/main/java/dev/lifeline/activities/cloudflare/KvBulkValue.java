package dev.lifeline.activities.cloudflare;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A value from a KV bulk get. Bulk get returns text only: binary values come back mangled, so read
 * those with {@link KvApi#getValue}.
 *
 * @param value the value as text
 * @param metadata the metadata when requested and present, else null
 * @param expiration absolute expiry in epoch seconds when reported, else null
 */
public record KvBulkValue(String value, JsonNode metadata, Long expiration) {}

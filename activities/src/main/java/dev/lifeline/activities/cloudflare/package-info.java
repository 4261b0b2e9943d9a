/**
 * A Cloudflare REST API v4 client for D1, Workers KV, Worker deployments and R2 bucket management.
 *
 * <p>Start at {@link dev.lifeline.activities.cloudflare.CloudflareClient}, built from
 * {@link dev.lifeline.activities.cloudflare.CloudflareClientOptions}. The code is plain library
 * code without Temporal types; {@link dev.lifeline.activities.cloudflare.CloudflareFailures} maps its
 * exceptions to Temporal failures for activity implementations.
 *
 * <p>Rules the whole package follows: the API token lives in a
 * {@link dev.lifeline.activities.secrets.Secret} and is sent only to the API base URL; every
 * request spends the shared {@link dev.lifeline.activities.cloudflare.RequestBudget}; a request is
 * repeated by the client only when repeating it is harmless
 * ({@link dev.lifeline.activities.cloudflare.Idempotency}); lists, exports, imports and bulk
 * operations stream, so memory does not grow with the size of a database or namespace.
 */
package dev.lifeline.activities.cloudflare;

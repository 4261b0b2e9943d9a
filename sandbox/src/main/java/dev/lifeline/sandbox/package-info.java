/**
 * A local stand-in for a Cloudflare account, used by every Lifeline test and by the embedded dev
 * mode.
 *
 * <p>{@link dev.lifeline.sandbox.CloudflareSandbox} starts a REST emulator of the API subset in
 * {@code shared/reference/} (D1, Workers KV, Worker versions and deployments, R2 bucket management)
 * and a real S3-compatible server for R2 objects, both on 127.0.0.1.
 * {@link dev.lifeline.sandbox.SandboxAccount} seeds and inspects the account without HTTP,
 * {@link dev.lifeline.sandbox.FaultInjector} makes the API misbehave,
 * {@link dev.lifeline.sandbox.MonoTaskAccount} seeds the sample account of the incident playbook and
 * {@link dev.lifeline.sandbox.CorruptionInjector} damages it in known ways. Every other class of
 * the package is an implementation detail.
 */
package dev.lifeline.sandbox;

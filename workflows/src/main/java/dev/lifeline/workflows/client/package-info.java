/**
 * How the worker and the CLI reach Temporal: the shared settings (address, namespace, task queue,
 * mTLS, API key) and the connection built from them.
 */
package dev.lifeline.workflows.client;

/**
 * The list of playbooks people can start: short names, workflow types, input types and what each
 * is for. The CLI reads it to start playbooks by name and check their inputs before sending them.
 */
package dev.lifeline.workflows.catalog;

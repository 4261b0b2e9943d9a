/**
 * What every playbook shares: the approval gate, the status model, the undo log and the runtime
 * that ties them to Temporal (signals {@code approve} and {@code abort}, update {@code decide},
 * query {@code status}).
 */
package dev.lifeline.workflows.playbook;

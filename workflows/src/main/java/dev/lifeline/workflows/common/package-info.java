/** Types every playbook shares: what a playbook acts on ({@link dev.lifeline.workflows.common.Target}). */
package dev.lifeline.workflows.common;

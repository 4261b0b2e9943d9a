/**
 * Corruption assessment: the read-only playbook that finds out what is wrong (scope), how bad it
 * is (impact), what may have caused it (root cause) and which recovery playbook fits
 * (recommendation), with the rules it checks, the activity ports that gather the facts, and the
 * pure analysis that judges them.
 */
package dev.lifeline.workflows.assess;

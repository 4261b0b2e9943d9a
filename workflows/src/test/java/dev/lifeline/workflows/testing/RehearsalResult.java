package dev.lifeline.workflows.testing;

/**
 * What {@link GateRehearsal} returns.
 *
 * @param target the table acted on
 * @param rowsRewritten rows changed by the apply step
 * @param safetySnapshot the undo handle
 */
public record RehearsalResult(String target, int rowsRewritten, String safetySnapshot) {}

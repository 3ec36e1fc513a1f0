/**
 * What the scenario activities observed. Activities run in the test process (the Worker's activity executor runs in
 * the main thread), so the scenarios read these maps directly. Every key starts with the id of the workflow that
 * scheduled the activity, so the two modes of a scenario never share an entry.
 */

/** Observations keyed by `<workflowId>/<what>`. */
export const activityLog = new Map<string, unknown>();

/** Task tokens handed out by the `completeLater` activity, keyed by workflow id. */
export const asyncTaskTokens = new Map<string, Uint8Array>();

// The lab panel, the exercise that runs on the lab and the live view that watches it load apart, each
// when it is needed; they tell each other what changed through these events only.

/** Fired on window with a cluster's name ("lab") once it is ready: a live view refused while it was not opens again. */
export const CLUSTER_READY = "tributary:cluster-ready";

/**
 * Fired on an exercise's root when the server refused to start a run: what the run depends on (the learner's
 * lab) may not be as the page shows it, so a panel showing it reads it again.
 */
export const RUN_REFUSED = "tributary:run-refused";

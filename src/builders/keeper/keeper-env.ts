// What nightshift tells an attempt's keeper through its environment (the keeper takes it out
// before the agent starts, so the agent never sees it).

/**
 * Set to a number of milliseconds: the keeper ends the agent when the process that started it
 * dies (a team worker's), with SIGTERM and, that long after, SIGKILL.
 */
export const KEEPER_ENDS_WITH_PARENT = 'NIGHTSHIFT_KEEPER_ENDS_WITH_PARENT';

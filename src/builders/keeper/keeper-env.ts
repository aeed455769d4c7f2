// What nightshift tells an attempt's keeper through its environment (the keeper takes it out
// before the agent starts, so the agent never sees it).

/**
 * Set to "<pid>:<ms>": the keeper ends the agent when process <pid>, the one that started it (a
 * team worker), is no longer its parent, with SIGTERM and, <ms> later, SIGKILL. The pid is given,
 * not read at the keeper's start, so a worker that died before then is noticed too.
 */
export const KEEPER_ENDS_WITH_PARENT = 'NIGHTSHIFT_KEEPER_ENDS_WITH_PARENT';

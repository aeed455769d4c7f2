// The environment entries every process of an attempt inherits (the agent, its setup, its check,
// and whatever they start): how a cancel's sweep, a restart's reap and a worker's leftover sweep
// find them, even after they left the process group.

/** As NAME=value strings, the form /proc/<pid>/environ holds them in. */
export function attemptMarkers(taskId: string, attempt: number, workspace: string): string[] {
  return [`NIGHTSHIFT_TASK_ID=${taskId}`, `NIGHTSHIFT_ATTEMPT=${attempt}`, `NIGHTSHIFT_WORKSPACE=${workspace}`];
}

/** As an environment to spawn with. */
export function markerEnv(taskId: string, attempt: number, workspace: string): Record<string, string> {
  return Object.fromEntries(attemptMarkers(taskId, attempt, workspace).map((m) => m.split(/=(.*)/s).slice(0, 2) as [string, string]));
}

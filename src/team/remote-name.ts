// The builder name a team's attempts carry (Attempt.builder): how code that must not load the
// team's modules (a one-shot, with no database connection) tells that an attempt ran on a worker.
export const REMOTE_BUILDER_NAME = 'a worker';
